import Foundation
import Logging

/// Resolution through the repository graph, format-neutral: a repository's own versions, then its upstream
/// repositories' in order (each visited once, stopping where a package's origin controls block upstreams),
/// then external connections. Fetched versions are recorded in every repository on the way back.
public struct UpstreamService: Sendable {
    let store: any MetadataStore
    let packages: PackageService
    let cache: UpstreamMetadataCache
    let http: any UpstreamHTTPClient
    let metrics: any UpstreamMetrics
    let formats: [String: any UpstreamFormat]
    let connections: [String: ExternalConnection]
    let maxAssetSize: Int
    let logger: Logger
    private let parsed = TaggedCache<UpstreamPackage>()
    /// Package views by asking repository, key and visibility, tagged with the fingerprint they were built from.
    private let views = TaggedCache<PackageView>()
    private let downloads = SingleFlight<Bool>()

    public init(
        store: any MetadataStore, packages: PackageService, cache: UpstreamMetadataCache, http: any UpstreamHTTPClient,
        metrics: any UpstreamMetrics, formats: [any UpstreamFormat], connections: [ExternalConnection], maxAssetSize: Int,
        logger: Logger
    ) {
        self.store = store
        self.packages = packages
        self.cache = cache
        self.http = http
        self.metrics = metrics
        self.formats = Dictionary(uniqueKeysWithValues: formats.map { ($0.formatID, $0) })
        self.connections = Dictionary(uniqueKeysWithValues: connections.map { ($0.name, $0) })
        self.maxAssetSize = maxAssetSize
        self.logger = logger
    }

    // MARK: Where a package can come from

    /// A repository holding the package, with the path from the asking repository to it (both included).
    struct StoredSource {
        var path: [Repository]
        var package: Package
    }

    /// An external connection reachable for the package, with the path to the repository that has it.
    struct ExternalSource {
        var path: [Repository]
        var connection: ExternalConnection
    }

    func sources(of key: PackageKey, from repository: Repository) async throws -> ([StoredSource], [ExternalSource]) {
        let all = try await store.listRepositories(domainID: repository.domainID)
        let byName = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
        var stored: [StoredSource] = []
        var external: [ExternalSource] = []
        var visited: Set<String> = []
        func visit(_ repo: Repository, path: [Repository]) async throws {
            guard visited.insert(repo.name).inserted else { return }
            let path = path + [repo]
            if let package = try await store.package(repositoryID: repo.id, key: key) {
                stored.append(StoredSource(path: path, package: package))
                // The dependency-confusion defence: a package that blocks upstreams never sees them.
                if package.originControls.upstream == .block { return }
            }
            for name in repo.upstreams {
                if let upstream = byName[name] { try await visit(upstream, path: path) }
            }
            if let name = repo.externalConnection, let connection = connections[name],
                formats[key.format]?.connectionName == name,
                !external.contains(where: { $0.connection.name == name })
            {
                external.append(ExternalSource(path: path, connection: connection))
            }
        }
        try await visit(repository, path: [])
        // A name that blocks upstreams anywhere on the search path is internal: no external connection reached
        // through another upstream (a diamond) may serve it either.
        if stored.contains(where: { $0.package.originControls.upstream == .block }) { external = [] }
        // A twin of a name the search path holds (crates.io's `-`/`_`: one crate to cargo and rustc) is that package
        // to its users: asking for the other spelling must not fetch a stranger's crate from outside.
        if !external.isEmpty, let identity = packages.identity(of: key) {
            for name in visited {
                guard let repo = byName[name] else { continue }
                let twins = try await store.packages(repositoryID: repo.id, withProperty: identity, limit: 2)
                if twins.contains(where: { $0.key != key }) { external = [] }
            }
        }
        return (stored, external)
    }

    // MARK: Reads

    /// The package as `repository` sees it. `includeLocalHidden` keeps the asking repository's unlisted
    /// (and unfinished) versions (npm's `?write=true`); upstream repositories contribute listed versions only.
    public func view(of key: PackageKey, from repository: Repository, includeLocalHidden: Bool = false) async throws -> PackageView {
        let (stored, external) = try await sources(of: key, from: repository)
        var offers: [(source: ExternalSource, offer: Result<(UpstreamPackage, String)?, DepotError>)] = []
        for source in external {
            do {
                offers.append((source, .success(try await upstreamPackage(key, at: source.connection))))
            } catch let error as DepotError {
                offers.append((source, .failure(error)))
            }
        }
        // Everything the view is made of, by revision: a warm request rebuilds nothing.
        let fingerprint = (stored.map { "\($0.package.id):\($0.package.revision)" } + offers.map { source, offer in
            switch offer {
            case .success(let found): found?.1 ?? "\(source.connection.name)@none"
            case .failure: "\(source.connection.name)@failed"
            }
        }).joined(separator: ",")
        let cacheKey = "\(repository.id)|\(key)|\(includeLocalHidden)"
        var view: PackageView
        if let hit = views.lookup(cacheKey, tag: fingerprint) {
            view = hit
        } else {
            view = try await buildView(of: key, stored: stored, offers: offers, includeLocalHidden: includeLocalHidden, fingerprint: fingerprint)
            views.store(cacheKey, tag: fingerprint, package: view, cost: view.entries.reduce(256) { $0 + $1.metadata.count + 128 })
        }
        view.consultsExternal = !external.isEmpty
        return view
    }

    private func buildView(
        of key: PackageKey, stored: [StoredSource], offers: [(source: ExternalSource, offer: Result<(UpstreamPackage, String)?, DepotError>)],
        includeLocalHidden: Bool, fingerprint: String
    ) async throws -> PackageView {
        var entries: [PackageView.Entry] = []
        var seen: Set<String> = []
        var tags: [String: String] = [:]
        var local: Package?
        for source in stored {
            let isLocal = source.path.count == 1
            if isLocal { local = source.package }
            for version in try await store.versions(packageID: source.package.id) {
                // Any stored version, shown or not, shadows farther copies of it: an archived or disposed
                // version must not come back as the upstream's published one.
                guard seen.insert(version.version).inserted else { continue }
                let visible = isLocal && includeLocalHidden ? version.status != .disposed : version.status.isListed
                guard visible else { continue }
                entries.append(.init(
                    version: version.version, status: version.status, publishedAt: version.publishedAt, summary: version.summary,
                    metadata: version.metadata, source: .stored(repository: source.path.last!.name, version), isLocal: isLocal))
            }
            for (tag, version) in try await store.tags(packageID: source.package.id) where tags[tag] == nil {
                tags[tag] = version
            }
        }
        var positions = Dictionary(entries.enumerated().map { ($1.version, $0) }, uniquingKeysWith: { first, _ in first })
        for (source, offer) in offers {
            let upstream: (UpstreamPackage, String)?
            switch offer {
            case .success(let found):
                upstream = found
            case .failure(let error):
                guard !entries.isEmpty else { throw error }
                // What is stored here still installs; the upstream's newer versions will show when it is back.
                logger.warning("upstream unavailable, answering from stored versions", metadata: [
                    "connection": "\(source.connection.name)", "package": "\(key)", "error": "\(error.message)",
                ])
                upstream = nil
            }
            guard let (package, _) = upstream else { continue }
            for version in package.versions where version.isListed {
                guard seen.insert(version.version).inserted else {
                    if let index = positions[version.version], entries[index].alsoUpstream == nil {
                        entries[index].alsoUpstream = version
                    }
                    continue
                }
                positions[version.version] = entries.count
                entries.append(.init(
                    version: version.version, status: .published, publishedAt: version.publishedAt ?? Date(timeIntervalSince1970: 0),
                    summary: version.summary, metadata: version.metadata,
                    source: .upstream(connection: source.connection.name, version), isLocal: false, alsoUpstream: nil))
            }
            for (tag, version) in package.tags where tags[tag] == nil { tags[tag] = version }
        }
        let shown = Set(entries.map(\.version))
        tags = tags.filter { shown.contains($0.value) }
        return PackageView(entries: entries, tags: tags, local: local, fingerprint: fingerprint)
    }

    /// The external connection's view of a package (nil when it does not have it), with a tag that changes when
    /// the cached document does.
    func upstreamPackage(_ key: PackageKey, at connection: ExternalConnection) async throws -> (UpstreamPackage, String)? {
        guard let format = formats[key.format] else { return nil }
        let request = format.metadataRequest(for: key, base: connection.baseURL)
        let cacheKey = Self.cacheKey(connection: connection.name, key: key)
        let lookup = try await cache.document(
            connection: connection.name, cacheKey: cacheKey, url: request.url, accept: request.accept, hosts: connection.allowedHosts
        ) { body in _ = try format.parseMetadata(body, key: key, documentURL: request.url) }
        guard case .found(let document) = lookup else { return nil }
        let tag = "\(connection.name)@\(document.fetchedAt.timeIntervalSince1970)"
        if let hit = parsed.lookup(cacheKey, tag: tag) { return (hit, tag) }
        let package = try format.parseMetadata(document.body, key: key, documentURL: request.url)
        parsed.store(cacheKey, tag: tag, package: package, cost: document.body.count)
        return (package, tag)
    }

    /// The external connection's raw metadata document for a key (through the cache), for formats that merge
    /// parts the version list leaves out (Maven's group-level plugin list), with a tag that changes when the cached
    /// document does. Nil when no source has one.
    public func upstreamDocument(_ key: PackageKey, from repository: Repository) async throws -> (body: Data, tag: String)? {
        let (_, external) = try await sources(of: key, from: repository)
        for source in external {
            guard let format = formats[key.format] else { continue }
            let request = format.metadataRequest(for: key, base: source.connection.baseURL)
            let lookup = try await cache.document(
                connection: source.connection.name, cacheKey: Self.cacheKey(connection: source.connection.name, key: key),
                url: request.url, accept: request.accept, hosts: source.connection.allowedHosts
            ) { body in _ = try format.parseMetadata(body, key: key, documentURL: request.url) }
            if case .found(let document) = lookup {
                return (document.body, "\(source.connection.name)@\(document.fetchedAt.timeIntervalSince1970)")
            }
        }
        return nil
    }

    // MARK: Assets

    /// The asset `name` of `version` as the asking repository holds it, fetching it through upstream
    /// repositories or the external connection (and recording it on the way) when it is not here yet.
    /// Nil when no source has it.
    public func asset(
        named name: String, version: String, of key: PackageKey, in repository: Repository
    ) async throws -> (Package, PackageVersion, Asset)? {
        if let local = try await storedAsset(named: name, version: version, key: key, in: repository) { return local }
        let (stored, external) = try await sources(of: key, from: repository)
        for source in stored {
            guard let held = try await store.version(packageID: source.package.id, version: version) else { continue }
            // The nearest stored copy decides: an archived or disposed version is never fetched again.
            guard held.status.isDownloadable else { return nil }
            guard source.path.count > 1,
                try await copy(named: name, of: held, key: key, along: Array(source.path.dropLast()))
            else { continue }
            return try await storedAsset(named: name, version: version, key: key, in: repository)
        }
        for source in external {
            guard let format = formats[key.format] else { continue }
            let package = try await upstreamPackage(key, at: source.connection)?.0
            let upstreamVersion = package?.version(version)
            guard let asset = upstreamVersion?.assets.first(where: { $0.name == name })
                ?? format.unlistedAsset(key: key, version: version, name: name, base: source.connection.baseURL)
            else { continue }
            let offered = upstreamVersion ?? UpstreamVersion(
                version: version, publishedAt: nil, summary: nil, metadata: Data("{}".utf8), assets: [asset])
            // One download per holding repository and file; a caller that joined another's flight records
            // the now-stored copy along its own path, which the other's fetch did not cover.
            let holder = source.path.last!
            let found = try await downloads.run("\(holder.id)|\(source.connection.name)|\(asset.url.absoluteString)") {
                try await fetch(asset, of: offered, key: key, from: source, format: format)
            }
            guard found else { continue }
            if let local = try await storedAsset(named: name, version: version, key: key, in: repository) { return local }
            guard let package = try await store.package(repositoryID: holder.id, key: key),
                let held = try await store.version(packageID: package.id, version: version),
                try await copy(named: name, of: held, key: key, along: Array(source.path.dropLast()))
            else { return nil }
            return try await storedAsset(named: name, version: version, key: key, in: repository)
        }
        return nil
    }

    /// Records asset `name` of `held` (a version a repository further along holds) in every repository of
    /// `path`, nearest last. False when `held` has no such asset.
    private func copy(named name: String, of held: PackageVersion, key: PackageKey, along path: [Repository]) async throws -> Bool {
        guard let asset = try await store.assets(versionID: held.id).first(where: { $0.name == name }) else { return false }
        let new = NewVersion(
            key: key, version: held.version, status: .published, origin: held.origin, publishedAt: held.publishedAt,
            summary: held.summary, metadata: held.metadata, assets: [asset])
        try await record(new, along: path, writers: [])
        return true
    }

    private func storedAsset(
        named name: String, version: String, key: PackageKey, in repository: Repository
    ) async throws -> (Package, PackageVersion, Asset)? {
        guard let package = try await store.package(repositoryID: repository.id, key: key),
            let record = try await store.version(packageID: package.id, version: version),
            let asset = try await store.assets(versionID: record.id).first(where: { $0.name == name })
        else { return nil }
        return (package, record, asset)
    }

    /// Downloads into the blob store, checks the declared digests, and records the version along the path.
    /// False when the upstream does not have the file.
    private func fetch(
        _ asset: UpstreamAsset, of version: UpstreamVersion, key: PackageKey, from source: ExternalSource, format: any UpstreamFormat
    ) async throws -> Bool {
        let connection = source.connection.name
        let hosts = source.connection.allowedHosts
        // The metadata names the file's URL: it must not send Depot to a host the connection does not cover.
        for url in [asset.url] + (asset.checksumURL.map { [$0.url] } ?? []) where !hosts.permits(url) {
            metrics.upstreamRequest(connection: connection, kind: "asset", outcome: "refused")
            throw DepotError.upstreamHostRefused(url, connection: connection, hosts: hosts)
        }
        let writer = try packages.makeBlobWriter()
        let sink = UpstreamSink(writer: writer)
        defer { writer.discard() }
        let status: Int
        do {
            status = try await http.download(asset.url, maxBytes: maxAssetSize, hosts: hosts, into: sink)
        } catch let error as DepotError {
            metrics.upstreamRequest(connection: connection, kind: "asset", outcome: error.kind == .gatewayTimeout ? "timeout" : "error")
            throw error
        }
        metrics.upstreamRequest(connection: connection, kind: "asset", outcome: String(status))
        if status == 404 || status == 410 { return false }
        guard status == 200 else {
            throw DepotError.badGateway("\(connection) answered \(status) for \(asset.name)")
        }
        metrics.bytesFetched(connection: connection, count: sink.received)
        let digests = try writer.finish()
        var expected = asset.expected
        if expected.isEmpty, let checksum = asset.checksumURL,
            let declared = try await declaredChecksum(at: checksum.url, connection: connection, hosts: hosts)
        {
            expected[checksum.algorithm] = declared
        }
        let checked = UpstreamAsset(name: asset.name, url: asset.url, expected: expected)
        let mismatched = checked.mismatches(digests)
        guard mismatched.isEmpty else {
            throw DepotError.badGateway(
                "\(connection) sent \(asset.name) with a \(mismatched.map(\.rawValue).sorted().joined(separator: "/")) that does not match its metadata; nothing was cached",
                code: "UpstreamChecksumMismatch")
        }
        let metadata = try format.recordedMetadata(for: version, asset: asset, file: writer.localFile)
        let new = NewVersion(
            key: key, version: version.version, status: .published, origin: VersionOrigin(type: .external, repository: connection),
            publishedAt: version.publishedAt ?? Date(), summary: version.summary, metadata: metadata,
            assets: [Asset(name: asset.name, digests: digests)])
        try await record(new, along: source.path, writers: [writer])
        return true
    }

    /// A checksum sidecar's first token (`<hex>  file` or `<hex>`); nil when the upstream has none.
    private func declaredChecksum(at url: URL, connection: String, hosts: UpstreamHosts) async throws -> String? {
        let response = try await http.get(url, headers: [:], maxBytes: 4096, hosts: hosts)
        metrics.upstreamRequest(connection: connection, kind: "checksum", outcome: String(response.status))
        // Only "not there" means no checksum is declared; a refusal or outage must not let the file in unverified.
        if response.status == 404 || response.status == 410 { return nil }
        guard response.status == 200 else {
            throw DepotError.badGateway("\(connection) answered \(response.status) for \(url.lastPathComponent); nothing was cached")
        }
        let text = String(decoding: response.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let token = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).first,
            token.allSatisfy(\.isHexDigit)
        else {
            throw DepotError.badGateway("\(connection) sent a malformed checksum file \(url.lastPathComponent)", code: "UpstreamInvalid")
        }
        return token.lowercased()
    }

    /// Records `new` in the last repository of `path` (committing the downloaded blob), then in every
    /// repository before it, nearest first, as CodeArtifact keeps fetched versions in intermediate repositories.
    private func record(_ new: NewVersion, along path: [Repository], writers: [any BlobWriter]) async throws {
        var remaining = path
        guard let holder = remaining.popLast() else { return }
        _ = try await packages.ingest(new, into: holder, blobs: writers)
        for repository in remaining.reversed() {
            do {
                _ = try await packages.ingest(new, into: repository, blobs: [])
            } catch let error as DepotError where repository.id != path.first?.id {
                logger.warning("could not keep a fetched version in an intermediate repository", metadata: [
                    "repository": "\(repository.name)", "package": "\(new.key)", "error": "\(error.message)",
                ])
            }
        }
    }

    // MARK: Publishing

    /// Refuses a direct publish of a package this repository does not hold yet but can see through an
    /// upstream (the other half of the dependency-confusion defence), unless its origin controls were set
    /// to allow it. An unreachable external connection does not block publishing.
    public func ensurePublishable(_ key: PackageKey, to repository: Repository) async throws {
        if try await store.package(repositoryID: repository.id, key: key) != nil { return }
        let (stored, external) = try await sources(of: key, from: repository)
        for source in stored where source.path.count > 1 {
            if try await !store.versions(packageID: source.package.id).isEmpty {
                throw Self.publishBlocked(key, repository: repository, source: "upstream repository '\(source.path.last!.name)'")
            }
        }
        for source in external {
            do {
                if let (package, _) = try await upstreamPackage(key, at: source.connection), !package.versions.isEmpty {
                    throw Self.publishBlocked(key, repository: repository, source: source.connection.name)
                }
            } catch let error as DepotError where error.kind == .badGateway || error.kind == .gatewayTimeout {
                logger.warning("could not check the upstream before a publish", metadata: [
                    "connection": "\(source.connection.name)", "package": "\(key)", "error": "\(error.message)",
                ])
            }
        }
    }

    static func publishBlocked(_ key: PackageKey, repository: Repository, source: String) -> DepotError {
        DepotError(
            .forbidden, code: "PublishBlocked",
            "\(key) is available from \(source), so publishing it to '\(repository.name)' is blocked (dependency-confusion defence); "
                + "to publish it here anyway set its origin controls: depot package origin --publish ALLOW --upstream BLOCK")
    }

    // MARK: Forwarding (npm audit)

    /// The first external connection of `format` reachable from the repository through its upstreams.
    public func externalConnection(for format: String, from repository: Repository) async throws -> ExternalConnection? {
        guard let name = formats[format]?.connectionName else { return nil }
        let all = try await store.listRepositories(domainID: repository.domainID)
        let byName = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
        let order = RepositoryGraph(repositories: all).searchOrder(from: repository.name)
        guard order.contains(where: { byName[$0]?.externalConnection == name }) else { return nil }
        return connections[name]
    }

    /// True when the package is ours: some repository on the search path holds it with upstreams blocked
    /// or has versions published directly (its name must not be sent to a public service).
    public func isInternal(_ key: PackageKey, from repository: Repository) async throws -> Bool {
        let (stored, _) = try await sources(of: key, from: repository)
        for source in stored {
            if source.package.originControls.upstream == .block { return true }
            if try await store.versions(packageID: source.package.id).contains(where: { $0.origin.type == .internal }) { return true }
        }
        return false
    }

    /// POSTs a document to a path below an external connection's configured URL (never a URL from the request);
    /// the caller's credentials are not part of it.
    public func post(
        _ body: Data, path: String, contentType: String, to connection: ExternalConnection, maxBytes: Int = 16 << 20
    ) async throws -> UpstreamResponse {
        let root = connection.baseURL.absoluteString.hasSuffix("/") ? connection.baseURL.absoluteString : connection.baseURL.absoluteString + "/"
        guard let url = URL(string: root + path) else {
            throw DepotError.badRequest("invalid upstream path", code: "InvalidPath")
        }
        let response = try await http.post(
            url, headers: ["Content-Type": contentType, "Accept": "application/json"], body: body, maxBytes: maxBytes,
            hosts: connection.allowedHosts)
        metrics.upstreamRequest(connection: connection.name, kind: "forward", outcome: String(response.status))
        return response
    }

    /// The upstream documents cached for the repository's connection (operations), limited to packages its
    /// domain holds: the cache is shared by all domains, and the names others looked up are not this one's to see.
    /// Pages in key order; at most `cacheScanBudget` documents are examined per page, so a domain holding few of
    /// a large cache's packages gets short pages (each with a `next`) rather than one long scan.
    public func cachedDocuments(for repository: Repository, page: PageRequest) async throws -> Page<CachedUpstreamDocument> {
        guard let connection = repository.externalConnection else { return Page(items: [], next: nil) }
        let prefix = "\(connection)|"
        var after = try page.after.map { cursor in
            let key = try cursor.keys(of: Self.cacheListing, count: 1)[0]
            guard key.hasPrefix(prefix) else { throw PageCursor.invalid }
            return key
        }
        let members = try await store.listRepositories(domainID: repository.domainID)
        func isHeld(_ document: CachedUpstreamDocument) async throws -> Bool {
            guard let key = Self.packageKey(inCacheKey: document.cacheKey, connection: connection) else { return false }
            for member in members where try await store.package(repositoryID: member.id, key: key) != nil { return true }
            return false
        }
        var held: [CachedUpstreamDocument] = []
        var examined = 0
        while examined < Self.cacheScanBudget {
            let batch = try await cache.store.listUpstreamDocuments(prefix: prefix, after: after, limit: page.fetchLimit)
            for document in batch {
                examined += 1
                after = document.cacheKey
                guard try await isHeld(document) else { continue }
                held.append(document)
                if held.count == page.fetchLimit { return Page(fetched: held, for: page, cursor: Self.cacheCursor) }
            }
            if batch.count < page.fetchLimit { return Page(items: held, next: nil) }
        }
        return Page(items: held, next: after.map { PageCursor(listing: Self.cacheListing, keys: [$0]) })
    }

    /// How many cached documents one page of `cachedDocuments` examines at most.
    static let cacheScanBudget = 5000
    private static let cacheListing = "upstream-cache"

    private static func cacheCursor(_ document: CachedUpstreamDocument) -> PageCursor {
        PageCursor(listing: cacheListing, keys: [document.cacheKey])
    }

    /// The key of a package's cached upstream document: `<connection>|<format>:<namespace>/<name>`.
    static func cacheKey(connection: String, key: PackageKey) -> String { "\(connection)|\(key)" }

    /// The package a cache key names, nil when it is not a key of `connection`.
    static func packageKey(inCacheKey cacheKey: String, connection: String) -> PackageKey? {
        let prefix = "\(connection)|"
        guard cacheKey.hasPrefix(prefix) else { return nil }
        let described = cacheKey.dropFirst(prefix.count)
        guard let colon = described.firstIndex(of: ":") else { return nil }
        let path = described[described.index(after: colon)...]
        let slash = path.firstIndex(of: "/")
        let key = PackageKey(
            format: String(described[..<colon]), namespace: slash.map { String(path[..<$0]) } ?? "",
            name: slash.map { String(path[path.index(after: $0)...]) } ?? String(path))
        return cacheKey == Self.cacheKey(connection: connection, key: key) ? key : nil
    }
}

/// Values derived from something that changes, tagged with what they were derived from: parsed upstream documents
/// (decoded once per fetch rather than once per request) and package views (built once per change).
final class TaggedCache<Value: Sendable>: Sendable {
    /// Bounded by the size of what they were derived from (a parsed packument weighs about as much as its JSON).
    private let entries = CostBoundedCache<(tag: String, value: Value)>(budget: 64 << 20)

    func lookup(_ key: String, tag: String) -> Value? {
        entries.value(forKey: key).flatMap { $0.tag == tag ? $0.value : nil }
    }

    func store(_ key: String, tag: String, package: Value, cost: Int) {
        entries.set((tag, package), forKey: key, cost: cost)
    }
}
