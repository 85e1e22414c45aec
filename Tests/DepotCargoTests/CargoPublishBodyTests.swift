import DepotCore
import Foundation
import Testing

@testable import DepotCargo

@Suite("Cargo publish body")
struct CargoPublishBodyTests {
    static let crate: [UInt8] = [0x1f, 0x8b] + Array(repeating: 0x41, count: 5000)
    static let json = Array(#"{"name":"foo","vers":"1.0.0","deps":[],"features":{}}"#.utf8)
    static let limits = CargoPublishBody.Limits(maxJSON: 1 << 16, maxCrate: 1 << 20)

    static func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xff) } }

    static func body(json: [UInt8] = json, crate: [UInt8] = crate) -> [UInt8] {
        le32(UInt32(json.count)) + json + le32(UInt32(crate.count)) + crate
    }

    /// Feeds `bytes` in pieces of `size` and finishes; the writer used is returned for inspection.
    static func parse(_ bytes: [UInt8], pieces size: Int, limits: CargoPublishBody.Limits = limits) throws
        -> (CargoPublishBody.Parts, MemoryBlobWriter)
    {
        let writer = MemoryBlobWriter()
        var body = CargoPublishBody(limits: limits) { writer }
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + size, bytes.count)
            try bytes[offset..<end].withUnsafeBytes { try body.consume($0) }
            offset = end
        }
        return (try body.finish(), writer)
    }

    static func kind(of error: any Error) -> DepotError.Kind? { (error as? DepotError)?.kind }

    @Test("the same parts whatever the chunking", arguments: [1, 3, 4, 7, 4096, Int.max])
    func chunking(size: Int) throws {
        let (parts, writer) = try Self.parse(Self.body(), pieces: size)
        #expect(parts.json == Self.json)
        #expect(parts.crateSize == Self.crate.count)
        #expect(writer.bytes == Self.crate)
    }

    @Test("a body cut anywhere is refused as malformed")
    func truncated() {
        let whole = Self.body(crate: [0x1f, 0x8b, 1, 2, 3])
        for cut in 0..<whole.count {
            #expect(throws: DepotError.self, "cut at \(cut)") { try Self.parse(Array(whole[..<cut]), pieces: 3) }
            do {
                _ = try Self.parse(Array(whole[..<cut]), pieces: 3)
            } catch {
                #expect(Self.kind(of: error) == .badRequest, "cut at \(cut): \(error)")
            }
        }
    }

    @Test("bytes after the declared .crate are refused")
    func trailing() {
        #expect(throws: DepotError.self) { try Self.parse(Self.body() + [0], pieces: 4096) }
    }

    @Test("lengths over the limits are refused at once with 413, the largest u32 included")
    func oversized() throws {
        for length in [UInt32(Self.limits.maxJSON + 1), UInt32.max, UInt32(Int32.max), 0x8000_0000] {
            let writer = MemoryBlobWriter()
            var body = CargoPublishBody(limits: Self.limits) { writer }
            do {
                try Self.le32(length).withUnsafeBytes { try body.consume($0) }
                Issue.record("a JSON length of \(length) was accepted")
            } catch {
                #expect(Self.kind(of: error) == .payloadTooLarge)
            }
        }
        for length in [UInt32(Self.limits.maxCrate + 1), UInt32.max] {
            let bytes = Self.le32(UInt32(Self.json.count)) + Self.json + Self.le32(length)
            do {
                _ = try Self.parse(bytes, pieces: 1)
                Issue.record("a crate length of \(length) was accepted")
            } catch {
                #expect(Self.kind(of: error) == .payloadTooLarge)
            }
        }
        // Limits at the very top of Int do not overflow either.
        let huge = CargoPublishBody.Limits(maxJSON: .max, maxCrate: .max)
        #expect(throws: DepotError.self) { try Self.parse(Self.le32(.max) + [1, 2, 3], pieces: 2, limits: huge) }
    }

    @Test("empty JSON, empty or non-gzip .crate are refused")
    func emptyParts() {
        #expect(throws: DepotError.self) { try Self.parse(Self.le32(0) + Self.le32(0), pieces: 4096) }
        #expect(throws: DepotError.self) { try Self.parse(Self.body(crate: []), pieces: 4096) }
        #expect(throws: DepotError.self) { try Self.parse(Self.body(crate: Array("PK not a crate".utf8)), pieces: 4096) }
        #expect(throws: DepotError.self) { try Self.parse(Self.body(crate: [0x1f]), pieces: 1) }
        #expect(throws: DepotError.self) { try Self.parse([], pieces: 1) }
    }

    @Test("the .crate is never buffered: the writer gets it piece by piece")
    func streams() throws {
        let big: [UInt8] = [0x1f, 0x8b] + Array(repeating: 7, count: 300_000)
        let (parts, writer) = try Self.parse(Self.body(crate: big), pieces: 65536)
        #expect(parts.crateSize == big.count)
        #expect(try writer.finish().sha256 == Hex.encode(SHA256Digest.of(big)))
    }
}

/// SHA-256 of bytes through the same hasher the blob store uses.
enum SHA256Digest {
    static func of(_ bytes: [UInt8]) -> [UInt8] {
        var hasher = MultiHasher()
        bytes.withUnsafeBytes { hasher.update($0) }
        return Hex.decode(hasher.finalize().sha256) ?? []
    }
}
