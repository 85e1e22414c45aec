import DepotBuild
import DepotCore
import DepotHTTP
import DepotStorage
import Foundation
import Hummingbird
import Logging

/// Creates the pipeline service with its action runners, adds the pipeline routes and starts the background work:
/// resuming persisted executions, approval expiry and the git branch poll. Returns the service (the console reads it).
@discardableResult
func addPipelineRoutes(
    to api: RouterGroup<DepotRequestContext>, store: SQLiteMetadataStore, builds: BuildService, blobs: any BlobStore, collector: BlobCollector,
    repositories: RepositoryService, packages: PackageService, formats: FormatRegistry, configuration: DepotConfiguration,
    policy: AuthorizationPolicy, baseURL: PublicBaseURL, storage: URL, logger: Logger
) throws -> PipelineService {
    let artifacts = PipelineArtifacts(
        blobs: blobs, store: store, collector: collector,
        scratch: FileManager.default.temporaryDirectory.appendingPathComponent("depot-pipelines", isDirectory: true))
    let serverURL = configuration.publicURL ?? "\(configuration.tlsCertificatePath == nil ? "http" : "https")://\(configuration.host):\(configuration.port)"
    // Hook scripts and shell commands run like builds: sandboxed, seeing nothing of the storage directory.
    let hooks = ShellLifecycleHookRunner(
        sandbox: try buildSandbox(configuration: configuration, storage: storage, logger: logger),
        baseEnvironment: ProcessInfo.processInfo.environment.filter { ["PATH", "LANG", "HOME"].contains($0.key) },
        scratchDirectory: artifacts.scratch.appendingPathComponent("hooks"))
    let gitSources = GitSourcePolicy(allowedHosts: configuration.pipelineGitAllowedHosts, allowedDirectories: configuration.pipelineGitAllowedPaths)
    let runners = PipelineActionRunners([
        .git: GitSourceActionRunner(artifacts: artifacts, policy: gitSources),
        .depotBuild: BuildActionRunner(store: store, builds: builds, artifacts: artifacts, serverURL: serverURL),
        .depotTest: BuildActionRunner(store: store, builds: builds, artifacts: artifacts, serverURL: serverURL),
        .promote: PromoteActionRunner(repositories: repositories, packages: packages, formats: formats),
        .appSpec: AppSpecActionRunner(artifacts: artifacts, hooks: hooks, locks: DeploymentTargetLocks(), storage: storage),
        .shell: ShellActionRunner(artifacts: artifacts, hooks: hooks),
    ])
    let service = PipelineService(store: store, runners: runners, gitSources: gitSources, logger: logger)
    PipelineController(pipelines: service, policy: policy, baseURL: baseURL).addRoutes(to: api)
    PipelineTimers(service: service, pollInterval: .seconds(configuration.pipelinePollInterval), logger: logger).start()
    return service
}
