import DepotCore
import Foundation
import Hummingbird
import Testing

@testable import DepotSwiftRegistry

@Suite("Source archive inspection")
struct SourceArchiveInspectorTests {
    let inspector = SourceArchiveInspector(maxEntries: 100, maxExpandedSize: 1 << 20)

    @Test("Package.swift and the version-specific manifests of the top directory are read, with their tools versions")
    func manifests() throws {
        let archive = try TestArchive([
            ("LinkedList/", ""),
            ("LinkedList/Package.swift", libraryManifest),
            ("LinkedList/Package@swift-5.8.swift", "// swift-tools-version: 5.8\nimport PackageDescription\n"),
            ("LinkedList/Package@swift-6.swift", "//swift-tools-version:6.0;(experimentalFeatures)\n"),
            ("LinkedList/Sources/LinkedList/LinkedList.swift", "public struct LinkedList {}\n"),
            ("LinkedList/Sources/Package.swift", "// not the manifest\n"),
        ])
        defer { archive.remove() }
        let inspection = try inspector.inspect(fileAt: archive.url)
        #expect(inspection.topDirectory == "LinkedList")
        #expect(inspection.manifests.map(\.file.filename) == ["Package.swift", "Package@swift-5.8.swift", "Package@swift-6.swift"])
        #expect(inspection.manifests.map(\.toolsVersion) == ["5.9", "5.8", "6.0"])
        #expect(inspection.manifests[0].contents == Data(libraryManifest.utf8))
    }

    @Test("Stored (uncompressed) entries are read too")
    func stored() throws {
        let archive = try TestArchive([("pkg/Package.swift", libraryManifest)], compressed: false)
        defer { archive.remove() }
        #expect(try inspector.inspect(fileAt: archive.url).manifests.count == 1)
    }

    @Test("Refused archives", arguments: [
        ("no manifest", [("pkg/Sources/a.swift", "x")]),
        ("manifest below the top directory", [("pkg/sub/Package.swift", libraryManifest)]),
        ("no top directory", [("Package.swift", libraryManifest)]),
        ("two top directories", [("a/Package.swift", libraryManifest), ("b/README.md", "x")]),
        ("traversal", [("pkg/Package.swift", libraryManifest), ("pkg/../../evil.sh", "x")]),
        ("dot segment", [("pkg/./Package.swift", libraryManifest)]),
        ("absolute path", [("/pkg/Package.swift", libraryManifest)]),
        ("backslash", [("pkg/Package.swift", libraryManifest), ("pkg\\..\\evil", "x")]),
        ("empty segment", [("pkg//Package.swift", libraryManifest)]),
        ("no tools version", [("pkg/Package.swift", "import PackageDescription\n")]),
        ("bad tools version", [("pkg/Package.swift", "// swift-tools-version:five\n")]),
        ("bad versioned tools version", [("pkg/Package.swift", libraryManifest), ("pkg/Package@swift-5.swift", "let x = 1\n")]),
    ])
    func refused(_ name: String, _ files: [(String, String)]) throws {
        let archive = try TestArchive(files.map { (path: $0.0, contents: $0.1) })
        defer { archive.remove() }
        let error = try #require(throws: HTTPError.self, "\(name)") { try inspector.inspect(fileAt: archive.url) }
        #expect(error.status == .unprocessableContent)
    }

    @Test("Not a zip, a truncated zip, an empty file")
    func notZip() throws {
        let full = try TestArchive([("pkg/Package.swift", libraryManifest)])
        defer { full.remove() }
        for bytes in [Data("just text, no zip".utf8), full.data.prefix(full.data.count - 30), Data()] {
            let archive = try TestArchive(bytes: bytes)
            defer { archive.remove() }
            #expect(throws: HTTPError.self) { try inspector.inspect(fileAt: archive.url) }
        }
    }

    @Test("Limits: entries, expanded size, manifest size, number of manifests")
    func limits() throws {
        let many = try TestArchive((0..<20).map { (path: "pkg/f\($0).swift", contents: "x") } + [("pkg/Package.swift", libraryManifest)])
        defer { many.remove() }
        #expect(throws: HTTPError.self) { try SourceArchiveInspector(maxEntries: 10, maxExpandedSize: 1 << 20).inspect(fileAt: many.url) }

        let big = try TestArchive([("pkg/Package.swift", libraryManifest), ("pkg/blob.txt", String(repeating: "a", count: 200_000))])
        defer { big.remove() }
        let tooLarge = try #require(throws: DepotError.self) {
            try SourceArchiveInspector(maxEntries: 10, maxExpandedSize: 100_000).inspect(fileAt: big.url)
        }
        #expect(tooLarge.kind == .payloadTooLarge)

        let hugeManifest = try TestArchive([("pkg/Package.swift", libraryManifest + String(repeating: "// padding\n", count: 20_000))])
        defer { hugeManifest.remove() }
        var small = inspector
        small.maxManifestSize = 64 * 1024
        #expect(throws: HTTPError.self) { try small.inspect(fileAt: hugeManifest.url) }

        let versions = try TestArchive(
            [("pkg/Package.swift", libraryManifest)] + (1...5).map { (path: "pkg/Package@swift-5.\($0).swift", contents: libraryManifest) })
        defer { versions.remove() }
        small.maxManifests = 4
        #expect(throws: HTTPError.self) { try small.inspect(fileAt: versions.url) }
    }

    @Test("Declared sizes near 4 GiB each are summed without trapping and refused past the limit")
    func overflowingSizes() throws {
        let archive = try TestArchive([("pkg/Package.swift", libraryManifest), ("pkg/a", "a"), ("pkg/b", "b")], compressed: false)
        defer { archive.remove() }
        // Rewrite the central directory's uncompressed sizes to 0xFFFFFFFE (not ZIP64's marker) for two entries.
        var bytes = [UInt8](archive.data)
        var index = 0
        var patched = 0
        while index + 46 <= bytes.count {
            if bytes[index..<(index + 4)].elementsEqual([0x50, 0x4b, 0x01, 0x02]) {
                let name = String(decoding: bytes[(index + 46)..<(index + 46 + 5)], as: UTF8.self)
                if name == "pkg/a" || name == "pkg/b" {
                    bytes.replaceSubrange((index + 24)..<(index + 28), with: [0xFE, 0xFF, 0xFF, 0xFF])
                    patched += 1
                }
            }
            index += 1
        }
        #expect(patched == 2)
        let edited = try TestArchive(bytes: Data(bytes))
        defer { edited.remove() }
        let error = try #require(throws: DepotError.self) {
            try SourceArchiveInspector(maxEntries: 10, maxExpandedSize: 1 << 30).inspect(fileAt: edited.url)
        }
        #expect(error.kind == .payloadTooLarge)
    }

    @Test("Manifest file names and tools-version comments")
    func manifestNames() {
        #expect(PackageManifestFile(filename: "Package.swift")?.swiftVersion == nil)
        #expect(PackageManifestFile(filename: "Package@swift-5.swift")?.swiftVersion == "5")
        #expect(PackageManifestFile(filename: "Package@swift-5.9.1.swift")?.swiftVersion == "5.9.1")
        for bad in ["Package@swift-.swift", "Package@swift-5.9.1.2.swift", "Package@swift-x.swift", "package.swift", "Package@swift-5..swift"] {
            #expect(PackageManifestFile(filename: bad) == nil, "\(bad)")
        }
        #expect(ManifestToolsVersion.parse("// swift-tools-version:5.9\n") == "5.9")
        #expect(ManifestToolsVersion.parse("\u{FEFF}//swift-tools-version: 6.0.1\r\n") == "6.0.1")
        #expect(ManifestToolsVersion.parse("// swift-tools-version:6\n") == "6.0")
        #expect(ManifestToolsVersion.parse("// swift-tools-version:5.9; (a)\n") == "5.9")
        #expect(ManifestToolsVersion.parse("// swift-tools-version:5.9abc\n") == nil)
        #expect(ManifestToolsVersion.parse("import PackageDescription\n// swift-tools-version:5.9\n") == nil)
    }
}
