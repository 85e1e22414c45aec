import DepotCore
import Foundation
import Testing

@testable import DepotStorage

@Suite("FileBlobReader")
struct FileBlobReaderTests {
    @Test("read(into:) fills the caller's buffer from the file, skip moves on, the end reads 0")
    func readIntoAndSkip() throws {
        let fixture = try StorageFixture()
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        let writer = try fixture.blobs.makeWriter()
        defer { writer.discard() }
        try writer.write(bytes)
        let digests = try writer.finish()
        try writer.commit()
        let reader = try #require(try fixture.blobs.openReader(sha256: digests.sha256))
        defer { reader.close() }
        #expect(reader.size == 100_000)

        try reader.skip(1000)
        var first = [UInt8](repeating: 0, count: 4096)
        let read = try first.withUnsafeMutableBytes { try reader.read(into: $0) }
        #expect(read == 4096 && first == Array(bytes[1000..<5096]))

        try reader.skip(90_000)
        var rest = [UInt8](repeating: 0, count: 10_000)
        let last = try rest.withUnsafeMutableBytes { try reader.read(into: $0) }
        #expect(last == 4904 && Array(rest[..<last]) == Array(bytes[95_096...]))
        #expect(try rest.withUnsafeMutableBytes { try reader.read(into: $0) } == 0)
    }
}
