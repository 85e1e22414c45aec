import DepotCore
import Foundation
import Testing

@testable import DepotPyPI

@Suite("TarStreamReader")
struct TarStreamReaderTests {
    /// A plain tar made by GNU tar, fed to the reader in chunks of `chunk` bytes.
    func find(in tar: Data, chunk: Int, wanted: String) throws -> TarStreamReader.Entry? {
        var reader = TarStreamReader(maxEntrySize: 1 << 20) { $0 == wanted }
        var offset = 0
        while offset < tar.count {
            let end = min(offset + chunk, tar.count)
            let found = try tar[offset..<end].withUnsafeBytes { try reader.consume($0) }
            if let found { return found }
            offset = end
        }
        #expect(reader.isFinished)
        return nil
    }

    @Test("finds entries whatever the chunk boundaries", arguments: ["gnu", "pax", "ustar", "v7"], [1, 7, 512, 4096, 1 << 20])
    func chunking(format: String, chunk: Int) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let long = "pkg-1.0/" + String(repeating: "long_directory_name/", count: 4) + "file.txt"  // 96 bytes
        let longer = "pkg-1.0/" + String(repeating: "much_longer_directory/", count: 5) + "data.bin"  // 126 bytes
        try dir.write("src/pkg-1.0/empty", Data())
        try dir.write("src/\(long)", Data("long\n".utf8))
        try dir.write("src/\(longer)", Fixtures.noise(count: 1500))
        try dir.write("src/pkg-1.0/PKG-INFO", Data("found me\n".utf8))
        var files = ["pkg-1.0/empty", long, "pkg-1.0/PKG-INFO"]
        if format != "v7" { files.insert(longer, at: 2) }  // v7 cannot store names over 100 bytes
        try Fixtures.run(["tar", "--format=\(format)", "-cf", dir.path("out.tar")] + files, in: dir.url.appendingPathComponent("src"))
        let tar = try Data(contentsOf: URL(fileURLWithPath: dir.path("out.tar")))

        let pkgInfo = try #require(try find(in: tar, chunk: chunk, wanted: "pkg-1.0/PKG-INFO"))
        #expect(String(decoding: pkgInfo.data, as: UTF8.self) == "found me\n")
        if format != "v7" {
            let data = try #require(try find(in: tar, chunk: chunk, wanted: longer))
            #expect(Data(data.data) == Fixtures.noise(count: 1500))
        }
        let empty = try #require(try find(in: tar, chunk: chunk, wanted: "pkg-1.0/empty"))
        #expect(empty.data.isEmpty)
        #expect(try find(in: tar, chunk: chunk, wanted: "pkg-1.0/missing") == nil)
    }

    @Test("a leading ./ is ignored")
    func dotSlash() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("src/pkg-1.0/PKG-INFO", Data("x".utf8))
        try Fixtures.run(["tar", "-cf", dir.path("out.tar"), "./pkg-1.0/PKG-INFO"], in: dir.url.appendingPathComponent("src"))
        let tar = try Data(contentsOf: URL(fileURLWithPath: dir.path("out.tar")))
        #expect(try find(in: tar, chunk: 100, wanted: "pkg-1.0/PKG-INFO")?.data == Array("x".utf8))
    }

    @Test("a corrupt header is refused")
    func corruptHeader() throws {
        var block = [UInt8](repeating: 0, count: 512)
        for (i, c) in "pkg-1.0/PKG-INFO".utf8.enumerated() { block[i] = c }
        for (i, c) in "00000000001\0".utf8.enumerated() { block[124 + i] = c }
        for (i, c) in "0000000\0".utf8.enumerated() { block[148 + i] = c }  // wrong checksum
        var reader = TarStreamReader(maxEntrySize: 100) { _ in true }
        let error = expectBadRequest { _ = try block.withUnsafeBytes { try reader.consume($0) } }
        #expect(error?.message.contains("checksum") == true)
    }

    /// A ustar header block of `type` announcing `size` bytes, with a valid checksum.
    static func header(name: String, type: Character, size: Int) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int) { for (i, c) in text.utf8.enumerated() { block[offset + i] = c } }
        put(name, at: 0)
        put(String(repeating: "0", count: 11 - String(size, radix: 8).count) + String(size, radix: 8), at: 124)
        put(String(type), at: 156)
        put("ustar\0", at: 257)
        put("        ", at: 148)
        let sum = block.reduce(0) { $0 + Int($1) }
        put(String(repeating: "0", count: 6 - String(sum, radix: 8).count) + String(sum, radix: 8) + "\0", at: 148)
        return block
    }

    @Test("a pax record length near Int.max is a clean error, not an overflow trap", arguments: [
        "9223372036854775807 path=x\n", "9223372036854775806 path=x\n", "99999999999999999999 path=x\n", "30 path=x\n",
    ])
    func paxLengthOverflow(record: String) throws {
        // After a valid first record `index` is 11, so `index + length` overflowed.
        let data = Array(("11 path=ab\n" + record).utf8)
        var tar = Self.header(name: "PaxHeader/PKG-INFO", type: "x", size: data.count) + data
        tar += [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
        tar += Self.header(name: "pkg-1.0/PKG-INFO", type: "0", size: 0) + [UInt8](repeating: 0, count: 1024)
        var reader = TarStreamReader(maxEntrySize: 100) { _ in true }
        let error = expectBadRequest { _ = try tar.withUnsafeBytes { try reader.consume($0) } }
        #expect(error?.code == "InvalidDistribution")
        #expect(error?.message.contains("bad pax header") == true)
    }

    @Test("a wanted entry larger than the limit is refused without reading it")
    func tooLarge() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("src/pkg-1.0/PKG-INFO", Data(count: 5000))
        try Fixtures.run(["tar", "-cf", dir.path("out.tar"), "pkg-1.0/PKG-INFO"], in: dir.url.appendingPathComponent("src"))
        let header = try Data(contentsOf: URL(fileURLWithPath: dir.path("out.tar"))).prefix(512)
        var reader = TarStreamReader(maxEntrySize: 1000) { _ in true }
        let error = expectBadRequest { _ = try header.withUnsafeBytes { try reader.consume($0) } }
        #expect(error?.code == "MetadataTooLarge")
    }
}
