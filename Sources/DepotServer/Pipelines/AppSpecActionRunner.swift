import DepotBuild
import DepotCore
import Foundation

/// Deploy/AppSpec: an in-place deployment of the input artifact into the target directory with `RevisionDeployer`
/// (hooks in the build sandbox; a hook failing after the switch rolls `current` back). Deployments to the same
/// target directory run one at a time.
struct AppSpecActionRunner: PipelineActionRunner {
    let artifacts: PipelineArtifacts
    let hooks: any LifecycleHookRunner
    let locks: DeploymentTargetLocks
    /// Depot's storage directory: never a deployment target.
    let storage: URL

    func run(_ job: PipelineJob) async -> PipelineJobOutcome {
        guard let configuration = AppSpecDeployConfiguration(job.invocation.configuration) else {
            return .failed("TargetDirectory, ApplicationName and DeploymentGroupName must be valid")
        }
        guard configuration.targetDirectory.hasPrefix("/"), !PathOverlap.overlaps(configuration.targetDirectory, storage.path) else {
            return .failed("TargetDirectory must be an absolute path outside Depot's storage")
        }
        guard let input = job.invocation.inputArtifacts.first, let digest = job.inputArtifacts[input] else {
            return .failed("the input artifact is missing")
        }
        let deploymentId = "d-\(job.invocation.executionId.prefix(8))-\(job.invocation.attempt)-\(UUID().uuidString.prefix(8).lowercased())"
        do {
            let work = try artifacts.workDirectory()
            defer { try? FileManager.default.removeItem(at: work) }
            let bundle = work.appendingPathComponent("bundle", isDirectory: true)
            try await artifacts.unpack(digest, into: bundle)
            let deployment = RevisionDeployment(deploymentId: deploymentId, configuration: configuration, bundleDirectory: bundle)
            let deployer = RevisionDeployer(hookRunner: hooks)
            let outcome: Result<RevisionDeploymentResult, RevisionDeploymentError> = await locks.withLock(configuration.targetDirectory) {
                do throws(RevisionDeploymentError) { return .success(try await deployer.deploy(deployment)) } catch { return .failure(error) }
            }
            let result = try outcome.get()
            let link = "\(configuration.targetDirectory) \(deploymentId)"
            if let failure = result.failure {
                let rollback = result.rolledBack ? "; rolled back to \(result.previousDeploymentId ?? "no revision")" : ""
                return .failed("deployment \(deploymentId) failed\(failure.event.map { " in \($0.rawValue)" } ?? ""): \(failure.message)\(rollback)", link: link)
            }
            return PipelineJobOutcome(
                result: .succeeded(outputVariables: ["DeploymentId": deploymentId], summary: "deployed \(deploymentId) to \(configuration.targetDirectory)"),
                externalLink: link)
        } catch {
            return .failed("\(error)")
        }
    }
}
