import Foundation

public enum VersionStatus: String, Sendable, Codable, CaseIterable {
    case published = "Published"
    case unfinished = "Unfinished"
    case unlisted = "Unlisted"
    case archived = "Archived"
    case disposed = "Disposed"

    /// Listed in indexes and packuments.
    public var isListed: Bool { self == .published }
    /// Its assets may be downloaded by URL.
    public var isDownloadable: Bool { self == .published || self == .unlisted || self == .unfinished }

    /// Accepts the CodeArtifact spelling in any case.
    public init?(caseInsensitive value: String) {
        guard let match = Self.allCases.first(where: { $0.rawValue.lowercased() == value.lowercased() }) else {
            return nil
        }
        self = match
    }
}

public enum OriginType: String, Sendable, Codable {
    case `internal` = "INTERNAL"
    case external = "EXTERNAL"
}

/// Where a version came from: published here, or fetched through an upstream or external connection.
public struct VersionOrigin: Sendable, Equatable, Codable {
    public var type: OriginType
    /// The repository (or external connection) it was first published to.
    public var repository: String

    public init(type: OriginType, repository: String) {
        self.type = type
        self.repository = repository
    }
}

public struct PackageVersion: Sendable, Equatable, Codable {
    public var id: Int64
    public var packageID: Int64
    public var version: String
    public var status: VersionStatus
    public var origin: VersionOrigin
    public var publishedAt: Date
    public var summary: String?
    /// The format's own per-version document (npm manifest, PyPI core metadata, ...), opaque to the core.
    public var metadata: Data

    public init(
        id: Int64, packageID: Int64, version: String, status: VersionStatus, origin: VersionOrigin,
        publishedAt: Date, summary: String?, metadata: Data
    ) {
        self.id = id
        self.packageID = packageID
        self.version = version
        self.status = status
        self.origin = origin
        self.publishedAt = publishedAt
        self.summary = summary
        self.metadata = metadata
    }
}
