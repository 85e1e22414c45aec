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

    /// A stored (uncompressed) zip of one entry, built by hand: local header, data, central directory, end record.
    static func storedZip(name: String = "a.txt", data: [UInt8] = Array("hi".utf8), localOffsetShift: UInt32 = 0) -> [UInt8] {
        func le16(_ value: Int) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF)] }
        func le32(_ value: Int) -> [UInt8] { le16(value & 0xFFFF) + le16(value >> 16 & 0xFFFF) }
        let nameBytes = Array(name.utf8)
        let local = [0x50, 0x4b, 0x03, 0x04] + le16(20) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0)
            + le32(data.count) + le32(data.count) + le16(nameBytes.count) + le16(0) + nameBytes + data
        let central = [0x50, 0x4b, 0x01, 0x02] + le16(20) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0)
            + le32(data.count) + le32(data.count) + le16(nameBytes.count) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0)
            + le32(Int(localOffsetShift)) + nameBytes
        let end = [0x50, 0x4b, 0x05, 0x06] + le16(0) + le16(0) + le16(1) + le16(1) + le32(central.count) + le32(local.count)
            + le16(0)
        return local + central + end
    }

    /// Found by fuzzing: a wheel whose METADATA entry points into the middle of another entry; ZIPFoundation
    /// inflated past the end of the file forever.
    static let wheelThatHung = Array(Data(base64Encoded: "UEsDBBQAAAAIAHiIgl0AAAAAAgAAAAAAAAAPAAAAcGtnL19faW5pdF9fLnB5AwBQSwMEFAAAAAgAiHiCXaJZkLWPAAAAwQAAABoAAABwa2ctMS4wLmRpc3QtaW5mby9NRVRBREFUQV1OTwuCMBS/vU/xsLOj6SVWCkHHiijoGkMfOmy6tmfgt28ZFHT8/f8diHWtWadX8sEMvcJMSDhqSwpd18CXlmIJl9Fa7SeFW2QKjE5XnW4I1PQYjaeQniZu3+ayyMXqR+9MYIU+wpgKZZHFrj+RB3s3a3Rzwe35UsUNJrmQMgFYzG9gP/QN1hQqbxxHh4AXUEsDBBQAAAAIAHiIgl2MSDsmFQAAABMAAAAXAAAAcGtnLTEuMC5kaXN0LWluZm8vV0hFRUwLz0hNzdENS7POzM9SLSow1DPgAgBQSwECFAMUAAAACAB4iIJdAAAAAAIAAAAAAAAADwAAAAAAAAAAAAAAgAEAAAAAcGtnL19faW5pdF9fLnB5UEsBAhQDFAAAAAgAeIiCXaJZkLWPAAAAwQAAABoAAAAAAAAAAAAAAIABLwAAAHBrRy0xLjAuZGlzdC1pbmZvL01FVEFEQVRBUEsBAhQDFAAAAAgAeIiCXYxIOyYVAAAAEwAAABcAAAAAAAAAAAAAAIAB9gAAAHBrZy0xLjAuZGlzdC1pbmZvL1dIRUVMUEsFBgAAAAADAAMAygAAAEABAAAAAA==")!)

    @Test("entries must have their local header where the directory says and their data inside the file")
    func centralDirectory() throws {
        let cases: [(bytes: [UInt8], expected: Bool)] = [
            (Self.storedZip(), true),
            (Self.emptyZip, true),
            // Well-formed as a zip: its METADATA's deflate stream is what never ends (see DistributionInspectorTests).
            (Self.wheelThatHung, true),
            // The directory points past the local header.
            (Self.storedZip(localOffsetShift: 5), false),
            // Data cut short: the file ends before the entry's bytes do.
            (Array(Self.storedZip(data: Array(repeating: 0x41, count: 100)).dropFirst(0).prefix(60))
                + Array(Self.storedZip(data: Array(repeating: 0x41, count: 100)).suffix(22 + 46 + 5)), false),
            ([UInt8](repeating: 7, count: 1000), false),
        ]
        for (index, test) in cases.enumerated() {
            let url = try file(test.bytes)
            defer { try? FileManager.default.removeItem(at: url) }
            #expect((ZipProbe.centralDirectory(at: url) != nil) == test.expected, "case \(index)")
        }
        let url = try file(Self.storedZip(name: "pkg/METADATA", data: Array("Name: x".utf8)))
        defer { try? FileManager.default.removeItem(at: url) }
        let entries = try #require(ZipProbe.centralDirectory(at: url))
        #expect(entries.map(\.path) == ["pkg/METADATA"] && entries[0].method == 0 && entries[0].uncompressedSize == 7)
        #expect(try ZipProbe.rawBytes(of: entries[0], in: url) == Data("Name: x".utf8))
    }
}
