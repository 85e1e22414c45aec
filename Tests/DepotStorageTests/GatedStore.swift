import DepotCore
import DepotStorage
import Foundation
import Logging

/// A one-shot signal: `wait()` returns once `signal()` has been called (before or after).
final class Signal: @unchecked Sendable {
    private let lock = NSLock()
    private var signalled = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    var isSignalled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return signalled
    }

    func signal() {
        lock.lock()
        signalled = true
        let waiting = waiters
        waiters = []
        lock.unlock()
        waiting.forEach { $0.resume() }
    }

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if signalled {
                lock.unlock()
                continuation.resume()
            } else {
                waiters.append(continuation)
                lock.unlock()
            }
        }
    }
}

/// Forwards to a real store, but can hold a `publish` of a given version until released, to force interleavings.
final class GatedStore: MetadataStore, @unchecked Sendable {
    struct Gate {
        let arrived = Signal()
        let release = Signal()
    }

    let inner: any MetadataStore
    private let lock = NSLock()
    private var gates: [String: Gate] = [:]
    private var lookupGate: Gate?

    init(inner: any MetadataStore) { self.inner = inner }

    /// Publishes of `version` will stop before reaching the store until the gate's `release` is signalled.
    func gate(version: String) -> Gate {
        lock.lock()
        defer { lock.unlock() }
        let gate = Gate()
        gates[version] = gate
        return gate
    }

    /// The next package lookup stops once it has read its answer, until the gate's `release` is signalled
    /// (so a check made on that answer is stale by the time it is acted on).
    func gateNextPackageLookup() -> Gate {
        lock.withLock {
            let gate = Gate()
            lookupGate = gate
            return gate
        }
    }

    private func gate(for version: String) -> Gate? {
        lock.lock()
        defer { lock.unlock() }
        return gates[version]
    }

    func publish(repositoryID: Int64, _ new: NewVersion, defaultControls: OriginControls) async throws -> PublishOutcome {
        if let gate = gate(for: new.version) {
            gate.arrived.signal()
            await gate.release.wait()
        }
        return try await inner.publish(repositoryID: repositoryID, new, defaultControls: defaultControls)
    }

    func createDomain(name: String, at date: Date) async throws -> Domain { try await inner.createDomain(name: name, at: date) }
    func domain(named name: String) async throws -> Domain? { try await inner.domain(named: name) }
    func listDomains(names: [String]?, page: PageRequest) async throws -> Page<Domain> {
        try await inner.listDomains(names: names, page: page)
    }
    func deleteDomain(id: Int64) async throws -> [String] { try await inner.deleteDomain(id: id) }
    func createRepository(_ repository: Repository) async throws -> Repository { try await inner.createRepository(repository) }
    func repository(domainID: Int64, name: String) async throws -> Repository? {
        try await inner.repository(domainID: domainID, name: name)
    }
    func listRepositories(domainID: Int64) async throws -> [Repository] { try await inner.listRepositories(domainID: domainID) }
    func listRepositories(_ filter: RepositoryFilter, page: PageRequest) async throws -> Page<ListedRepository> {
        try await inner.listRepositories(filter, page: page)
    }
    func resourceTags(of resource: TaggedResource) async throws -> [ResourceTag] { try await inner.resourceTags(of: resource) }
    func tagResource(_ resource: TaggedResource, with tags: [ResourceTag]) async throws { try await inner.tagResource(resource, with: tags) }
    func untagResource(_ resource: TaggedResource, keys: [String]) async throws { try await inner.untagResource(resource, keys: keys) }
    func updateRepository(_ repository: Repository) async throws -> Repository { try await inner.updateRepository(repository) }
    func deleteRepository(id: Int64) async throws -> [Asset] { try await inner.deleteRepository(id: id) }
    func insertToken(_ record: TokenRecord, secretHash: String) async throws { try await inner.insertToken(record, secretHash: secretHash) }
    func token(secretHash: String) async throws -> TokenRecord? { try await inner.token(secretHash: secretHash) }
    func token(id: String) async throws -> TokenRecord? { try await inner.token(id: id) }
    func listTokens(domain: String?, page: PageRequest) async throws -> Page<TokenRecord> {
        try await inner.listTokens(domain: domain, page: page)
    }
    func revokeToken(id: String, domain: String?, at date: Date) async throws -> Bool {
        try await inner.revokeToken(id: id, domain: domain, at: date)
    }
    func package(repositoryID: Int64, key: PackageKey) async throws -> Package? {
        let found = try await inner.package(repositoryID: repositoryID, key: key)
        let gate: Gate? = lock.withLock {
            defer { lookupGate = nil }
            return lookupGate
        }
        if let gate {
            gate.arrived.signal()
            await gate.release.wait()
        }
        return found
    }
    func listPackages(repositoryID: Int64, filter: PackageFilter, page: PageRequest) async throws -> Page<PackageSummary> {
        try await inner.listPackages(repositoryID: repositoryID, filter: filter, page: page)
    }
    func searchPackages(repositoryID: Int64, filter: PackageFilter, offset: Int, limit: Int) async throws -> PackageSearchResults {
        try await inner.searchPackages(repositoryID: repositoryID, filter: filter, offset: offset, limit: limit)
    }
    func listVersions(packageID: Int64, status: VersionStatus?, origin: OriginType?, page: PageRequest) async throws -> Page<PackageVersion> {
        try await inner.listVersions(packageID: packageID, status: status, origin: origin, page: page)
    }
    func versions(packageID: Int64) async throws -> [PackageVersion] { try await inner.versions(packageID: packageID) }
    func version(packageID: Int64, version: String) async throws -> PackageVersion? {
        try await inner.version(packageID: packageID, version: version)
    }
    func assets(versionID: Int64) async throws -> [Asset] { try await inner.assets(versionID: versionID) }
    func assets(packageID: Int64) async throws -> [Int64: [Asset]] { try await inner.assets(packageID: packageID) }
    func tags(packageID: Int64) async throws -> [String: String] { try await inner.tags(packageID: packageID) }
    func isBlobReferenced(sha256: String) async throws -> Bool { try await inner.isBlobReferenced(sha256: sha256) }
    func properties(versionID: Int64) async throws -> [VersionProperty] { try await inner.properties(versionID: versionID) }
    func packages(repositoryID: Int64, withProperty property: VersionProperty, limit: Int) async throws -> [Package] {
        try await inner.packages(repositoryID: repositoryID, withProperty: property, limit: limit)
    }
    func setVersionStatus(packageID: Int64, version: String, status: VersionStatus) async throws {
        try await inner.setVersionStatus(packageID: packageID, version: version, status: status)
    }
    func updateVersionMetadata(packageID: Int64, version: String, _ transform: @escaping @Sendable (Data) throws -> Data) async throws -> Data {
        try await inner.updateVersionMetadata(packageID: packageID, version: version, transform)
    }
    func deleteVersion(packageID: Int64, version: String) async throws -> [Asset] {
        try await inner.deleteVersion(packageID: packageID, version: version)
    }
    func disposeVersion(packageID: Int64, version: String) async throws -> [Asset] {
        try await inner.disposeVersion(packageID: packageID, version: version)
    }
    func deletePackage(packageID: Int64) async throws -> [Asset] { try await inner.deletePackage(packageID: packageID) }
    func setTag(packageID: Int64, tag: String, version: String) async throws {
        try await inner.setTag(packageID: packageID, tag: tag, version: version)
    }
    func removeTag(packageID: Int64, tag: String) async throws { try await inner.removeTag(packageID: packageID, tag: tag) }
    func setOriginControls(packageID: Int64, _ controls: OriginControls) async throws {
        try await inner.setOriginControls(packageID: packageID, controls)
    }
    func ensurePackage(repositoryID: Int64, key: PackageKey, controls: OriginControls) async throws -> Package {
        try await inner.ensurePackage(repositoryID: repositoryID, key: key, controls: controls)
    }
}

extension StorageFixture {
    /// A package service over a gated view of this fixture's store (same database and blobs).
    func gatedPackages() -> (store: GatedStore, collector: BlobCollector, packages: PackageService) {
        let gated = GatedStore(inner: store)
        let collector = BlobCollector(
            store: gated, blobs: blobs, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        return (gated, collector, PackageService(store: gated, blobs: blobs, collector: collector))
    }
}
