import DepotCore
import Foundation

/// Decodes base64 text, fed in pieces of any size, in bounded chunks straight into a blob writer (which hashes
/// as it writes), so a large attachment is never held in memory, encoded or decoded.
struct Base64StreamDecoder {
    static let chunkCharacters = 256 * 1024

    static var invalid: DepotError {
        DepotError.badRequest("attachment data is not valid base64", code: "MalformedAttachment")
    }

    let writer: any BlobWriter
    private var pending: [UInt8] = []
    /// A backslash ended the previous piece; its escaped character starts the next one.
    private var escapePending = false
    private(set) var decodedCount: Int64 = 0

    init(into writer: any BlobWriter) {
        self.writer = writer
        pending.reserveCapacity(Self.chunkCharacters + 4)
    }

    /// `text` is a piece of a JSON string's raw contents: `\/` is a '/', escaped line breaks of wrapped base64
    /// are skipped, and any other escape cannot be base64.
    mutating func feed(_ text: UnsafeRawBufferPointer) throws {
        for c in text {
            if escapePending {
                escapePending = false
                switch c {
                case UInt8(ascii: "/"): pending.append(c)
                case UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"): continue
                default: throw Self.invalid
                }
            } else if c == UInt8(ascii: "\\") {
                escapePending = true
                continue
            } else if c != 0x20, c != 0x0a, c != 0x0d {
                pending.append(c)
            }
            if pending.count >= Self.chunkCharacters { try flush(final: false) }
        }
    }

    /// Decodes what is left; returns the number of decoded bytes written in all.
    mutating func finish() throws -> Int64 {
        guard !escapePending else { throw Self.invalid }
        try flush(final: true)
        return decodedCount
    }

    private mutating func flush(final: Bool) throws {
        let usable = final ? pending.count : pending.count - pending.count % 4
        guard usable > 0 else { return }
        guard let decoded = Data(base64Encoded: Data(pending[0..<usable])) else { throw Self.invalid }
        try decoded.withUnsafeBytes { try writer.write($0) }
        decodedCount += Int64(decoded.count)
        pending.removeFirst(usable)
    }

    /// Decodes a whole JSON string's raw contents. Returns the number of decoded bytes written.
    static func decode(_ text: UnsafeRawBufferPointer, into writer: any BlobWriter) throws -> Int64 {
        var decoder = Base64StreamDecoder(into: writer)
        try decoder.feed(text)
        return try decoder.finish()
    }
}
