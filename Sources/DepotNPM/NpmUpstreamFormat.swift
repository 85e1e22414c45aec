import DepotCore
import Foundation

/// How Depot proxies the public npm registry: the full packument (it carries `time`, kept as publish
/// times), tarballs verified against `dist.integrity` and `dist.shasum`.
public struct NpmUpstreamFormat: UpstreamFormat {
    public var formatID: String { NpmFormat.id }
    public var connectionName: String { "public:npmjs" }
    /// The format's version policy, as the upstream sees it.
    public var mergeMetadata: (@Sendable (Data, Data) throws -> Data)? { NpmFormat().versionPolicy.mergeMetadata }
    public var versionsHaveManyAssets: Bool { NpmFormat().versionPolicy.severalAssets }

    public init() {}

    public func metadataRequest(for key: PackageKey, base: URL) -> (url: URL, accept: String) {
        let name = NpmPackageName(key: key)
        // Scoped names travel as `@scope%2fname`, as npm itself sends them.
        let path = name.scope.map { "@\($0)%2f\(name.name)" } ?? name.name
        return (URL(string: path, relativeTo: Self.directory(base))!.absoluteURL, "application/json")
    }

    public func parseMetadata(_ body: Data, key: PackageKey, documentURL: URL) throws -> UpstreamPackage {
        guard let root = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw NpmUpstreamError("the packument is not a JSON object")
        }
        let name = NpmPackageName(key: key)
        if let documentName = root["name"] as? String, documentName != name.description {
            throw NpmUpstreamError("the packument is for '\(documentName)', not '\(name)'")
        }
        // A package unpublished upstream has `time.unpublished` and no versions.
        let manifests = root["versions"] as? [String: Any] ?? [:]
        let times = root["time"] as? [String: Any] ?? [:]
        let tags = (root["dist-tags"] as? [String: Any] ?? [:]).compactMapValues { $0 as? String }
        var versions: [UpstreamVersion] = []
        for (version, value) in manifests {
            guard let manifest = value as? [String: Any] else { throw NpmUpstreamError("version \(version) is not an object") }
            versions.append(try upstreamVersion(
                version, manifest: manifest, name: name, root: root, isLatest: tags["latest"] == version,
                publishedAt: (times[version] as? String).flatMap(ISO8601.date), documentURL: documentURL))
        }
        return UpstreamPackage(versions: versions, tags: tags.filter { manifests[$0.value] != nil })
    }

    private func upstreamVersion(
        _ version: String, manifest: [String: Any], name: NpmPackageName, root: [String: Any], isLatest: Bool, publishedAt: Date?,
        documentURL: URL
    ) throws -> UpstreamVersion {
        let dist = manifest["dist"] as? [String: Any] ?? [:]
        guard let tarball = dist["tarball"] as? String, let url = URL(string: tarball, relativeTo: documentURL)?.absoluteURL,
            let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https"
        else { throw NpmUpstreamError("version \(version) has no usable dist.tarball") }
        var expected: [UpstreamAsset.Algorithm: String] = [:]
        if let shasum = dist["shasum"] as? String, Hex.isDigest(shasum.lowercased(), length: 40) { expected[.sha1] = shasum.lowercased() }
        if let integrity = dist["integrity"] as? String, let sha512 = Self.sha512Hex(fromSRI: integrity) { expected[.sha512] = sha512 }
        guard !expected.isEmpty else { throw NpmUpstreamError("version \(version) declares neither integrity nor shasum") }
        // The readme travels once per packument; the latest version carries it, as for published packages.
        let metadata = NpmVersionMetadata(
            manifest: manifest, readme: isLatest ? root["readme"] as? String : nil,
            readmeFilename: isLatest ? root["readmeFilename"] as? String : nil)
        return UpstreamVersion(
            version: version, publishedAt: publishedAt, summary: manifest["description"] as? String, metadata: try metadata.encoded(),
            assets: [UpstreamAsset(name: name.tarballName(version: version), url: url, expected: expected)])
    }

    public func unlistedAsset(key: PackageKey, version: String, name: String, base: URL) -> UpstreamAsset? { nil }

    public func recordedMetadata(for version: UpstreamVersion, asset: UpstreamAsset, file: URL?) throws -> Data {
        version.metadata
    }

    /// The hex sha512 of an SRI string's first sha512 entry.
    static func sha512Hex(fromSRI integrity: String) -> String? {
        for entry in integrity.split(separator: " ") where entry.hasPrefix("sha512-") {
            let base64 = entry.dropFirst("sha512-".count).split(separator: "?").first.map(String.init) ?? ""
            if let data = Data(base64Encoded: base64), data.count == 64 { return Hex.encode(data) }
        }
        return nil
    }

    static func directory(_ base: URL) -> URL {
        base.absoluteString.hasSuffix("/") ? base : URL(string: base.absoluteString + "/")!
    }
}

struct NpmUpstreamError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
