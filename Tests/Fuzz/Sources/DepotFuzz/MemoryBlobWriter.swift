import DepotCore
import Foundation

/// Keeps written bytes in memory: the parsers only need write/finish.
final class MemoryBlobWriter: BlobWriter {
    private(set) var bytes: [UInt8] = []
    private var hasher = MultiHasher()
    var localFile: URL? { nil }

    func write(_ chunk: UnsafeRawBufferPointer) throws {
        bytes.append(contentsOf: chunk)
        hasher.update(chunk)
    }

    func finish() throws -> BlobDigests { hasher.finalize() }
    func commit() throws -> Bool { true }
    func discard() {}
}

/// Reads bytes held in memory, as a stored log or blob would be read.
final class MemoryBlobReader: BlobReader {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var size: Int64 { Int64(bytes.count) }

    func read(maxLength: Int) throws -> [UInt8] {
        let end = min(bytes.count, position + max(0, maxLength))
        defer { position = end }
        return Array(bytes[position..<end])
    }

    func close() {}
}
