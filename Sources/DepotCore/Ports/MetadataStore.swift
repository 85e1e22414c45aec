import Foundation

/// A version to be recorded in one transaction with its assets and tags.
public struct NewVersion: Sendable {
    public var key: PackageKey
    public var version: String
    public var status: VersionStatus
    public var origin: VersionOrigin
    public var publishedAt: Date
    public var summary: String?
    public var metadata: Data
    public var assets: [Asset]
    /// Tags (npm dist-tags) pointed at this version when it is recorded.
    public var tags: [String]
    /// Facts about the version that must be queried (`VersionProperty`); files added later add theirs.
    public var properties: [VersionProperty] = []
    /// The format's identity property of the package (`PackageFormat.identity`): stored with the version, and a
    /// new package is refused inside the write when another package of the repository carries it.
    public var identity: VersionProperty?
    /// Whether assets with new names may be added to a version that exists (PyPI files, Maven artifacts).
    public var allowsAddingAssets: Bool
    /// When assets are added to an existing version: combines its stored metadata with `metadata`
    /// inside the same transaction (so concurrent uploads of different files lose nothing).
    public var mergeMetadata: (@Sendable (_ stored: Data, _ new: Data) throws -> Data)?
    /// The origin control of an existing package that must allow this version (publish for a direct publish,
    /// upstream for a fetch), checked inside the write so a racing first publish and first fetch cannot both
    /// pass. Nil for copies: origin controls do not govern them.
    public var originCheck: OriginCheck?

    public enum OriginCheck: Sendable {
        case publish, upstream

        /// True when `controls` refuse a version that arrives this way.
        public func isBlocked(by controls: OriginControls) -> Bool {
            (self == .publish ? controls.publish : controls.upstream) == .block
        }

        /// The error for a refused version of `key` in `repository`.
        public func refusal(of key: PackageKey, repository: String) -> DepotError {
            self == .publish ? .publishBlocked(key, repository: repository) : .upstreamBlocked(key, repository: repository)
        }
    }

    public init(
        key: PackageKey, version: String, status: VersionStatus = .published, origin: VersionOrigin,
        publishedAt: Date, summary: String?, metadata: Data, assets: [Asset], tags: [String] = [],
        allowsAddingAssets: Bool = false, mergeMetadata: (@Sendable (Data, Data) throws -> Data)? = nil
    ) {
        self.mergeMetadata = mergeMetadata
        self.key = key
        self.version = version
        self.status = status
        self.origin = origin
        self.publishedAt = publishedAt
        self.summary = summary
        self.metadata = metadata
        self.assets = assets
        self.tags = tags
        self.allowsAddingAssets = allowsAddingAssets
    }
}

/// A per-format fact about a version that must be found by its value (a Swift package's source-control URL, a Maven
/// plugin's goal prefix): stored indexed, never re-read from blobs or scanned out of metadata.
public struct VersionProperty: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

public enum PublishOutcome: Sendable, Equatable {
    /// The version (or new assets of it) was recorded.
    case created(PackageVersion)
    /// The same bytes were already there: nothing changed.
    case unchanged(PackageVersion)

    public var version: PackageVersion {
        switch self {
        case .created(let v), .unchanged(let v): v
        }
    }
}

/// The metadata port: domains, repositories, tokens, packages, versions, assets, tags (npm's and the resource
/// tags of domains and repositories). Every method that writes runs in one transaction; writers are serialized.
public protocol MetadataStore: ResourceTagStore {
    // Domains
    func createDomain(name: String, at date: Date) async throws -> Domain
    func domain(named name: String) async throws -> Domain?
    /// Domains by name; `names` narrows the listing to those (a token of one domain sees only it).
    func listDomains(names: [String]?, page: PageRequest) async throws -> Page<Domain>
    /// Deletes the domain with everything it owns (tokens, build projects, builds, secrets) in one transaction;
    /// returns the digests of the blobs its builds kept, for the collector.
    @discardableResult func deleteDomain(id: Int64) async throws -> [String]

    // Repositories
    func createRepository(_ repository: Repository) async throws -> Repository
    func repository(domainID: Int64, name: String) async throws -> Repository?
    /// The whole upstream graph of a domain (resolution needs all of it; a domain's repositories are few).
    func listRepositories(domainID: Int64) async throws -> [Repository]
    /// The management listings: repositories of one domain or of several, by domain name then repository name.
    func listRepositories(_ filter: RepositoryFilter, page: PageRequest) async throws -> Page<ListedRepository>
    func updateRepository(_ repository: Repository) async throws -> Repository
    /// Removes the repository with its packages; returns their assets so unreferenced blobs can be deleted.
    func deleteRepository(id: Int64) async throws -> [Asset]

    // Tokens
    /// Throws 401 when the record's parent has been revoked (checked in the insert's transaction).
    func insertToken(_ record: TokenRecord, secretHash: String) async throws
    func token(secretHash: String) async throws -> TokenRecord?
    func token(id: String) async throws -> TokenRecord?
    /// Tokens of a domain (nil: the bootstrap tokens) by creation time.
    func listTokens(domain: String?, page: PageRequest) async throws -> Page<TokenRecord>
    /// Revokes the token and, in the same transaction, every token minted from it (recursively).
    /// False when there is no such unrevoked token.
    func revokeToken(id: String, domain: String?, at date: Date) async throws -> Bool

    // Packages (reads)
    func package(repositoryID: Int64, key: PackageKey) async throws -> Package?
    /// Packages by namespace, name and format, each with its latest version and version count.
    func listPackages(repositoryID: Int64, filter: PackageFilter, page: PageRequest) async throws -> Page<PackageSummary>
    /// npm search's `size`/`from` window over the same order, with the number of packages that match.
    func searchPackages(repositoryID: Int64, filter: PackageFilter, offset: Int, limit: Int) async throws -> PackageSearchResults
    /// Every version of a package (a packument, a view): one package's versions, oldest first.
    func versions(packageID: Int64) async throws -> [PackageVersion]
    /// The management listing: versions by publication time (CodeArtifact's PUBLISHED_TIME order), oldest first,
    /// narrowed to a status and an origin type when given.
    func listVersions(packageID: Int64, status: VersionStatus?, origin: OriginType?, page: PageRequest) async throws -> Page<PackageVersion>
    func version(packageID: Int64, version: String) async throws -> PackageVersion?
    func assets(versionID: Int64) async throws -> [Asset]
    /// All assets of a package's versions, keyed by version id (one query for a whole packument).
    func assets(packageID: Int64) async throws -> [Int64: [Asset]]
    func tags(packageID: Int64) async throws -> [String: String]
    func isBlobReferenced(sha256: String) async throws -> Bool
    /// The version's properties.
    func properties(versionID: Int64) async throws -> [VersionProperty]
    /// Packages of the repository with a version (not disposed) that has `property`, by namespace and name,
    /// at most `limit` (an index lookup).
    func packages(repositoryID: Int64, withProperty property: VersionProperty, limit: Int) async throws -> [Package]

    // Packages (the write path)
    /// Records a version. Throws `VersionExists` (409) when it exists with other bytes.
    func publish(repositoryID: Int64, _ new: NewVersion, defaultControls: OriginControls) async throws -> PublishOutcome
    func setVersionStatus(packageID: Int64, version: String, status: VersionStatus) async throws
    /// Rewrites a version's stored metadata with `transform` inside one write (a yank and a file added at the same
    /// moment both land); returns the new metadata. Throws `VersionNotFound` when there is no such version.
    func updateVersionMetadata(packageID: Int64, version: String, _ transform: @escaping @Sendable (Data) throws -> Data) async throws -> Data
    /// Removes the version record and its assets; removes the package when it was the last version.
    /// Returns the removed assets so unreferenced blobs can be deleted.
    func deleteVersion(packageID: Int64, version: String) async throws -> [Asset]
    /// Removes the assets, keeps the record with status Disposed.
    func disposeVersion(packageID: Int64, version: String) async throws -> [Asset]
    func deletePackage(packageID: Int64) async throws -> [Asset]
    func setTag(packageID: Int64, tag: String, version: String) async throws
    func removeTag(packageID: Int64, tag: String) async throws
    func setOriginControls(packageID: Int64, _ controls: OriginControls) async throws
    /// The package, created with `controls` and no versions when it does not exist.
    func ensurePackage(repositoryID: Int64, key: PackageKey, controls: OriginControls) async throws -> Package
}
