import DepotCore
import Foundation
import Testing

@Suite("ZipProbe")
struct ZipProbeTests {
    func file(_ bytes: [UInt8]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zipprobe-\(UUID().uuidString)")
        try Data(bytes).write(to: url)
        return url
    }

    /// An empty zip is just its end record: signature, 18 more bytes, no comment.
    static let emptyZip: [UInt8] = [0x50, 0x4b, 0x05, 0x06] + [UInt8](repeating: 0, count: 18)

    @Test("finds the end record at the end, or before a comment; refuses short, random and record-too-early files")
    func probe() throws {
        let cases: [(bytes: [UInt8], expected: Bool)] = [
            (Self.emptyZip, true),
            ([UInt8](repeating: 7, count: 100_000) + Self.emptyZip, true),
            (Self.emptyZip + [UInt8](repeating: 0x41, count: 1000), true),
            ([UInt8](repeating: 7, count: 5_000_000), false),
            ([0x50, 0x4b, 0x05, 0x06], false),
            ([], false),
            // A record followed by more than the longest comment is not the end of a zip.
            (Self.emptyZip + [UInt8](repeating: 0x41, count: 0x10000 + 10), false),
        ]
        for (index, test) in cases.enumerated() {
            let url = try file(test.bytes)
            defer { try? FileManager.default.removeItem(at: url) }
            #expect(ZipProbe.hasEndOfCentralDirectory(at: url) == test.expected, "case \(index)")
        }
        #expect(!ZipProbe.hasEndOfCentralDirectory(at: URL(fileURLWithPath: "/nonexistent/file.zip")))
    }
}
