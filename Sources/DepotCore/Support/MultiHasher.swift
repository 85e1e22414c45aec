import Crypto

/// MD5, SHA-1, SHA-256 and SHA-512 of a stream, in one pass.
public struct MultiHasher {
    private var md5 = Insecure.MD5()
    private var sha1 = Insecure.SHA1()
    private var sha256 = SHA256()
    private var sha512 = SHA512()
    public private(set) var size: Int64 = 0

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        md5.update(bufferPointer: bytes)
        sha1.update(bufferPointer: bytes)
        sha256.update(bufferPointer: bytes)
        sha512.update(bufferPointer: bytes)
        size += Int64(bytes.count)
    }

    public func finalize() -> BlobDigests {
        BlobDigests(
            size: size,
            md5: Hex.encode(md5.finalize()),
            sha1: Hex.encode(sha1.finalize()),
            sha256: Hex.encode(sha256.finalize()),
            sha512: Hex.encode(sha512.finalize()))
    }
}

public enum Hex {
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func decode(_ string: String) -> [UInt8]? {
        let chars = Array(string.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(chars.count / 2)
        var i = 0
        while i < chars.count {
            guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// True when `string` is `count` hex digits (any case).
    public static func isDigest(_ string: String, length: Int) -> Bool {
        string.utf8.count == length && decode(string) != nil
    }
}
