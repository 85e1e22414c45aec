import Foundation

/// Identifies a package inside a repository: format, namespace (npm scope without `@`, Maven groupId) and name.
public struct PackageKey: Sendable, Hashable, Codable, CustomStringConvertible {
    public var format: String
    /// Empty when the package has no namespace.
    public var namespace: String
    public var name: String

    public init(format: String, namespace: String = "", name: String) {
        self.format = format
        self.namespace = namespace
        self.name = name
    }

    public var description: String { namespace.isEmpty ? "\(format):\(name)" : "\(format):\(namespace)/\(name)" }
}

/// ALLOW or BLOCK, as in CodeArtifact's package origin controls.
public enum OriginRestriction: String, Sendable, Codable, CaseIterable {
    case allow = "ALLOW"
    case block = "BLOCK"
}

/// Whether a package may be published directly and whether versions may come from upstreams.
/// The defence against dependency confusion.
public struct OriginControls: Sendable, Equatable, Codable {
    public var publish: OriginRestriction
    public var upstream: OriginRestriction

    public init(publish: OriginRestriction, upstream: OriginRestriction) {
        self.publish = publish
        self.upstream = upstream
    }

    /// Defaults when the first version is published directly.
    public static let internalPackage = OriginControls(publish: .allow, upstream: .block)
    /// Defaults when the first version came from an upstream or external connection.
    public static let externalPackage = OriginControls(publish: .block, upstream: .allow)
}

public struct Package: Sendable, Equatable, Codable {
    public var id: Int64
    public var repositoryID: Int64
    public var key: PackageKey
    public var originControls: OriginControls
    /// Bumped on every change; npm shows it as `_rev`.
    public var revision: Int64
    public var createdAt: Date
    public var modifiedAt: Date

    public init(
        id: Int64, repositoryID: Int64, key: PackageKey, originControls: OriginControls, revision: Int64,
        createdAt: Date, modifiedAt: Date
    ) {
        self.id = id
        self.repositoryID = repositoryID
        self.key = key
        self.originControls = originControls
        self.revision = revision
        self.createdAt = createdAt
        self.modifiedAt = modifiedAt
    }
}

/// A package with the summary of its versions, for listings and search.
public struct PackageSummary: Sendable, Equatable, Codable {
    public var package: Package
    public var latestVersion: String?
    public var summary: String?
    public var versionCount: Int

    public init(package: Package, latestVersion: String?, summary: String?, versionCount: Int) {
        self.package = package
        self.latestVersion = latestVersion
        self.summary = summary
        self.versionCount = versionCount
    }
}

/// One window of npm search results and how many packages match in all.
public struct PackageSearchResults: Sendable, Equatable {
    public var summaries: [PackageSummary]
    public var total: Int

    public init(summaries: [PackageSummary], total: Int) {
        self.summaries = summaries
        self.total = total
    }
}

public struct PackageFilter: Sendable, Equatable {
    public var format: String?
    public var namespace: String?
    public var prefix: String?
    /// Exactly this name (with `format` and `namespace`: one package).
    public var name: String?
    /// Case-insensitive substring of name or summary (npm search).
    public var text: String?
    /// Packages whose origin controls say this about direct publishing, and about versions from upstreams.
    public var publish: OriginRestriction?
    public var upstream: OriginRestriction?

    public init(
        format: String? = nil, namespace: String? = nil, prefix: String? = nil, name: String? = nil, text: String? = nil,
        publish: OriginRestriction? = nil, upstream: OriginRestriction? = nil
    ) {
        self.format = format
        self.namespace = namespace
        self.prefix = prefix
        self.name = name
        self.text = text
        self.publish = publish
        self.upstream = upstream
    }
}
