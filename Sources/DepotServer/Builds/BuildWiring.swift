import DepotBuild
import DepotClientConfig
import DepotCore
import DepotHTTP
import DepotStorage
import Foundation
import Hummingbird
import Logging

/// Creates the build service (marking builds a previous run left unfinished as FAULT) and adds the build,
/// project and secret routes. Returns the service that stops running builds when the server shuts down.
func addBuildRoutes(
    to api: RouterGroup<DepotRequestContext>, store: SQLiteMetadataStore, blobs: any BlobStore, collector: BlobCollector,
    storage: URL, configuration: DepotConfiguration, access: AccessService, policy: AuthorizationPolicy,
    repositories: RepositoryService, baseURL: PublicBaseURL, logger: Logger
) throws -> BuildShutdownService {
    let cipher = try SecretCipher.loadingKey(from: storage.appendingPathComponent("build-secrets.key"))
    let sandbox = try buildSandbox(configuration: configuration, storage: storage, logger: logger)
    let executor = BuildExecutor(
        tokenIssuer: ServerBuildTokenIssuer(access: access, maxLifetimeSeconds: Int(configuration.maxTokenLifetime)),
        cacheStore: serverBuildCache(storage: storage), clients: registeredFormats().clients)
    let service = BuildService(
        store: store, keeper: BuildBlobKeeper(blobs: blobs, store: store, collector: collector), executor: executor, cipher: cipher, root: storage.appendingPathComponent("builds"),
        concurrency: configuration.buildConcurrency, timeoutSeconds: Int(configuration.buildTimeout), sandbox: sandbox, storage: storage,
        caCertificatePath: configuration.tlsCACertificatePath, logger: logger)
    // No build survives a restart: whatever was queued or running when the server stopped is FAULT.
    let faulted = try store.faultUnfinishedBuildsBeforeStart(at: Date())
    if !faulted.isEmpty {
        let killed = BuildProcesses.kill(buildIDs: Set(faulted))
        logger.notice("marked \(faulted.count) builds left unfinished by the previous run FAULT; killed \(killed) of their processes")
        Task {
            do {
                let revoked = try await OrphanedBuildTokens.revoke(buildIDs: faulted, access: access, domains: repositories)
                logger.notice("revoked \(revoked) tokens of the builds marked FAULT")
            } catch {
                logger.error("cannot revoke the tokens of the builds marked FAULT: \(error)")
            }
        }
    }
    BuildController(store: store, builds: service, blobs: blobs, repositories: repositories, policy: policy, baseURL: baseURL, storage: storage).addRoutes(to: api)
    SecretController(store: store, cipher: cipher, policy: policy).addRoutes(to: api)
    return BuildShutdownService(builds: service)
}

/// `builds.sandbox`: bubblewrap (the default when `bwrap` is installed) hides the storage directory from builds;
/// without it a build runs as the server's user and can read its admin token and database, which start-up says.
func buildSandbox(configuration: DepotConfiguration, storage: URL, logger: Logger) throws -> BuildSandbox {
    let preferred = BuildSandbox.preferred(hiddenPaths: [storage.path])
    switch configuration.buildSandbox {
    case "none":
        logger.warning("builds.sandbox is none: builds run unsandboxed as the server's user and can read \(storage.path)")
        return .none
    case "bubblewrap":
        guard preferred != .none else {
            throw ConfigurationError(key: "builds.sandbox", "bubblewrap is configured but bwrap is not installed (apt-get install bubblewrap)")
        }
        return preferred
    default:
        if preferred == .none {
            logger.warning("bwrap is not installed: builds run unsandboxed as the server's user and can read \(storage.path) (apt-get install bubblewrap)")
        }
        return preferred
    }
}

/// Server builds keep their caches under `<storage>/build-cache`, by `domain/project`.
func serverBuildCache(storage: URL) -> BuildCacheStore {
    BuildCacheStore(root: storage.appendingPathComponent("build-cache"))
}
