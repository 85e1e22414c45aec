import Foundation

/// The one write path every format calls: publish, status changes, delete, dispose, copy, tags, origin controls.
public struct PackageService: Sendable {
    private let store: any MetadataStore
    private let blobs: any BlobStore
    private let collector: BlobCollector
    /// Each format's version policy, applied to every version recorded here.
    private let formats: FormatRegistry

    public init(store: any MetadataStore, blobs: any BlobStore, collector: BlobCollector, formats: FormatRegistry = FormatRegistry([])) {
        self.store = store
        self.blobs = blobs
        self.collector = collector
        self.formats = formats
    }

    // MARK: Reads

    public func package(in repository: Repository, key: PackageKey) async throws -> Package? {
        try await store.package(repositoryID: repository.id, key: key)
    }

    public func requirePackage(in repository: Repository, key: PackageKey) async throws -> Package {
        guard let package = try await package(in: repository, key: key) else {
            throw DepotError.notFound("package \(key) not found in repository '\(repository.name)'", code: "PackageNotFound")
        }
        return package
    }

    public func listPackages(in repository: Repository, filter: PackageFilter, page: PageRequest) async throws -> Page<PackageSummary> {
        try await store.listPackages(repositoryID: repository.id, filter: filter, page: page)
    }

    /// Every package that matches, page after page: for documents that are whole by protocol (PyPI's project
    /// list, a Maven group's plugins); listings hand their pages to the client instead.
    public func listPackages(in repository: Repository, filter: PackageFilter) async throws -> [PackageSummary] {
        try await Page.all { try await listPackages(in: repository, filter: filter, page: $0) }
    }

    /// npm search's window (`from`, `size`) and the number of packages that match.
    public func searchPackages(in repository: Repository, filter: PackageFilter, from: Int, size: Int) async throws -> PackageSearchResults {
        try await store.searchPackages(repositoryID: repository.id, filter: filter, offset: from, limit: size)
    }

    /// The package as listings show it (latest version, version count): one row of the listing's query.
    public func summary(of package: Package) async throws -> PackageSummary? {
        let filter = PackageFilter(format: package.key.format, namespace: package.key.namespace, name: package.key.name)
        return try await store.listPackages(repositoryID: package.repositoryID, filter: filter, page: PageRequest(limit: 1)).items.first
    }

    public func versions(of package: Package) async throws -> [PackageVersion] {
        try await store.versions(packageID: package.id)
    }

    public func listVersions(
        of package: Package, status: VersionStatus?, origin: OriginType? = nil, page: PageRequest
    ) async throws -> Page<PackageVersion> {
        try await store.listVersions(packageID: package.id, status: status, origin: origin, page: page)
    }

    public func requireVersion(of package: Package, _ version: String) async throws -> PackageVersion {
        guard let found = try await store.version(packageID: package.id, version: version) else {
            throw DepotError.notFound("version \(version) of \(package.key) not found", code: "VersionNotFound")
        }
        return found
    }

    public func assets(of version: PackageVersion) async throws -> [Asset] {
        try await store.assets(versionID: version.id)
    }

    public func assetsByVersion(of package: Package) async throws -> [Int64: [Asset]] {
        try await store.assets(packageID: package.id)
    }

    public func assetsByVersion(packageID: Int64) async throws -> [Int64: [Asset]] {
        try await store.assets(packageID: packageID)
    }

    /// Packages of the repository with a live version that has `property` (an index lookup), at most `limit`.
    public func packages(in repository: Repository, withProperty property: VersionProperty, limit: Int) async throws -> [Package] {
        try await store.packages(repositoryID: repository.id, withProperty: property, limit: limit)
    }

    public func properties(of version: PackageVersion) async throws -> [VersionProperty] {
        try await store.properties(versionID: version.id)
    }

    public func tags(of package: Package) async throws -> [String: String] {
        try await store.tags(packageID: package.id)
    }

    public func openBlob(_ asset: Asset) throws -> any BlobReader {
        guard let reader = try blobs.openReader(sha256: asset.digests.sha256) else {
            throw DepotError.notFound("the bytes of \(asset.name) are missing from the blob store", code: "BlobMissing")
        }
        return reader
    }

    public func makeBlobWriter() throws -> any BlobWriter { try blobs.makeWriter() }

    /// The format's identity property of `key` (crates.io's canonical name); nil for formats without twins.
    public func identity(of key: PackageKey) -> VersionProperty? { formats.identity(of: key) }

    // MARK: The write path

    /// Records a version whose asset bytes are in finished (not yet committed) blob writers.
    /// Same bytes again succeed unchanged; other bytes get 409; nothing is left behind on failure.
    public func publish(
        _ new: NewVersion, to repository: Repository, blobs writers: [any BlobWriter]
    ) async throws -> PublishOutcome {
        defer { writers.forEach { $0.discard() } }
        return try await commitAndRecord(
            new, to: repository, blobs: writers, defaultControls: new.origin.type == .internal ? .internalPackage : .externalPackage,
            originCheck: new.origin.type == .internal ? .publish : nil)
    }

    /// Records a version fetched through an upstream or external connection. New packages get the
    /// CodeArtifact defaults for fetched packages (publish=BLOCK, upstream=ALLOW); a package whose origin
    /// controls block upstreams refuses it.
    public func ingest(_ new: NewVersion, into repository: Repository, blobs writers: [any BlobWriter]) async throws -> PublishOutcome {
        defer { writers.forEach { $0.discard() } }
        return try await commitAndRecord(new, to: repository, blobs: writers, defaultControls: .externalPackage, originCheck: .upstream)
    }

    /// Commits the blobs and records the version; a refused record deletes the bytes it would have referenced.
    private func commitAndRecord(
        _ new: NewVersion, to repository: Repository, blobs writers: [any BlobWriter], defaultControls: OriginControls,
        originCheck: NewVersion.OriginCheck?
    ) async throws -> PublishOutcome {
        // Checked before the blobs are committed (a refusal then costs nothing), and again inside the write, where a
        // racing first fetch or publish may have created the package meanwhile.
        if let originCheck, let existing = try await store.package(repositoryID: repository.id, key: new.key),
            originCheck.isBlocked(by: existing.originControls)
        {
            throw originCheck.refusal(of: new.key, repository: repository.name)
        }
        let store = self.store
        let committed = WriterBox(writers)
        var checked = new
        checked.originCheck = originCheck
        if let policy = formats.versionPolicy(of: new.key.format) {
            checked.allowsAddingAssets = policy.severalAssets
            checked.mergeMetadata = policy.mergeMetadata
        }
        checked.identity = formats.identity(of: new.key)
        let new = checked
        do {
            return try await collector.whileReferencing {
                for writer in committed.writers { try writer.commit() }
                return try await store.publish(repositoryID: repository.id, new, defaultControls: defaultControls)
            }
        } catch {
            // The bytes of a refused publish must not stay behind.
            await collector.deleteUnreferenced(new.assets.map(\.digests.sha256))
            throw error
        }
    }

    /// The package record, created without versions when missing (origin controls set before a first
    /// publish, e.g. to allow publishing a name an upstream also has).
    public func ensurePackage(in repository: Repository, key: PackageKey, controls: OriginControls) async throws -> Package {
        try await store.ensurePackage(repositoryID: repository.id, key: key, controls: controls)
    }

    public func setStatus(_ status: VersionStatus, of version: String, in package: Package) async throws {
        guard status != .disposed else {
            throw DepotError.badRequest("use dispose to set a version to Disposed", code: "InvalidStatus")
        }
        let current = try await requireVersion(of: package, version)
        guard current.status != .disposed else {
            throw DepotError.conflict("version \(version) is disposed; its status cannot change", code: "VersionDisposed")
        }
        try await store.setVersionStatus(packageID: package.id, version: version, status: status)
    }

    public func updateMetadata(_ metadata: Data, of version: String, in package: Package) async throws {
        _ = try await store.updateVersionMetadata(packageID: package.id, version: version) { _ in metadata }
    }

    /// Rewrites a version's metadata from what is stored, inside one write; returns the new metadata.
    @discardableResult
    public func updateMetadata(
        of version: String, in package: Package, _ transform: @escaping @Sendable (Data) throws -> Data
    ) async throws -> Data {
        try await store.updateVersionMetadata(packageID: package.id, version: version, transform)
    }

    /// Yanks or unyanks a version (or one of its files) as its format does (PEP 592, Cargo's index flag): resolvers
    /// skip it, exact pins still install it. 400 for a format without yanking; 404 for a disposed version.
    public func setYanked(_ change: YankChange, of versionName: String, in package: Package) async throws -> YankOutcome {
        let format = try formats.format(package.key.format)
        guard format.supportsYank else {
            throw DepotError.badRequest(
                "\(format.id) packages cannot be yanked (set the version's status to Unlisted instead)", code: "YankUnsupported")
        }
        let record = try await requireVersion(of: package, versionName)
        guard record.status != .disposed else {
            throw DepotError.notFound("version \(versionName) of \(package.key) is Disposed", code: "VersionNotFound")
        }
        let metadata = try await updateMetadata(of: record.version, in: package) { try format.yank(change, in: $0) }
        return YankOutcome(version: record.version, files: try format.yankedFiles(in: metadata))
    }

    public func deleteVersion(_ version: String, of package: Package) async throws {
        _ = try await requireVersion(of: package, version)
        let removed = try await store.deleteVersion(packageID: package.id, version: version)
        await collector.deleteUnreferenced(removed.map(\.digests.sha256))
    }

    public func disposeVersion(_ version: String, of package: Package) async throws {
        _ = try await requireVersion(of: package, version)
        let removed = try await store.disposeVersion(packageID: package.id, version: version)
        await collector.deleteUnreferenced(removed.map(\.digests.sha256))
    }

    public func deletePackage(_ package: Package) async throws {
        let removed = try await store.deletePackage(packageID: package.id)
        await collector.deleteUnreferenced(removed.map(\.digests.sha256))
    }

    public func setTag(_ tag: String, to version: String, in package: Package) async throws {
        let target = try await requireVersion(of: package, version)
        guard target.status != .disposed, target.status != .archived else {
            throw DepotError.badRequest("cannot tag version \(version): it is \(target.status.rawValue)", code: "InvalidTagTarget")
        }
        try await store.setTag(packageID: package.id, tag: tag, version: version)
    }

    public func removeTag(_ tag: String, from package: Package) async throws {
        try await store.removeTag(packageID: package.id, tag: tag)
    }

    public func setOriginControls(_ controls: OriginControls, of package: Package) async throws {
        try await store.setOriginControls(packageID: package.id, controls)
    }

    /// Copies versions (records and asset references; blobs are shared in the domain) between repositories.
    /// Returns the versions copied and, for the others, why not. The format's version policy is deliberately not
    /// applied: a copy never adds files to a version the destination already has (CodeArtifact's copy without
    /// `allowOverwrite` reports it as failed).
    public func copy(
        key: PackageKey, versions: [String], from source: Repository, to destination: Repository
    ) async throws -> (copied: [String], failed: [String: DepotError]) {
        guard source.domainID == destination.domainID else {
            throw DepotError.badRequest("copies stay inside one domain", code: "CrossDomainCopy")
        }
        let package = try await requirePackage(in: source, key: key)
        let tags = try await store.tags(packageID: package.id)
        var copied: [String] = []
        var failed: [String: DepotError] = [:]
        for version in versions {
            do {
                let record = try await requireVersion(of: package, version)
                guard record.status != .disposed else {
                    throw DepotError.conflict("version \(version) is disposed", code: "VersionDisposed")
                }
                let assets = try await store.assets(versionID: record.id)
                var new = NewVersion(
                    key: key, version: version, status: record.status, origin: record.origin,
                    publishedAt: record.publishedAt, summary: record.summary, metadata: record.metadata, assets: assets,
                    tags: tags.filter { $0.value == version }.map(\.key))
                new.properties = try await store.properties(versionID: record.id)
                new.identity = formats.identity(of: key)
                _ = try await store.publish(
                    repositoryID: destination.id, new,
                    defaultControls: record.origin.type == .internal ? .internalPackage : .externalPackage)
                copied.append(version)
            } catch let error as DepotError {
                failed[version] = error
            }
        }
        return (copied, failed)
    }
}

extension DepotError {
    /// A direct publish refused by the package's origin controls.
    public static func publishBlocked(_ key: PackageKey, repository: String) -> DepotError {
        DepotError(.forbidden, code: "PublishBlocked", "publishing \(key) to '\(repository)' is blocked by its origin controls (publish=BLOCK)")
    }

    /// A fetched version refused by the package's origin controls.
    public static func upstreamBlocked(_ key: PackageKey, repository: String) -> DepotError {
        DepotError(
            .forbidden, code: "UpstreamBlocked",
            "\(key) in '\(repository)' does not accept versions from upstreams (its origin controls say upstream=BLOCK)")
    }
}

/// Carries finished writers into the lock's closure; only that closure uses them.
private final class WriterBox: @unchecked Sendable {
    let writers: [any BlobWriter]
    init(_ writers: [any BlobWriter]) { self.writers = writers }
}
