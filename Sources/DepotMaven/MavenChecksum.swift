import DepotCore

/// A checksum algorithm of the files Maven puts beside every artifact (`.md5`, `.sha1`, `.sha256`, `.sha512`).
/// Checksums are never stored: they are served from an asset's digests and uploaded ones are compared with them.
public enum MavenChecksum: String, Sendable, CaseIterable, Hashable {
    case md5, sha1, sha256, sha512

    /// The suffix of the checksum file, with its dot: `.sha1`.
    public var fileSuffix: String { "." + rawValue }

    /// Number of hex digits of a digest of this algorithm.
    public var hexLength: Int {
        switch self {
        case .md5: 32
        case .sha1: 40
        case .sha256: 64
        case .sha512: 128
        }
    }

    /// The stored digest (lowercase hex) this algorithm maps to.
    public func value(in digests: BlobDigests) -> String {
        switch self {
        case .md5: digests.md5
        case .sha1: digests.sha1
        case .sha256: digests.sha256
        case .sha512: digests.sha512
        }
    }

    /// The algorithm whose checksum file ends with `name`'s suffix (`lib-1.0.jar.sha1` -> `.sha1`).
    public static func forFileName(_ name: String) -> MavenChecksum? {
        allCases.first { name.hasSuffix($0.fileSuffix) && name.count > $0.fileSuffix.count }
    }

    /// The hex digest in the text of an uploaded checksum file, lowercased, or nil when there is none of the right length.
    /// Accepts a bare digest, `<hex>  filename` (sha1sum style; first token) and `MD5 (file) = <hex>` (BSD style).
    public func digest(fromChecksumFile text: String) -> String? {
        let tokens = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
        var candidates: [Substring] = []
        if let first = tokens.first { candidates.append(first) }
        if tokens.count >= 2, tokens[tokens.count - 2] == "=", let last = tokens.last { candidates.append(last) }
        for candidate in candidates {
            let hex = candidate.lowercased()
            if hex.utf8.count == hexLength, hex.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) {
                return hex
            }
        }
        return nil
    }

    /// Whether an uploaded checksum file's text matches the stored digests (case-insensitive).
    public func matches(_ uploaded: String, _ digests: BlobDigests) -> Bool {
        guard let hex = digest(fromChecksumFile: uploaded) else { return false }
        return hex == value(in: digests).lowercased()
    }
}
