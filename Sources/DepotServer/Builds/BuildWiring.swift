import DepotBuild
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
    storage: URL, configuration: DepotConfiguration, access: AccessService, repositories: RepositoryService,
    baseURL: PublicBaseURL, logger: Logger
) throws -> BuildShutdownService {
    let cipher = try SecretCipher.loadingKey(from: storage.appendingPathComponent("build-secrets.key"))
    let executor = BuildExecutor(
        tokenIssuer: ServerBuildTokenIssuer(access: access, maxLifetimeSeconds: Int(configuration.maxTokenLifetime)),
        cacheStore: BuildCacheStore(root: storage.appendingPathComponent("build-cache")))
    let service = BuildService(
        store: store, keeper: BuildBlobKeeper(blobs: blobs, store: store, collector: collector), executor: executor, cipher: cipher, root: storage.appendingPathComponent("builds"),
        concurrency: configuration.buildConcurrency, timeoutSeconds: Int(configuration.buildTimeout), logger: logger)
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
    BuildController(store: store, builds: service, blobs: blobs, repositories: repositories, access: access, baseURL: baseURL).addRoutes(to: api)
    SecretController(store: store, cipher: cipher, access: access).addRoutes(to: api)
    return BuildShutdownService(builds: service)
}
