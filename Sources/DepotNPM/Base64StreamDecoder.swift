import DepotCore
import Foundation

/// Decodes base64 text in bounded chunks straight into a blob writer (which hashes as it writes),
/// so a large attachment is never held decoded in memory.
enum Base64StreamDecoder {
    static let chunkCharacters = 256 * 1024

    static var invalid: DepotError {
        DepotError.badRequest("attachment data is not valid base64", code: "MalformedAttachment")
    }

    /// `text` is a JSON string's raw contents: `\/` is a '/', escaped line breaks of wrapped base64 are
    /// skipped, and any other escape cannot be base64. Returns the number of decoded bytes written.
    static func decode(_ text: UnsafeRawBufferPointer, into writer: any BlobWriter) throws -> Int64 {
        var pending: [UInt8] = []
        pending.reserveCapacity(chunkCharacters + 4)
        var total: Int64 = 0
        func flush(final: Bool) throws {
            let usable = final ? pending.count : pending.count - pending.count % 4
            guard usable > 0 else { return }
            guard let decoded = Data(base64Encoded: Data(pending[0..<usable])) else { throw invalid }
            try decoded.withUnsafeBytes { try writer.write($0) }
            total += Int64(decoded.count)
            pending.removeFirst(usable)
        }
        var index = 0
        while index < text.count {
            let c = text[index]
            index += 1
            if c == UInt8(ascii: "\\") {
                guard index < text.count else { throw invalid }
                let escaped = text[index]
                index += 1
                switch escaped {
                case UInt8(ascii: "/"): pending.append(escaped)
                case UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"): continue
                default: throw invalid
                }
            } else if c != 0x20, c != 0x0a, c != 0x0d {
                pending.append(c)
            }
            if pending.count >= chunkCharacters { try flush(final: false) }
        }
        try flush(final: true)
        return total
    }
}
