import DepotCore
import Foundation
import Testing

@testable import DepotPyPI

@Suite("distribution inspection limits")
struct DistributionInspectorLimitTests {
    @Test("a wheel with more entries than maxArchiveEntries: 400 TooManyEntries")
    func wheelEntries() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("pkg-1.0-py3-none-any.whl")
        let files = (0..<100).map { ("pkg/m\($0).py", Data()) }
        try Fixtures.makeZip(at: path, entries: files + [("pkg-1.0.dist-info/METADATA", Fixtures.metadata(name: "pkg", version: "1.0"))])
        let error = expectBadRequest {
            _ = try DistributionInspector(maxEntries: 50).inspect(fileAt: path, as: DistributionFilename("pkg-1.0-py3-none-any.whl"))
        }
        #expect(error?.code == "TooManyEntries")
        #expect(try DistributionInspector(maxEntries: 200).inspect(fileAt: path, as: DistributionFilename("pkg-1.0-py3-none-any.whl"))
            .metadata.name == "pkg")
    }

    @Test("an sdist tar with more entries than maxArchiveEntries: 400 TooManyEntries")
    func sdistEntries() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var names: [String] = []
        for i in 0..<100 {
            try dir.write("src/pkg-1.0/f\(i).txt", Data())
            names.append("pkg-1.0/f\(i).txt")
        }
        try dir.write("src/pkg-1.0/PKG-INFO", Fixtures.metadata(name: "pkg", version: "1.0"))
        try Fixtures.run(["tar", "-czf", dir.path("pkg-1.0.tar.gz")] + names + ["pkg-1.0/PKG-INFO"], in: dir.url.appendingPathComponent("src"))
        let error = expectBadRequest {
            _ = try DistributionInspector(maxEntries: 50).inspect(fileAt: dir.path("pkg-1.0.tar.gz"), as: DistributionFilename("pkg-1.0.tar.gz"))
        }
        #expect(error?.code == "TooManyEntries")
        #expect(try DistributionInspector(maxEntries: 200).inspect(fileAt: dir.path("pkg-1.0.tar.gz"), as: DistributionFilename("pkg-1.0.tar.gz"))
            .metadata.version == "1.0")
    }

    @Test("a zip bomb: METADATA whose declared size lies inflates only to the limit, then 400")
    func lyingZipEntry() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("pkg-1.0-py3-none-any.whl")
        let bomb = Fixtures.metadata(name: "pkg", version: "1.0") + Data(repeating: UInt8(ascii: "A"), count: 8 << 20)
        try Fixtures.makeZip(at: path, entries: [("pkg-1.0.dist-info/METADATA", bomb)])
        // Declare 100 bytes in the local and central headers.
        var zip = try Data(contentsOf: URL(fileURLWithPath: path))
        for (signature, offset) in [([UInt8]([0x50, 0x4B, 0x03, 0x04]), 22), ([0x50, 0x4B, 0x01, 0x02], 24)] {
            let at = try #require(zip.firstRange(of: Data(signature))).lowerBound
            zip.replaceSubrange((at + offset)..<(at + offset + 4), with: [100, 0, 0, 0])
        }
        try zip.write(to: URL(fileURLWithPath: path))
        #expect(throws: DepotError.self) {
            _ = try DistributionInspector(maxMetadataSize: 1 << 20).inspect(fileAt: path, as: DistributionFilename("pkg-1.0-py3-none-any.whl"))
        }
    }
}
