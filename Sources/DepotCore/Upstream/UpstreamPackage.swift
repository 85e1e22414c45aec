import Foundation

/// What an upstream registry says about one package, in format-neutral terms.
public struct UpstreamPackage: Sendable {
    /// In the upstream's order; the format decides which is newest.
    public var versions: [UpstreamVersion]
    /// npm dist-tags; empty for formats without tags.
    public var tags: [String: String]

    public init(versions: [UpstreamVersion], tags: [String: String] = [:]) {
        self.versions = versions
        self.tags = tags
    }

    public func version(_ version: String) -> UpstreamVersion? { versions.first { $0.version == version } }
}

public struct UpstreamVersion: Sendable {
    public var version: String
    /// The upstream's publish time, kept when the version is recorded here.
    public var publishedAt: Date?
    public var summary: String?
    /// The format's per-version document, in the shape it stores for its own versions.
    public var metadata: Data
    public var assets: [UpstreamAsset]
    /// False for versions the upstream lists but no longer offers (PyPI yanked files stay installable by pin).
    public var isListed: Bool

    public init(
        version: String, publishedAt: Date?, summary: String?, metadata: Data, assets: [UpstreamAsset], isListed: Bool = true
    ) {
        self.version = version
        self.publishedAt = publishedAt
        self.summary = summary
        self.metadata = metadata
        self.assets = assets
        self.isListed = isListed
    }
}

/// A file the upstream offers and the digests its metadata declares for it (hex, lowercase).
public struct UpstreamAsset: Sendable, Equatable {
    public enum Algorithm: String, Sendable, CaseIterable {
        case md5, sha1, sha256, sha512
    }

    public var name: String
    public var url: URL
    public var expected: [Algorithm: String]
    /// The size the upstream declares, when it does (PEP 700).
    public var size: Int64?
    /// Where the expected digest is published beside the file when the metadata does not carry one (Maven `.sha1`).
    public var checksumURL: (url: URL, algorithm: Algorithm)?

    public init(
        name: String, url: URL, expected: [Algorithm: String], size: Int64? = nil, checksumURL: (url: URL, algorithm: Algorithm)? = nil
    ) {
        self.name = name
        self.size = size
        self.url = url
        self.expected = expected
        self.checksumURL = checksumURL
    }

    public static func == (a: UpstreamAsset, b: UpstreamAsset) -> Bool {
        a.name == b.name && a.url == b.url && a.expected == b.expected && a.checksumURL?.url == b.checksumURL?.url
    }

    /// The algorithms whose declared digest differs from what was received.
    public func mismatches(_ digests: BlobDigests) -> [Algorithm] {
        expected.compactMap { algorithm, value in
            let actual: String = switch algorithm {
            case .md5: digests.md5
            case .sha1: digests.sha1
            case .sha256: digests.sha256
            case .sha512: digests.sha512
            }
            return actual.lowercased() == value.lowercased() ? nil : algorithm
        }
    }
}
