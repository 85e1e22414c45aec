import DepotAWS
import DepotCargo
import DepotCore
import DepotHTTP
import DepotMaven
import DepotNPM
import DepotPyPI
import DepotStorage
import DepotSwiftRegistry
import Foundation
import Hummingbird
import Logging
import NIOCore
import Prometheus

/// The assembled server: stores, services and routes, built from a configuration.
public struct DepotServerParts {
    public let access: AccessService
    public let repositories: RepositoryService
    public let packages: PackageService
    public let metrics: PrometheusCollectorRegistry
    public let router: Router<DepotRequestContext>
    /// Runs alongside the server: stops running builds on shutdown.
    let buildShutdown: BuildShutdownService
    /// Deletes blobs a crash left without a record, in the background after start.
    let orphanSweep: OrphanBlobSweep
    /// Writes the access log's lines off the request path.
    let accessLog: AccessLogWriter
    /// Repeatable answers, given again by the connection itself until the next change.
    let edgeCache: EdgeCache
}

/// The formats this server speaks, the CLI configures and builds are wired for: one line per format module.
public func registeredFormats() -> FormatModules {
    FormatModules([
        NpmModule.registration,
        PyPIModule.registration,
        MavenModule.registration,
        SwiftRegistryModule.registration,
        CargoModule.registration,
    ])
}

/// Opens storage (creating it, running migrations, minting the bootstrap token on first start) and wires everything.
public func buildServerParts(configuration: DepotConfiguration, logger: Logger) throws -> DepotServerParts {
    let storage = URL(fileURLWithPath: configuration.storagePath, isDirectory: true).standardizedFileURL
    try StorageDirectory.prepare(storage)
    let databasePath = storage.appendingPathComponent("depot.sqlite").path
    let database = try SQLiteMetadataStore(path: databasePath)
    StorageDirectory.restrictDatabase(at: databasePath)
    // Registry reads are answered from memory; every write is announced on the feed the cache follows.
    let changes = InProcessChangeFeed()
    let store = CachingMetadataStore(database, feed: changes)
    // Small blobs' bytes stay in memory for downloads; deleting a blob (the collector) drops them.
    let blobCache = BlobMemoryCache(budget: configuration.blobCacheSize)
    let blobs = blobCache.evictingOnDelete(try FileSystemBlobStore(directory: storage))
    let downloads = BlobDownloads(blobs: blobs, cache: blobCache)
    let access = AccessService(
        store: store, defaultLifetime: configuration.defaultTokenLifetime, maxLifetime: configuration.maxTokenLifetime)
    let collector = BlobCollector(store: store, blobs: blobs, logger: logger)
    let repositories = RepositoryService(
        store: store, collector: collector, externalConnections: Set(configuration.externalConnections.keys))
    let modules = registeredFormats()
    let formats = modules.registry
    let packages = PackageService(store: store, blobs: blobs, collector: collector, formats: formats)
    let metrics = PrometheusCollectorRegistry()
    let baseURL = PublicBaseURL(configured: configuration.publicURL, scheme: configuration.tlsCertificatePath == nil ? "http" : "https")
    let upstreams = try makeUpstreamService(
        configuration: configuration, store: store, documents: database, packages: packages, formats: modules.upstreams,
        metrics: metrics, logger: logger)

    let router = Router(context: DepotRequestContext.self)
    let accessLog = configuration.writesAccessLog ? AccessLog() : nil
    let edgeCache = EdgeCache(
        budget: configuration.edgeCacheSize, feed: changes, metrics: metrics, accessLog: accessLog,
        trustedProxies: configuration.trustedProxies)
    router.add(middleware: EdgeMiddleware(metrics: metrics, logger: logger, accessLog: accessLog, edgeCache: edgeCache) { path in
        path.hasPrefix("/api/") ? .api : modules.errorStyle(path: path, fallback: .registry)
    })
    router.add(middleware: ExpectationMiddleware())
    // Forwarded host and scheme only from configured proxies: they become the URLs in served documents.
    router.add(middleware: ForwardedHeadersMiddleware(trustedProxies: configuration.trustedProxies))
    router.add(middleware: InputLimitsMiddleware(limits: configuration.inputLimits))
    router.add(middleware: MetricsTokenMiddleware(token: configuration.metricsToken))
    router.add(middleware: AuthenticationMiddleware(access: access))
    // Every route asks this one policy; `routePermissions` declares what each needs.
    let policy = AuthorizationPolicy()
    OperationsController(metrics: metrics).addRoutes(to: router)
    let api = router.group("api/v1")
    RepositoryController(
        repositories: repositories, policy: policy, formats: formats, baseURL: baseURL, upstreams: upstreams
    ).addRoutes(to: api)
    let awsKeys = try AWSAccessKeys.loadingKey(from: storage.appendingPathComponent("aws-access-keys.key"))
    TokenController(access: access, policy: policy, awsKeys: awsKeys).addRoutes(to: api)
    PackageController(repositories: repositories, packages: packages, policy: policy, formats: formats).addRoutes(to: api)
    let buildShutdown = try addBuildRoutes(
        to: api, store: database, blobs: blobs, collector: collector, storage: storage, configuration: configuration, access: access,
        policy: policy, repositories: repositories, baseURL: baseURL, logger: logger)
    let pipelines = try addPipelineRoutes(
        to: api, store: database, builds: buildShutdown.builds, blobs: blobs, collector: collector, repositories: repositories,
        packages: packages, formats: formats, configuration: configuration, policy: policy, baseURL: baseURL, storage: storage, logger: logger)
    DomainController(repositories: repositories, policy: policy, buildCache: serverBuildCache(storage: storage), pipelines: pipelines)
        .addRoutes(to: api)
    let services = FormatServices(
        repositories: RepositoryAccess(repositories: repositories, policy: policy), packages: packages, upstreams: upstreams,
        access: access, baseURL: baseURL, maxUploadSize: configuration.maxUploadSize, limits: configuration.inputLimits,
        downloads: downloads, changes: changes)
    for module in modules.all { module.addRoutes(router, services) }
    AWSControlPlane(
        repositories: repositories, packages: packages, access: access, policy: policy, modules: modules.all, baseURL: baseURL,
        keys: awsKeys, accountID: configuration.awsAccountID, buildStore: database, builds: buildShutdown.builds
    ).addRoutes(to: router)
    try ConsoleController(access: access, repositories: repositories, packages: packages, upstreams: upstreams, policy: policy, modules: modules, baseURL: baseURL, configuration: configuration, buildLog: ConsoleBuildLog(store: database, blobs: blobs, builds: buildShutdown.builds), pipelines: pipelines).addRoutes(to: router)
    return DepotServerParts(access: access, repositories: repositories, packages: packages, metrics: metrics, router: router,
        buildShutdown: buildShutdown, orphanSweep: OrphanBlobSweep(collector: collector, logger: logger),
        accessLog: AccessLogWriter(log: accessLog), edgeCache: edgeCache)
}

/// The upstream proxy: external connection URLs from configuration, one HTTP client, the metadata cache.
func makeUpstreamService(
    configuration: DepotConfiguration, store: any MetadataStore, documents: any UpstreamDocumentStore, packages: PackageService,
    formats: [any UpstreamFormat], metrics registry: PrometheusCollectorRegistry, logger: Logger
) throws -> UpstreamService {
    let connections = try configuration.externalConnections.sorted(by: { $0.key < $1.key }).map { name, url in
        guard let base = URL(string: url) else {
            throw ConfigurationError(key: "externalConnections.\(name)", "'\(url)' is not a URL")
        }
        return ExternalConnection(name: name, baseURL: base, extraHosts: configuration.upstreamAllowedHosts[name] ?? [])
    }
    let http = AsyncUpstreamHTTPClient(
        timeout: configuration.upstreamTimeout, allowPrivateAddresses: configuration.upstreamAllowPrivateAddresses, logger: logger)
    let metrics = PrometheusUpstreamMetrics(registry: registry)
    let cache = UpstreamMetadataCache(
        store: documents, http: http, metrics: metrics, ttl: configuration.metadataTTL, logger: logger)
    return UpstreamService(
        store: store, packages: packages, cache: cache, http: http, metrics: metrics,
        formats: formats, connections: connections,
        maxAssetSize: configuration.maxUploadSize, logger: logger)
}

/// Writes `<storage>/admin.token` (mode 0600) with a new all-domain admin token when the file does not exist.
/// The value is never logged; the log names the file.
public func ensureBootstrapToken(configuration: DepotConfiguration, access: AccessService, logger: Logger) async throws {
    let path = URL(fileURLWithPath: configuration.storagePath).appendingPathComponent("admin.token").path
    guard !FileManager.default.fileExists(atPath: path) else { return }
    let secret = try await access.createBootstrapToken()
    guard try SecretFile.create(atPath: path, contents: Data((secret + "\n").utf8)) else { return }
    logger.notice("created the bootstrap admin token in \(path)")
}

/// The whole server as a Hummingbird application (what `depot serve` runs and tests start).
public func buildApplication(configuration: DepotConfiguration, logger: Logger) async throws -> some ApplicationProtocol {
    // Certificate problems stop start-up before storage is touched.
    let transport = try ServerTransport(configuration: configuration)
    let parts = try buildServerParts(configuration: configuration, logger: logger)
    try await ensureBootstrapToken(configuration: configuration, access: parts.access, logger: logger)
    let host = configuration.host
    if let warning = transport.cleartextWarning(host: host) { logger.warning("\(warning)") }
    let scheme = transport.scheme
    let http1 = limitedHTTP1Configuration(
        limits: configuration.connectionLimits, counter: connectionCounter(limits: configuration.connectionLimits, logger: logger))
    return Application(
        router: parts.router,
        server: try transport.server(
            http1: http1, edgeCache: parts.edgeCache, http2IdleTimeout: configuration.connectionLimits.idleTimeAmount),
        configuration: .init(address: .hostname(host, port: configuration.port), serverName: "Depot"),
        services: [parts.buildShutdown, parts.orphanSweep, parts.accessLog] + (await transport.services(logger: logger)),
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? configuration.port
            let shownHost = host.contains(":") ? "[\(host)]" : host
            logger.notice("Depot ready at \(scheme)://\(shownHost):\(port)/")
        },
        logger: logger)
}
