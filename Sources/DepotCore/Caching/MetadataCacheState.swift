import Foundation

/// How much `CachingMetadataStore` keeps. Counts bound what a client can make it remember by asking for names
/// that do not exist; the byte budget bounds package details (a 10,000-version packument's versions weigh MBs).
public struct MetadataCacheLimits: Sendable {
    public var tokens: Int
    public var domains: Int
    /// Package records, including "not in this repository" answers (every upstream graph lookup makes some).
    public var packages: Int
    /// Versions, assets and tags of packages, by their approximate size in bytes.
    public var detailBytes: Int

    public init(tokens: Int = 10_000, domains: Int = 10_000, packages: Int = 200_000, detailBytes: Int = 256 << 20) {
        self.tokens = tokens
        self.domains = domains
        self.packages = packages
        self.detailBytes = detailBytes
    }
}

/// Versions, assets and tags of one package, each loaded when first asked for.
struct PackageDetail {
    var versions: [PackageVersion]?
    var versionIndex: [String: Int] = [:]
    var assets: [Int64: [Asset]]?
    var tags: [String: String]?
    var cost = 0

    /// Nil when the versions are not loaded; `.some(nil)` when the package has no such version.
    func version(named name: String) -> PackageVersion?? {
        guard let versions else { return nil }
        return .some(versionIndex[name].map { versions[$0] })
    }
}

/// Everything `CachingMetadataStore` holds, behind its one lock. `generation` changes with every change applied.
public struct MetadataCacheState: Sendable {
    public struct Statistics: Sendable, Equatable {
        public var hits: Int
        public var misses: Int
        public var tokens: Int
        public var packages: Int
        public var detailBytes: Int
    }

    let limits: MetadataCacheLimits
    var generation: UInt64 = 0
    var hits = 0
    var misses = 0
    var tokens: [String: TokenRecord] = [:]
    var domains: [String: Domain?] = [:]
    var repositories: [Int64: [Repository]] = [:]
    var packages: [PackageLocation: Package?] = [:]
    var packageLocations: [Int64: PackageLocation] = [:]
    var details: [Int64: PackageDetail] = [:]
    /// Version id -> package id, for `assets(versionID:)`; filled with a package's versions.
    var versionOwners: [Int64: Int64] = [:]
    var detailBytes = 0
    /// Packages found by a version property (twins, Swift identifiers): any package change may alter an answer,
    /// so every package or repository change forgets them all (property lookups are rare next to changes' cost).
    var propertyMatches: [PropertyLookup: [Package]] = [:]

    struct PropertyLookup: Hashable {
        var repositoryID: Int64
        var property: VersionProperty
        var limit: Int
    }

    init(limits: MetadataCacheLimits) {
        self.limits = limits
    }

    var statistics: Statistics {
        Statistics(hits: hits, misses: misses, tokens: tokens.count, packages: packages.count, detailBytes: detailBytes)
    }

    // MARK: Changes

    mutating func apply(_ change: MetadataChange) {
        // Nothing cached holds resource tags: their changes need not discard fills in flight.
        if case .resourceTags = change { return }
        generation &+= 1
        if change != .tokensRevoked { propertyMatches.removeAll() }
        switch change {
        case .resourceTags:
            break  // returned above
        case .domains, .everything:
            forgetAll()
        case .tokensRevoked:
            tokens.removeAll()
        case .repository(let domainID, let repositoryID):
            if let domainID { repositories[domainID] = nil } else { repositories.removeAll() }
            for location in packages.keys where location.repositoryID == repositoryID { forgetPackage(at: location) }
        case .package(let packageID, let location):
            if let location { forgetPackage(at: location) }
            if let packageID {
                if let location = packageLocations[packageID] { forgetPackage(at: location) }
                forgetDetail(of: packageID)
            }
        }
    }

    private mutating func forgetAll() {
        tokens.removeAll()
        domains.removeAll()
        repositories.removeAll()
        packages.removeAll()
        packageLocations.removeAll()
        details.removeAll()
        versionOwners.removeAll()
        detailBytes = 0
    }

    private mutating func forgetPackage(at location: PackageLocation) {
        guard case .some(let package) = packages.removeValue(forKey: location) else { return }
        if let package {
            packageLocations[package.id] = nil
            forgetDetail(of: package.id)
        }
    }

    private mutating func forgetDetail(of packageID: Int64) {
        guard let detail = details.removeValue(forKey: packageID) else { return }
        detailBytes -= detail.cost
        for version in detail.versions ?? [] { versionOwners[version.id] = nil }
    }

    // MARK: Fills

    mutating func remember(token: TokenRecord, hash: String) {
        tokens[hash] = token
    }

    mutating func remember(domain: Domain?, named name: String) {
        domains[name] = .some(domain)
    }

    mutating func remember(package: Package?, at location: PackageLocation) {
        packages[location] = .some(package)
        if let package { packageLocations[package.id] = location }
    }

    mutating func remember(versions: [PackageVersion], of packageID: Int64) {
        updateDetail(of: packageID) { detail in
            detail.versions = versions
            detail.versionIndex = Dictionary(versions.enumerated().map { ($1.version, $0) }, uniquingKeysWith: { first, _ in first })
            return versions.reduce(0) { $0 + $1.metadata.count + $1.version.utf8.count + 160 }
        }
        for version in versions { versionOwners[version.id] = packageID }
    }

    mutating func remember(assets: [Int64: [Asset]], of packageID: Int64) {
        updateDetail(of: packageID) { detail in
            detail.assets = assets
            return assets.values.reduce(0) { $0 + $1.count * 256 }
        }
    }

    mutating func remember(tags: [String: String], of packageID: Int64) {
        updateDetail(of: packageID) { detail in
            detail.tags = tags
            return tags.count * 64
        }
    }

    /// `fill` sets one part of the detail and returns its cost.
    private mutating func updateDetail(of packageID: Int64, _ fill: (inout PackageDetail) -> Int) {
        var detail = details.removeValue(forKey: packageID) ?? PackageDetail()
        detailBytes -= detail.cost
        detail.cost += fill(&detail)
        detailBytes += detail.cost
        details[packageID] = detail
    }

    // MARK: Bounds

    /// Over a limit, arbitrary entries (dictionary order) go until a quarter of the room is free again: cheaper than
    /// tracking recency on every hit, and a dropped entry costs only one reload.
    mutating func enforceLimits() {
        if tokens.count > limits.tokens { tokens.removeAll() }
        if domains.count > limits.domains { domains.removeAll() }
        if propertyMatches.count > limits.packages / 16 { propertyMatches.removeAll() }
        if packages.count > limits.packages {
            let excess = packages.count - limits.packages * 3 / 4
            for location in Array(packages.keys.prefix(excess)) { forgetPackage(at: location) }
        }
        if detailBytes > limits.detailBytes {
            for packageID in Array(details.keys) {
                guard detailBytes > limits.detailBytes * 3 / 4 else { break }
                forgetDetail(of: packageID)
            }
        }
    }
}
