import DepotBuild
import Foundation

/// Source/Git: exports the branch head (no .git) and stores it as the action's output artifact zip; its output
/// variables are CodePipeline's (CommitId, BranchName, CommitMessage, AuthorDate).
struct GitSourceActionRunner: PipelineActionRunner {
    let artifacts: PipelineArtifacts
    let policy: GitSourcePolicy

    func run(_ job: PipelineJob) async -> PipelineJobOutcome {
        guard let source = GitSourceConfiguration(job.invocation.configuration) else {
            return .failed("Repository and Branch must name a git repository and branch")
        }
        do {
            let work = try artifacts.workDirectory()
            defer { try? FileManager.default.removeItem(at: work) }
            let tree = work.appendingPathComponent("tree", isDirectory: true)
            let revision = try await GitSourceExporter(policy: policy, scratchDirectory: work.appendingPathComponent("scratch")).export(source, into: tree)
            var outputs: [String: String] = [:]
            for name in job.invocation.outputArtifacts {
                outputs[name] = try await artifacts.keep(directory: tree, job: job)
            }
            return PipelineJobOutcome(
                result: .succeeded(outputVariables: revision.outputVariables, summary: "commit \(revision.commitId)"), artifacts: outputs,
                externalLink: "\(source.branch)@\(revision.commitId)")
        } catch {
            return .failed("\(error)")
        }
    }
}
