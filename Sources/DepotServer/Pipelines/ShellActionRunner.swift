import DepotBuild
import Foundation

/// Invoke/Shell: the `Command` run by `/bin/sh` in the build sandbox, in a directory holding the input artifacts
/// (the first at the top, the others in sub-directories by name); its output artifacts are that directory zipped.
struct ShellActionRunner: PipelineActionRunner {
    let artifacts: PipelineArtifacts
    let hooks: any LifecycleHookRunner
    var timeout: Duration = .seconds(3600)

    func run(_ job: PipelineJob) async -> PipelineJobOutcome {
        guard let command = job.invocation.configuration["Command"], !command.isEmpty else { return .failed("Command is empty") }
        do {
            let work = try artifacts.workDirectory()
            defer { try? FileManager.default.removeItem(at: work) }
            let directory = work.appendingPathComponent("work", isDirectory: true)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            for (index, name) in job.invocation.inputArtifacts.enumerated() {
                guard let digest = job.inputArtifacts[name] else { return .failed("input artifact \(name) is missing") }
                try await artifacts.unpack(digest, into: index == 0 ? directory : directory.appendingPathComponent(name))
            }
            let script = work.appendingPathComponent("command.sh")
            try Data((command + "\n").utf8).write(to: script)
            let result = await hooks.run(
                LifecycleHookInvocation(
                    event: .validateService, script: script, workingDirectory: directory,
                    environment: ["PIPELINE_EXECUTION_ID": job.invocation.executionId], timeout: timeout, writableDirectories: [work]))
            switch result.status {
            case .succeeded:
                var outputs: [String: String] = [:]
                for name in job.invocation.outputArtifacts { outputs[name] = try await artifacts.keep(directory: directory, job: job) }
                return PipelineJobOutcome(
                    result: .succeeded(outputVariables: [:], summary: String(result.output.suffix(500))), artifacts: outputs)
            case .failed(let status):
                return .failed("the command exited with status \(status): \(result.output.suffix(500))")
            case .timedOut:
                return .failed("the command timed out")
            case .error(let message):
                return .failed(message)
            }
        } catch {
            return .failed("\(error)")
        }
    }
}
