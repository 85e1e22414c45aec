import DepotCore
import Foundation

/// Finds the base64 `data` strings under `_attachments` in a raw publish body without decoding the
/// document, so a tens-of-MB attachment is never copied into a JSON tree. Returns the byte ranges of
/// those strings and the body with each of them replaced by `""` (small enough to parse normally).
struct AttachmentScanner {
    struct Result {
        /// Attachment file name -> range of its base64 text (without quotes) in the input.
        var dataRanges: [(name: String, range: Range<Int>)]
        /// The document with attachment data emptied.
        var skeleton: [UInt8]
    }

    private let bytes: UnsafeRawBufferPointer
    private var i = 0

    private init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    static func scan(_ bytes: UnsafeRawBufferPointer) throws -> Result {
        var scanner = AttachmentScanner(bytes)
        var ranges: [(String, Range<Int>)] = []
        scanner.skipWhitespace()
        guard scanner.peek == UInt8(ascii: "{") else { throw malformed("the body is not a JSON object") }
        try scanner.scanObject { scanner, key in
            guard key == "_attachments", scanner.peekAfterWhitespace == UInt8(ascii: "{") else {
                try scanner.skipValue()
                return
            }
            try scanner.scanObject { scanner, file in
                guard scanner.peekAfterWhitespace == UInt8(ascii: "{") else {
                    try scanner.skipValue()
                    return
                }
                try scanner.scanObject { scanner, field in
                    scanner.skipWhitespace()
                    if field == "data", scanner.peek == UInt8(ascii: "\"") {
                        let range = try scanner.scanStringRange()
                        ranges.append((file, range))
                    } else {
                        try scanner.skipValue()
                    }
                }
            }
        }
        scanner.skipWhitespace()
        guard scanner.i == bytes.count else { throw malformed("unexpected bytes after the JSON object") }

        var skeleton: [UInt8] = []
        var cursor = 0
        for (_, range) in ranges.sorted(by: { $0.1.lowerBound < $1.1.lowerBound }) {
            skeleton.append(contentsOf: bytes[cursor..<range.lowerBound])
            cursor = range.upperBound
        }
        skeleton.append(contentsOf: bytes[cursor..<bytes.count])
        return Result(dataRanges: ranges, skeleton: skeleton)
    }

    static func malformed(_ why: String) -> DepotError {
        DepotError.badRequest("malformed publish body: \(why)", code: "MalformedBody")
    }

    /// The value of a JSON string's raw contents; escapes (`\/`, `\u0040`) are decoded by Foundation.
    private static func decodeString(_ raw: Slice<UnsafeRawBufferPointer>) throws -> String {
        guard raw.contains(UInt8(ascii: "\\")) else { return String(decoding: raw, as: UTF8.self) }
        let quoted = Data([UInt8(ascii: "\"")] + Array(raw) + [UInt8(ascii: "\"")])
        guard let value = try? JSONSerialization.jsonObject(with: quoted, options: .fragmentsAllowed) as? String else {
            throw malformed("invalid escape in a key")
        }
        return value
    }

    private var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

    private var peekAfterWhitespace: UInt8? {
        var j = i
        while j < bytes.count, Self.isWhitespace(bytes[j]) { j += 1 }
        return j < bytes.count ? bytes[j] : nil
    }

    private static func isWhitespace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09
    }

    private mutating func skipWhitespace() {
        while i < bytes.count, Self.isWhitespace(bytes[i]) { i += 1 }
    }

    private mutating func expect(_ c: UInt8) throws {
        skipWhitespace()
        guard peek == c else { throw Self.malformed("expected '\(Character(UnicodeScalar(c)))' at byte \(i)") }
        i += 1
    }

    /// Calls `member` for each key with the scanner placed before the value; `member` must consume the value.
    private mutating func scanObject(_ member: (inout AttachmentScanner, String) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        skipWhitespace()
        if peek == UInt8(ascii: "}") {
            i += 1
            return
        }
        while true {
            skipWhitespace()
            let keyRange = try scanStringRange()
            let key = try Self.decodeString(bytes[keyRange])
            try expect(UInt8(ascii: ":"))
            try member(&self, key)
            skipWhitespace()
            guard let c = peek else { throw Self.malformed("unterminated object") }
            i += 1
            if c == UInt8(ascii: "}") { return }
            guard c == UInt8(ascii: ",") else { throw Self.malformed("expected ',' or '}' at byte \(i - 1)") }
        }
    }

    /// Consumes a string; returns the range of its raw contents (escapes left as they are).
    private mutating func scanStringRange() throws -> Range<Int> {
        guard peek == UInt8(ascii: "\"") else { throw Self.malformed("expected a string at byte \(i)") }
        i += 1
        let start = i
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\\") {
                i += 2
                continue
            }
            if c == UInt8(ascii: "\"") {
                let end = i
                i += 1
                return start..<end
            }
            if c < 0x20 { throw Self.malformed("control character in a string at byte \(i)") }
            i += 1
        }
        throw Self.malformed("unterminated string")
    }

    /// Skips any JSON value; its validity is checked later when the skeleton is parsed.
    private mutating func skipValue() throws {
        skipWhitespace()
        guard let c = peek else { throw Self.malformed("missing value") }
        switch c {
        case UInt8(ascii: "\""):
            _ = try scanStringRange()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            repeat {
                guard let d = peek else { throw Self.malformed("unterminated container") }
                if d == UInt8(ascii: "\"") {
                    _ = try scanStringRange()
                    continue
                }
                if d == UInt8(ascii: "{") || d == UInt8(ascii: "[") { depth += 1 }
                if d == UInt8(ascii: "}") || d == UInt8(ascii: "]") { depth -= 1 }
                i += 1
            } while depth > 0
        default:
            while let d = peek, d != UInt8(ascii: ","), d != UInt8(ascii: "}"), d != UInt8(ascii: "]"), !Self.isWhitespace(d) {
                i += 1
            }
        }
    }
}
