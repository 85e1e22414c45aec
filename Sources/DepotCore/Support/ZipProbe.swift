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

    /// One file of a zip as its central directory and local header describe it.
    public struct Entry: Sendable, Equatable {
        public var path: String
        /// 0 stored, 8 deflate.
        public var method: UInt16
        public var compressedSize: UInt64
        public var uncompressedSize: UInt64
        /// Where the entry's bytes start (after its local header, name and extra field).
        public var dataOffset: UInt64
    }

    /// The entries of a zip, each checked to have its local header where the directory says and its bytes inside
    /// the file; nil for a malformed zip, and for ZIP64 (sizes or offsets of 0xFFFFFFFF), which this does not read.
    /// ZIPFoundation inflates an entry whose deflate stream does not end before the end of the file forever (on Linux
    /// its reader ignores the entry's size and loops at end of file): a 544-byte wheel found by fuzzing hung a
    /// thread. Reading an entry's exact bytes from here and inflating them with a bounded output cannot hang.
    public static func centralDirectory(at file: URL, maxCentralDirectorySize: Int = 64 << 20) -> [Entry]? {
        guard let handle = try? FileHandle(forReadingFrom: file) else { return nil }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd(), size >= 22 else { return nil }
        let start = size > UInt64(searchWindow) ? size - UInt64(searchWindow) : 0
        guard (try? handle.seek(toOffset: start)) != nil, let tailData = try? handle.readToEnd() else { return nil }
        let tail = [UInt8](tailData)
        var end = tail.count - 22
        while end >= 0, !(tail[end] == 0x50 && tail[end + 1] == 0x4b && tail[end + 2] == 0x05 && tail[end + 3] == 0x06) { end -= 1 }
        guard end >= 0 else { return nil }
        let count = Int(le16(tail, end + 10))
        let directorySize = UInt64(le32(tail, end + 12))
        let directoryOffset = UInt64(le32(tail, end + 16))
        guard count != 0xFFFF, directorySize != 0xFFFF_FFFF, directoryOffset != 0xFFFF_FFFF else { return nil }
        guard count > 0 else { return [] }
        guard directorySize <= UInt64(maxCentralDirectorySize), directoryOffset + directorySize <= size,
            (try? handle.seek(toOffset: directoryOffset)) != nil,
            let directoryData = try? handle.read(upToCount: Int(directorySize)), directoryData.count == Int(directorySize)
        else { return nil }
        let directory = [UInt8](directoryData)
        var entries: [Entry] = []
        var position = 0
        for _ in 0..<count {
            guard position + 46 <= directory.count, le32(directory, position) == 0x0201_4b50 else { return nil }
            let method = le16(directory, position + 10)
            let compressed = UInt64(le32(directory, position + 20))
            let uncompressed = UInt64(le32(directory, position + 24))
            let nameLength = Int(le16(directory, position + 28))
            let localOffset = UInt64(le32(directory, position + 42))
            guard compressed != 0xFFFF_FFFF, uncompressed != 0xFFFF_FFFF, localOffset != 0xFFFF_FFFF,
                position + 46 + nameLength <= directory.count
            else { return nil }
            let name = String(decoding: directory[(position + 46)..<(position + 46 + nameLength)], as: UTF8.self)
            position += 46 + nameLength + Int(le16(directory, position + 30)) + Int(le16(directory, position + 32))
            guard localOffset + 30 <= size, (try? handle.seek(toOffset: localOffset)) != nil,
                let headerData = try? handle.read(upToCount: 30), headerData.count == 30
            else { return nil }
            let header = [UInt8](headerData)
            guard le32(header, 0) == 0x0403_4b50 else { return nil }
            let dataOffset = localOffset + 30 + UInt64(le16(header, 26)) + UInt64(le16(header, 28))
            guard dataOffset + compressed <= size else { return nil }
            entries.append(Entry(path: name, method: method, compressedSize: compressed, uncompressedSize: uncompressed, dataOffset: dataOffset))
        }
        return entries
    }

    /// An entry's stored bytes (still compressed when `method` is 8), read exactly.
    public static func rawBytes(of entry: Entry, in file: URL) throws -> Data {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        try handle.seek(toOffset: entry.dataOffset)
        let data = try handle.read(upToCount: Int(clamping: entry.compressedSize)) ?? Data()
        guard data.count == Int(clamping: entry.compressedSize) else { throw CocoaError(.fileReadCorruptFile) }
        return data
    }

    private static func le16(_ bytes: [UInt8], _ index: Int) -> UInt16 {
        UInt16(bytes[index]) | UInt16(bytes[index + 1]) << 8
    }

    private static func le32(_ bytes: [UInt8], _ index: Int) -> UInt32 {
        UInt32(le16(bytes, index)) | UInt32(le16(bytes, index + 2)) << 16
    }
}
