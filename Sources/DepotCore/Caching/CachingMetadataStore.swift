import Foundation
import Synchronization

/// The metadata store as the read path sees it: the lookups every registry request makes (token, domain,
/// repository and its upstream graph, package, versions, assets, tags) answered from memory after the first time;
/// writes go to the store and are announced on the change feed, which this cache follows like any other subscriber.
///
/// A fill races with writes: a lookup that missed reads the store, and a change may land before it stores what it
/// read. Every change bumps a generation, and a fill is kept only when the generation it started at still holds,
/// so an old answer is never kept. Listings for the management API (packages, tokens, domains) are not cached:
/// they page in SQL.
public final class CachingMetadataStore: MetadataStore {
    private let store: any MetadataStore
    private let feed: any ChangeFeed
    private let state: Mutex<MetadataCacheState>

    public init(_ store: any MetadataStore, feed: any ChangeFeed, limits: MetadataCacheLimits = MetadataCacheLimits()) {
        self.store = store
        self.feed = feed
        self.state = Mutex(MetadataCacheState(limits: limits))
        feed.subscribe { [weak self] change in self?.state.withLock { $0.apply(change) } }
    }

    /// Entries held now (tests and the metrics endpoint).
    public var statistics: MetadataCacheState.Statistics { state.withLock { $0.statistics } }

    // MARK: Cached reads

    public func token(secretHash: String) async throws -> TokenRecord? {
        try await cached { $0.tokens[secretHash] } load: {
            try await self.store.token(secretHash: secretHash)
        } fill: { state, record in
            // Unknown secrets are not remembered: a flood of made-up tokens must not evict the real ones.
            if let record { state.remember(token: record, hash: secretHash) }
        }
    }

    public func domain(named name: String) async throws -> Domain? {
        try await cached { $0.domains[name] } load: {
            try await self.store.domain(named: name)
        } fill: { state, domain in
            state.remember(domain: domain, named: name)
        }
    }

    public func repository(domainID: Int64, name: String) async throws -> Repository? {
        // One domain's repositories are few and a request needs the whole upstream graph anyway.
        try await listRepositories(domainID: domainID).first { $0.name == name }
    }

    public func listRepositories(domainID: Int64) async throws -> [Repository] {
        try await cached { $0.repositories[domainID] } load: {
            try await self.store.listRepositories(domainID: domainID)
        } fill: { state, repositories in
            state.repositories[domainID] = repositories
        }
    }

    public func package(repositoryID: Int64, key: PackageKey) async throws -> Package? {
        let location = PackageLocation(repositoryID: repositoryID, key: key)
        return try await cached { $0.packages[location] } load: {
            try await self.store.package(repositoryID: repositoryID, key: key)
        } fill: { state, package in
            state.remember(package: package, at: location)
        }
    }

    public func versions(packageID: Int64) async throws -> [PackageVersion] {
        try await cached { $0.details[packageID]?.versions } load: {
            try await self.store.versions(packageID: packageID)
        } fill: { state, versions in
            state.remember(versions: versions, of: packageID)
        }
    }

    public func version(packageID: Int64, version: String) async throws -> PackageVersion? {
        _ = try await versions(packageID: packageID)
        let lookup: PackageVersion?? = state.withLock { $0.details[packageID]?.version(named: version) ?? nil }
        if let lookup { return lookup }
        // Changed or evicted meanwhile: the store answers.
        return try await store.version(packageID: packageID, version: version)
    }

    public func assets(versionID: Int64) async throws -> [Asset] {
        guard let packageID = state.withLock({ $0.versionOwners[versionID] }) else {
            return try await store.assets(versionID: versionID)
        }
        return try await assets(packageID: packageID)[versionID] ?? []
    }

    public func assets(packageID: Int64) async throws -> [Int64: [Asset]] {
        try await cached { $0.details[packageID]?.assets } load: {
            try await self.store.assets(packageID: packageID)
        } fill: { state, assets in
            state.remember(assets: assets, of: packageID)
        }
    }

    public func tags(packageID: Int64) async throws -> [String: String] {
        try await cached { $0.details[packageID]?.tags } load: {
            try await self.store.tags(packageID: packageID)
        } fill: { state, tags in
            state.remember(tags: tags, of: packageID)
        }
    }

    /// A hit from memory, or the store's answer, kept only if no change landed while it was read.
    private func cached<Value: Sendable>(
        _ hit: (borrowing MetadataCacheState) -> Value?, load: () async throws -> Value,
        fill: @escaping (inout MetadataCacheState, Value) -> Void
    ) async throws -> Value {
        let (found, generation) = state.withLock { state -> (Value?, UInt64) in
            let found = hit(state)
            if found != nil { state.hits += 1 } else { state.misses += 1 }
            return (found, state.generation)
        }
        if let found { return found }
        let loaded = try await load()
        state.withLock { state in
            guard state.generation == generation else { return }
            fill(&state, loaded)
            state.enforceLimits()
        }
        return loaded
    }

    // MARK: Pass-through reads (management API listings, the collector)

    public func listDomains(names: [String]?, page: PageRequest) async throws -> Page<Domain> {
        try await store.listDomains(names: names, page: page)
    }
    public func listRepositories(_ filter: RepositoryFilter, page: PageRequest) async throws -> Page<ListedRepository> {
        try await store.listRepositories(filter, page: page)
    }
    public func resourceTags(of resource: TaggedResource) async throws -> [ResourceTag] { try await store.resourceTags(of: resource) }
    public func token(id: String) async throws -> TokenRecord? { try await store.token(id: id) }
    public func listTokens(domain: String?, page: PageRequest) async throws -> Page<TokenRecord> {
        try await store.listTokens(domain: domain, page: page)
    }
    public func listPackages(repositoryID: Int64, filter: PackageFilter, page: PageRequest) async throws -> Page<PackageSummary> {
        try await store.listPackages(repositoryID: repositoryID, filter: filter, page: page)
    }
    public func searchPackages(repositoryID: Int64, filter: PackageFilter, offset: Int, limit: Int) async throws -> PackageSearchResults {
        try await store.searchPackages(repositoryID: repositoryID, filter: filter, offset: offset, limit: limit)
    }
    public func listVersions(
        packageID: Int64, status: VersionStatus?, origin: OriginType?, page: PageRequest
    ) async throws -> Page<PackageVersion> {
        try await store.listVersions(packageID: packageID, status: status, origin: origin, page: page)
    }
    public func isBlobReferenced(sha256: String) async throws -> Bool { try await store.isBlobReferenced(sha256: sha256) }

    // A version's properties are read when it is copied, not per request: not cached.
    public func properties(versionID: Int64) async throws -> [VersionProperty] { try await store.properties(versionID: versionID) }

    /// Cached: the upstream path asks it for every external package (is a twin of this name held here?).
    public func packages(repositoryID: Int64, withProperty property: VersionProperty, limit: Int) async throws -> [Package] {
        let lookup = MetadataCacheState.PropertyLookup(repositoryID: repositoryID, property: property, limit: limit)
        return try await cached { $0.propertyMatches[lookup] } load: {
            try await self.store.packages(repositoryID: repositoryID, withProperty: property, limit: limit)
        } fill: { state, packages in
            state.propertyMatches[lookup] = packages
        }
    }

    // MARK: Writes, each announced on the feed (also when it fails: a spurious invalidation costs one reload)

    public func createDomain(name: String, at date: Date) async throws -> Domain {
        defer { feed.publish(.domains) }
        return try await store.createDomain(name: name, at: date)
    }

    @discardableResult public func deleteDomain(id: Int64) async throws -> [String] {
        defer { feed.publish(.domains) }
        return try await store.deleteDomain(id: id)
    }

    public func createRepository(_ repository: Repository) async throws -> Repository {
        let created = try await store.createRepository(repository)
        feed.publish(.repository(domainID: created.domainID, repositoryID: created.id))
        return created
    }

    public func updateRepository(_ repository: Repository) async throws -> Repository {
        defer { feed.publish(.repository(domainID: repository.domainID, repositoryID: repository.id)) }
        return try await store.updateRepository(repository)
    }

    public func deleteRepository(id: Int64) async throws -> [Asset] {
        defer { feed.publish(.repository(domainID: nil, repositoryID: id)) }
        return try await store.deleteRepository(id: id)
    }

    public func insertToken(_ record: TokenRecord, secretHash: String) async throws {
        // Nothing to announce: unknown secrets are never cached.
        try await store.insertToken(record, secretHash: secretHash)
    }

    public func revokeToken(id: String, domain: String?, at date: Date) async throws -> Bool {
        defer { feed.publish(.tokensRevoked) }
        return try await store.revokeToken(id: id, domain: domain, at: date)
    }

    public func publish(repositoryID: Int64, _ new: NewVersion, defaultControls: OriginControls) async throws -> PublishOutcome {
        let location = PackageLocation(repositoryID: repositoryID, key: new.key)
        let outcome: PublishOutcome
        do {
            outcome = try await store.publish(repositoryID: repositoryID, new, defaultControls: defaultControls)
        } catch {
            feed.publish(.package(packageID: nil, location: location))
            throw error
        }
        if case .created(let version) = outcome { feed.publish(.package(packageID: version.packageID, location: location)) }
        return outcome
    }

    public func ensurePackage(repositoryID: Int64, key: PackageKey, controls: OriginControls) async throws -> Package {
        defer { feed.publish(.package(packageID: nil, location: PackageLocation(repositoryID: repositoryID, key: key))) }
        return try await store.ensurePackage(repositoryID: repositoryID, key: key, controls: controls)
    }

    public func setVersionStatus(packageID: Int64, version: String, status: VersionStatus) async throws {
        defer { changed(packageID) }
        try await store.setVersionStatus(packageID: packageID, version: version, status: status)
    }

    public func updateVersionMetadata(
        packageID: Int64, version: String, _ transform: @escaping @Sendable (Data) throws -> Data
    ) async throws -> Data {
        defer { changed(packageID) }
        return try await store.updateVersionMetadata(packageID: packageID, version: version, transform)
    }

    public func deleteVersion(packageID: Int64, version: String) async throws -> [Asset] {
        defer { changed(packageID) }
        return try await store.deleteVersion(packageID: packageID, version: version)
    }

    public func disposeVersion(packageID: Int64, version: String) async throws -> [Asset] {
        defer { changed(packageID) }
        return try await store.disposeVersion(packageID: packageID, version: version)
    }

    public func deletePackage(packageID: Int64) async throws -> [Asset] {
        defer { changed(packageID) }
        return try await store.deletePackage(packageID: packageID)
    }

    public func setTag(packageID: Int64, tag: String, version: String) async throws {
        defer { changed(packageID) }
        try await store.setTag(packageID: packageID, tag: tag, version: version)
    }

    public func removeTag(packageID: Int64, tag: String) async throws {
        defer { changed(packageID) }
        try await store.removeTag(packageID: packageID, tag: tag)
    }

    public func setOriginControls(packageID: Int64, _ controls: OriginControls) async throws {
        defer { changed(packageID) }
        try await store.setOriginControls(packageID: packageID, controls)
    }

    public func tagResource(_ resource: TaggedResource, with tags: [ResourceTag]) async throws {
        defer { feed.publish(.resourceTags(resource)) }
        try await store.tagResource(resource, with: tags)
    }

    public func untagResource(_ resource: TaggedResource, keys: [String]) async throws {
        defer { feed.publish(.resourceTags(resource)) }
        try await store.untagResource(resource, keys: keys)
    }

    private func changed(_ packageID: Int64) {
        feed.publish(.package(packageID: packageID, location: nil))
    }
}
