import DepotCore
import Foundation

/// How Depot proxies Maven Central: `maven-metadata.xml` lists the versions; files are fetched by their
/// layout path and verified against the `.sha1` published beside them.
public struct MavenUpstreamFormat: UpstreamFormat {
    public var formatID: String { MavenFormat.id }
    public var connectionName: String { "public:maven-central" }
    /// The format's version policy, as the upstream sees it.
    public var mergeMetadata: (@Sendable (Data, Data) throws -> Data)? { MavenFormat().versionPolicy.mergeMetadata }
    public var versionsHaveManyAssets: Bool { MavenFormat().versionPolicy.severalAssets }

    public init() {}

    public func metadataRequest(for key: PackageKey, base: URL) -> (url: URL, accept: String) {
        (Self.url(base, "\(MavenPath.groupPath(key.namespace))/\(key.name)/\(MavenPath.metadataFileName)"), "application/xml, text/xml")
    }

    public func parseMetadata(_ body: Data, key: PackageKey, documentURL: URL) throws -> UpstreamPackage {
        let metadata = try MavenMetadata.parse(body)
        if let groupId = metadata.groupId, groupId != key.namespace {
            throw DepotError.badGateway("maven-metadata.xml names group \(groupId), not \(key.namespace)", code: "UpstreamInvalid")
        }
        if let artifactId = metadata.artifactId, artifactId != key.name {
            throw DepotError.badGateway("maven-metadata.xml names artifact \(artifactId), not \(key.name)", code: "UpstreamInvalid")
        }
        let versions = (metadata.versioning?.versions ?? []).filter { !$0.hasSuffix(MavenVersion.snapshotSuffix) }.map {
            UpstreamVersion(version: $0, publishedAt: nil, summary: nil, metadata: Data("{}".utf8), assets: [])
        }
        return UpstreamPackage(versions: versions)
    }

    /// Files are not listed in Maven metadata: the layout locates them, and `.sha1` declares their digest.
    public func unlistedAsset(key: PackageKey, version: String, name: String, base: URL) -> UpstreamAsset? {
        let path = "\(MavenPath.groupPath(key.namespace))/\(key.name)/\(version)/\(name)"
        return UpstreamAsset(name: name, url: Self.url(base, path), expected: [:], checksumURL: (Self.url(base, path + ".sha1"), .sha1))
    }

    public func recordedMetadata(for version: UpstreamVersion, asset: UpstreamAsset, file: URL?) throws -> Data {
        Data("{}".utf8)
    }

    static func url(_ base: URL, _ path: String) -> URL {
        let root = base.absoluteString.hasSuffix("/") ? base.absoluteString : base.absoluteString + "/"
        return URL(string: root + path)!
    }
}
