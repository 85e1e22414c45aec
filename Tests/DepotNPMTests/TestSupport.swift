import DepotCore
import Foundation
import Testing

@testable import DepotNPM

/// A blob writer that keeps every byte in memory and hashes it with the core's `MultiHasher`,
/// recording how the bytes arrived (to check that decoding is done in bounded chunks).
final class RecordingBlobWriter: BlobWriter {
    var localFile: URL? { nil }
    private(set) var bytes: [UInt8] = []
    private(set) var writeSizes: [Int] = []
    private var hasher = MultiHasher()
    private(set) var committed = false
    private(set) var discarded = false

    func write(_ chunk: UnsafeRawBufferPointer) throws {
        bytes.append(contentsOf: chunk)
        writeSizes.append(chunk.count)
        hasher.update(chunk)
    }

    func finish() throws -> BlobDigests { hasher.finalize() }

    func commit() throws -> Bool {
        committed = true
        return true
    }

    func discard() { discarded = true }
}

enum Fixtures {
    /// Deterministic pseudo-random bytes (xorshift), so failures are reproducible.
    static func bytes(count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
        var state = seed
        var out = [UInt8]()
        out.reserveCapacity(count)
        for _ in 0..<count {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            out.append(UInt8(truncatingIfNeeded: state))
        }
        return out
    }

    static func digests(of bytes: [UInt8]) -> BlobDigests {
        var hasher = MultiHasher()
        bytes.withUnsafeBytes { hasher.update($0) }
        return hasher.finalize()
    }

    /// `sha512-<base64>` computed independently of the code under test.
    static func integrity(of bytes: [UInt8]) -> String {
        let hex = digests(of: bytes).sha512
        return "sha512-" + Data(Hex.decode(hex)!).base64EncodedString()
    }

    /// The body `npm publish` sends for one version of `name`, built with JSONSerialization.
    static func publishBody(
        name: String, version: String = "1.0.0", tarball: [UInt8], readme: String? = "# Hello\n\nSome \"quoted\" text.",
        distTags: [String: String]? = nil, extraManifest: [String: Any] = [:], escapeSlashes: Bool = true,
        integrity: String? = nil, shasum: String? = nil
    ) throws -> [UInt8] {
        let unscoped = name.split(separator: "/").last.map(String.init) ?? name
        var manifest: [String: Any] = [
            "name": name, "version": version, "description": "A \"test\" package with a \\ backslash",
            "main": "index.js", "scripts": ["test": "echo \"no tests\""], "dependencies": ["left-pad": "^1.3.0"],
            "_id": "\(name)@\(version)", "_nodeVersion": "20.11.0", "_npmVersion": "10.2.4",
            "dist": [
                "integrity": integrity ?? Self.integrity(of: tarball),
                "shasum": shasum ?? Self.digests(of: tarball).sha1,
                "tarball": "http://localhost:4873/\(name)/-/\(unscoped)-\(version).tgz",
            ],
        ]
        if let readme { manifest["readme"] = readme }
        for (key, value) in extraManifest { manifest[key] = value }
        var document: [String: Any] = [
            "_id": name, "name": name, "description": "A \"test\" package",
            "dist-tags": distTags ?? ["latest": version],
            "versions": [version: manifest],
            "access": NSNull(),
            "_attachments": [
                "\(unscoped)-\(version).tgz": [
                    "content_type": "application/octet-stream",
                    "data": Data(tarball).base64EncodedString(),
                    "length": tarball.count,
                ] as [String: Any]
            ],
        ]
        if let readme { document["readme"] = readme }
        var options: JSONSerialization.WritingOptions = [.sortedKeys]
        if !escapeSlashes { options.insert(.withoutEscapingSlashes) }
        return Array(try JSONSerialization.data(withJSONObject: document, options: options))
    }
}

/// Runs `body` and returns the `DepotError` it throws (recording an issue when it throws something else or nothing).
@discardableResult
func depotError(
    _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation
) -> DepotError? {
    do {
        try body()
        Issue.record("expected a DepotError, nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let error as DepotError {
        return error
    } catch {
        Issue.record("expected a DepotError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

extension PackageVersion {
    static func npm(
        _ version: String, status: VersionStatus = .published, publishedAt: Date = Date(timeIntervalSince1970: 1_700_000_000),
        metadata: NpmVersionMetadata
    ) throws -> PackageVersion {
        PackageVersion(
            id: Int64(abs(version.hashValue % 10_000)), packageID: 42, version: version, status: status,
            origin: VersionOrigin(type: .internal, repository: "main"), publishedAt: publishedAt, summary: nil,
            metadata: try metadata.encoded())
    }
}
