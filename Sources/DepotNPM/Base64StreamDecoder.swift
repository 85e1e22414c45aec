import DepotCore
import Foundation

/// Decodes base64 text in bounded chunks straight into a blob writer (which hashes as it writes),
/// so a large attachment is never held decoded in memory.
enum Base64StreamDecoder {
    static let chunkCharacters = 256 * 1024

    /// Returns the number of decoded bytes written.
    static func decode(_ text: UnsafeRawBufferPointer, into writer: any BlobWriter) throws -> Int64 {
        var pending: [UInt8] = []
        pending.reserveCapacity(chunkCharacters + 4)
        var total: Int64 = 0
        func flush(final: Bool) throws {
            let usable = final ? pending.count : pending.count - pending.count % 4
            guard usable > 0 else { return }
            guard let decoded = Data(base64Encoded: Data(pending[0..<usable])) else {
                throw DepotError.badRequest("attachment data is not valid base64", code: "MalformedAttachment")
            }
            try decoded.withUnsafeBytes { try writer.write($0) }
            total += Int64(decoded.count)
            pending.removeFirst(usable)
        }
        for c in text {
            // JSON may escape '/' as '\/'; base64 has no whitespace worth keeping.
            if c == UInt8(ascii: "\\") || c == 0x0a || c == 0x0d || c == 0x20 { continue }
            pending.append(c)
            if pending.count >= chunkCharacters { try flush(final: false) }
        }
        try flush(final: true)
        return total
    }
}
