import DepotCore
import Foundation

/// Keeps written bytes in memory: the parsers only need write and finish.
final class MemoryBlobWriter: BlobWriter {
    private(set) var bytes: [UInt8] = []
    private var hasher = MultiHasher()
    private(set) var discarded = false
    var localFile: URL? { nil }

    func write(_ chunk: UnsafeRawBufferPointer) throws {
        bytes.append(contentsOf: chunk)
        hasher.update(chunk)
    }

    func finish() throws -> BlobDigests { hasher.finalize() }
    func commit() throws -> Bool { true }
    func discard() { discarded = true }
}
