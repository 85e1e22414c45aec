import Foundation

/// A cheap look for a zip's end-of-central-directory record before a zip library opens a file: the record
/// sits in the last 64 KiB + 22 bytes, but a library that does not find it there may walk back through the
/// whole file a few bytes per system call, which an upload of a large non-zip "jar" or "wheel" turns into
/// minutes of CPU.
public enum ZipProbe {
    static let signature: [UInt8] = [0x50, 0x4b, 0x05, 0x06]
    /// Fixed record size plus the longest comment.
    static let searchWindow = 22 + 0xFFFF

    /// True when the file ends like a zip archive (it may still be a broken one).
    public static func hasEndOfCentralDirectory(at file: URL) -> Bool {
        guard let handle = try? FileHandle(forReadingFrom: file) else { return false }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd(), size >= 22 else { return false }
        let start = size > UInt64(searchWindow) ? size - UInt64(searchWindow) : 0
        guard (try? handle.seek(toOffset: start)) != nil, let tail = try? handle.readToEnd() else { return false }
        let bytes = [UInt8](tail)
        var index = bytes.count - 22
        while index >= 0 {
            if bytes[index] == 0x50, bytes[index + 1] == 0x4b, bytes[index + 2] == 0x05, bytes[index + 3] == 0x06 { return true }
            index -= 1
        }
        return false
    }
}
