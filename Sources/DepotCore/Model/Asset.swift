import Foundation

/// Digests of a blob, all computed in one pass while it is written.
public struct BlobDigests: Sendable, Equatable, Codable, Hashable {
    public var size: Int64
    public var md5: String
    public var sha1: String
    public var sha256: String
    public var sha512: String

    public init(size: Int64, md5: String, sha1: String, sha256: String, sha512: String) {
        self.size = size
        self.md5 = md5
        self.sha1 = sha1
        self.sha256 = sha256
        self.sha512 = sha512
    }
}

/// A file of a version (tarball, wheel, jar, ...) pointing at a blob by its SHA-256.
public struct Asset: Sendable, Equatable, Codable {
    public var name: String
    public var digests: BlobDigests

    public init(name: String, digests: BlobDigests) {
        self.name = name
        self.digests = digests
    }
}
