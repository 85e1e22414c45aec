import DepotBuild
import DepotCore
import Foundation

/// Build/Depot and Test/Depot: a build of the named project through the server's build queue, its source the
/// primary input artifact (an inline `Buildspec` replaces the project's). Exported variables become the action's
/// output variables, the build's artifacts its output artifacts; a Test action fails when a report has failures.
struct BuildActionRunner: PipelineActionRunner {
    let store: any BuildStore
    let builds: BuildService
    let artifacts: PipelineArtifacts
    /// How builds reach the registry when no request told (`server.publicURL`, else the configured address).
    let serverURL: String
    var pollInterval: Duration = .milliseconds(300)

    func run(_ job: PipelineJob) async -> PipelineJobOutcome {
        let invocation = job.invocation
        let configuration: BuildActionConfiguration
        do {
            configuration = try BuildActionConfiguration(invocation.configuration, inputArtifacts: invocation.inputArtifacts)
        } catch {
            return .failed("\(error)")
        }
        guard let projectName = configuration.projectName else {
            return .failed("ProjectName is required on this server: the project names the repository the build uses")
        }
        if let secret = configuration.environmentVariables.first(where: \.isSecret) {
            return .failed("environment variable \(secret.name) is \(secret.type): only PLAINTEXT is supported; use the project's secrets")
        }
        let work: URL
        do { work = try artifacts.workDirectory() } catch { return .failed("\(error)") }
        defer { try? FileManager.default.removeItem(at: work) }
        do {
            guard var project = try await store.project(domain: job.domain, name: projectName) else {
                return .failed("build project '\(projectName)' not found")
            }
            let source = work.appendingPathComponent("source", isDirectory: true)
            if let primary = configuration.primarySource, let digest = job.inputArtifacts[primary] {
                try await artifacts.unpack(digest, into: source)
            } else {
                try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
            }
            project.sourceDirectory = source.path
            project.gitURL = nil
            project.gitRef = nil
            if let inline = invocation.configuration["Buildspec"] {
                let file = ".depot-pipeline-buildspec.yml"
                try Data(inline.utf8).write(to: source.appendingPathComponent(file))
                project.buildspecPath = file
            }
            var overrides: [String: String] = [:]
            for variable in configuration.environmentVariables { overrides[variable.name] = variable.value }
            let id = "\(project.name):\(UUID().uuidString.lowercased())"
            let build = try await store.createBuild(
                id: id, domain: job.domain, project: project.name, initiator: "pipeline \(job.pipeline)", at: Date())
            try await builds.enqueue(BuildJob(build: build, project: project, serverURL: job.serverURL ?? serverURL, overrides: overrides))
            await job.showLink("build \(id)")
            let ended = try await waitForEnd(domain: job.domain, id: id)
            return try outcome(of: ended, job: job)
        } catch {
            return .failed("\(error)")
        }
    }

    /// Polls the build until it ends; a cancelled task (the execution was stopped, abandoning) stops the build.
    private func waitForEnd(domain: String, id: String) async throws -> StoredBuild {
        while true {
            // Abandoned: stop the build; the execution ignores this action's result from now on.
            if Task.isCancelled {
                _ = try? await builds.stop(id)
                throw CancellationError()
            }
            if let build = try await store.build(domain: domain, id: id), !["QUEUED", "IN_PROGRESS"].contains(build.status) { return build }
            try? await Task.sleep(for: pollInterval)
        }
    }

    private func outcome(of build: StoredBuild, job: PipelineJob) throws -> PipelineJobOutcome {
        let link = "build \(build.id)"
        guard let json = build.resultJSON else { return .failed("build \(build.id) ended \(build.status)", link: link) }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let result = try decoder.decode(BuildResult.self, from: json)
        guard result.status == .succeeded else {
            return .failed("build \(build.id) \(result.status.rawValue)\(result.message.map { ": \($0)" } ?? "")", link: link)
        }
        if job.invocation.provider == .depotTest {
            let failed = result.reports.reduce(0) { $0 + $1.failed }
            if failed > 0 {
                let names = result.reports.flatMap(\.failures).prefix(5).map { "\($0.suite) \($0.name)" }.joined(separator: ", ")
                return .failed("\(failed) test(s) failed in build \(build.id): \(names)", link: link)
            }
        }
        // The first output artifact is the build's primary artifact, the others its secondary ones by identifier.
        var outputs: [String: String] = [:]
        for (index, name) in job.invocation.outputArtifacts.enumerated() {
            let artifact = index == 0 ? result.artifacts.first { $0.identifier == "primary" } : result.artifacts.first { $0.identifier == name }
            guard let artifact else { return .failed("build \(build.id) produced no artifact for output \(name)", link: link) }
            outputs[name] = artifact.sha256
        }
        let tests = result.reports.isEmpty ? "" : ", tests \(result.reports.reduce(0) { $0 + $1.passed }) passed"
        return PipelineJobOutcome(
            result: .succeeded(outputVariables: result.exportedVariables, summary: "build \(build.id) SUCCEEDED\(tests)"), artifacts: outputs,
            externalLink: link)
    }
}
