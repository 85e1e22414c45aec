import DepotBuild
import Foundation

/// An action to run for an execution, with the blobs of its input artifacts.
struct PipelineJob: Sendable {
    var domain: String
    var pipeline: String
    var invocation: ActionInvocation
    /// Input artifact name -> SHA-256 of its zip.
    var inputArtifacts: [String: String]
    /// How builds reach this server (the address clients used), when known.
    var serverURL: String?
    /// Shows a link (the build's id) on the action while it still runs, so a watcher can follow its log.
    var showLink: @Sendable (String) async -> Void = { _ in }
}

/// How a job ended: the result for the state machine, the zips of its output artifacts, a link to show.
struct PipelineJobOutcome: Sendable {
    var result: ActionResult
    /// Output artifact name -> SHA-256 of its zip in the blob store.
    var artifacts: [String: String] = [:]
    var externalLink: String?

    static func failed(_ summary: String, link: String? = nil) -> PipelineJobOutcome {
        PipelineJobOutcome(result: .failed(summary: summary), externalLink: link)
    }
}

/// Runs one kind of action. A stop that abandons the action cancels the task running it.
protocol PipelineActionRunner: Sendable {
    func run(_ job: PipelineJob) async -> PipelineJobOutcome
}

/// The runner of each provider this server has; an action of another provider fails with a clear summary.
struct PipelineActionRunners: Sendable {
    var runners: [ActionProvider: any PipelineActionRunner]

    init(_ runners: [ActionProvider: any PipelineActionRunner]) {
        self.runners = runners
    }

    func run(_ job: PipelineJob) async -> PipelineJobOutcome {
        guard let runner = runners[job.invocation.provider] else {
            return .failed("this server cannot run \(job.invocation.provider.rawValue) actions")
        }
        return await runner.run(job)
    }
}
