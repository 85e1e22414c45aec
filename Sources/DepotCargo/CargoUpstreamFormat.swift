import DepotCore
import Foundation

/// How Depot proxies crates.io: the crate's sparse index file (`https://index.crates.io/<path>`), one version per
/// line, each `.crate` verified against the line's `cksum` (SHA-256). Yanked versions stay listed with their flag,
/// as the index has them, so lockfiles that pin them keep resolving.
public struct CargoUpstreamFormat: UpstreamFormat {
    public static let connectionName = "public:crates-io"
    public static let defaultIndexURL = "https://index.crates.io/"
    /// Where crates.io serves the files of its index (its config.json's `dl`).
    public static let crateHost = "static.crates.io"

    public var formatID: String { CargoFormat.id }
    public var connectionName: String { Self.connectionName }

    public init() {}

    public func metadataRequest(for key: PackageKey, base: URL) -> (url: URL, accept: String) {
        let path = CargoIndexPath.path(for: CargoCrateName(key: key))
        return (URL(string: path, relativeTo: Self.directory(base))!.absoluteURL, "text/plain, application/json;q=0.9, */*;q=0.8")
    }

    public func parseMetadata(_ body: Data, key: PackageKey, documentURL: URL) throws -> UpstreamPackage {
        guard String(data: body, encoding: .utf8) != nil else { throw CargoUpstreamError("the index file is not UTF-8") }
        var versions: [UpstreamVersion] = []
        var seen: Set<String> = []
        for line in body.split(separator: UInt8(ascii: "\n")) where !line.allSatisfy({ $0 == 0x20 || $0 == 0x0d }) {
            // Cargo skips lines it cannot read (a newer schema); a line for another crate means a wrong document.
            guard let entry = try? JSONDecoder().decode(CargoIndexEntry.self, from: Data(line)) else { continue }
            guard entry.name.lowercased() == key.name else {
                throw CargoUpstreamError("the index file lists '\(entry.name)', not '\(key.name)'")
            }
            guard (entry.v ?? 1) <= 2, let name = try? CargoCrateName(entry.name), let version = CargoVersion(entry.vers),
                Hex.isDigest(entry.cksum.lowercased(), length: 64), seen.insert(version.identity).inserted
            else { continue }
            var stored = entry
            stored.cksum = entry.cksum.lowercased()
            let asset = UpstreamAsset(
                name: CargoIndexFile.crateFileName(name, version: version), url: Self.crateURL(name, version: version, base: documentURL),
                expected: [.sha256: stored.cksum])
            versions.append(UpstreamVersion(
                version: version.identity, publishedAt: entry.pubtime.flatMap(Self.date), summary: nil, metadata: try stored.encoded(),
                assets: [asset]))
        }
        guard !versions.isEmpty || body.isEmpty else { throw CargoUpstreamError("the index file has no readable version") }
        return UpstreamPackage(versions: versions)
    }

    public func unlistedAsset(key: PackageKey, version: String, name: String, base: URL) -> UpstreamAsset? { nil }

    public func recordedMetadata(for version: UpstreamVersion, asset: UpstreamAsset, file: URL?) throws -> Data {
        version.metadata
    }

    /// crates.io's files are at `https://static.crates.io/crates/<name>/<name>-<version>.crate`; another index
    /// (a mirror, a test's stand-in) serves them beside its index files, at `<index root>crates/<name>/<name>-<version>.crate`.
    static func crateURL(_ name: CargoCrateName, version: CargoVersion, base indexFile: URL) -> URL {
        let path = "crates/\(name.name)/\(name.name)-\(version.text).crate"
        if indexFile.host?.lowercased() == URL(string: defaultIndexURL)?.host {
            return URL(string: "https://\(crateHost)/\(path)")!
        }
        let file = indexFile.absoluteString
        let indexPath = CargoIndexPath.path(for: name)
        let root = file.lowercased().hasSuffix(indexPath) ? String(file.dropLast(indexPath.count)) : file + "/"
        return URL(string: root + path) ?? indexFile
    }

    static func directory(_ base: URL) -> URL {
        base.absoluteString.hasSuffix("/") ? base : URL(string: base.absoluteString + "/")!
    }

    static func date(_ text: String) -> Date? {
        try? Date(text, strategy: Date.ISO8601FormatStyle())
    }
}

struct CargoUpstreamError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
