import DepotCore
import Foundation
import Testing

@testable import DepotCargo
@testable import DepotClientConfig

@Suite("crates.io upstream and client configuration")
struct CargoUpstreamFormatTests {
    let format = CargoUpstreamFormat()
    static let cksum = String(repeating: "a1", count: 32)

    static func line(_ name: String, _ vers: String, yanked: Bool = false, cksum: String = cksum) -> String {
        #"{"name":"\#(name)","vers":"\#(vers)","deps":[{"name":"libc","req":"^0.2","features":[],"optional":false,"default_features":true,"target":null,"kind":"normal"}],"cksum":"\#(cksum)","features":{},"yanked":\#(yanked),"links":null,"v":2,"features2":{"x":["dep:libc"]},"pubtime":"2024-05-01T10:00:00Z"}"#
    }

    @Test("the index file of crates.io and of any other index root")
    func urls() throws {
        let key = try CargoCrateName("Inflector").key
        #expect(format.metadataRequest(for: key, base: URL(string: "https://index.crates.io/")!).url.absoluteString
            == "https://index.crates.io/in/fl/inflector")
        #expect(format.metadataRequest(for: key, base: URL(string: "http://127.0.0.1:9/index")!).url.absoluteString
            == "http://127.0.0.1:9/index/in/fl/inflector")
        let name = try CargoCrateName("Inflector")
        #expect(CargoUpstreamFormat.crateURL(name, version: CargoVersion("0.11.4")!, base: URL(string: "https://index.crates.io/in/fl/inflector")!)
            .absoluteString == "https://static.crates.io/crates/Inflector/Inflector-0.11.4.crate")
        #expect(CargoUpstreamFormat.crateURL(name, version: CargoVersion("0.11.4")!, base: URL(string: "http://127.0.0.1:9/index/in/fl/inflector")!)
            .absoluteString == "http://127.0.0.1:9/index/crates/Inflector/Inflector-0.11.4.crate")
    }

    @Test("every readable line is a version with its .crate and sha256; yanked ones stay, flagged")
    func parse() throws {
        let key = try CargoCrateName("libz").key
        let body = [Self.line("libz", "1.0.0"), Self.line("libz", "1.1.0", yanked: true), "{not json", #"{"name":"libz","vers":"2.0.0","v":3}"#,
            Self.line("libz", "1.2.0+meta")].joined(separator: "\n") + "\n"
        let package = try format.parseMetadata(Data(body.utf8), key: key, documentURL: URL(string: "https://index.crates.io/li/bz/libz")!)
        #expect(package.versions.map(\.version) == ["1.0.0", "1.1.0", "1.2.0"])
        let yanked = try #require(package.version("1.1.0"))
        #expect(yanked.isListed)
        #expect(try CargoIndexEntry(data: yanked.metadata).yanked)
        let asset = try #require(package.version("1.2.0")?.assets.first)
        #expect(asset.name == "libz-1.2.0.crate")
        #expect(asset.url.absoluteString == "https://static.crates.io/crates/libz/libz-1.2.0+meta.crate")
        #expect(asset.expected == [.sha256: Self.cksum])
        #expect(package.version("1.0.0")?.publishedAt == Date(timeIntervalSince1970: 1_714_557_600))
        let entry = try CargoIndexEntry(data: try #require(package.version("1.0.0")).metadata)
        #expect(entry.features2 == ["x": ["dep:libc"]] && entry.deps.first?.name == "libc")
    }

    @Test("a file for another crate, or with nothing readable, is refused (and so never cached)")
    func refused() throws {
        let key = try CargoCrateName("libz").key
        let url = URL(string: "https://index.crates.io/li/bz/libz")!
        #expect(throws: (any Error).self) { try format.parseMetadata(Data(Self.line("other", "1.0.0").utf8), key: key, documentURL: url) }
        #expect(throws: (any Error).self) { try format.parseMetadata(Data("<html>garbage</html>".utf8), key: key, documentURL: url) }
        #expect(throws: (any Error).self) { try format.parseMetadata(Data([0xff, 0xfe, 0x00]), key: key, documentURL: url) }
        let badSum = try format.parseMetadata(Data((Self.line("libz", "1.0.0", cksum: "xyz") + "\n" + Self.line("libz", "2.0.0")).utf8),
            key: key, documentURL: url)
        #expect(badSum.versions.map(\.version) == ["2.0.0"])
    }

    @Test("config.toml gets [registries.depot] with the sparse index and token; other settings stay")
    func configFile() throws {
        let existing = """
            [net]
            git-fetch-with-cli = true

            [registries.depot]
            index = "sparse+http://old/"
            # keep me

            [build]
            jobs = 2
            """
        let merged = try CargoConfigFile.merged(existing: existing, table: "registries.depot", values: ["index": "sparse+http://h/a/b/cargo/", "token": "dpt_x\"y"])
        #expect(merged.contains("[net]\ngit-fetch-with-cli = true"))
        #expect(merged.contains("[registries.depot]\ntoken = \"dpt_x\\\"y\"\nindex = \"sparse+http://h/a/b/cargo/\"\n# keep me"))
        #expect(merged.contains("[build]\njobs = 2"))
        #expect(!merged.contains("old"))
        let fresh = try CargoConfigFile.merged(existing: "", table: "registries.depot", values: ["index": "sparse+x/", "token": "t"])
        #expect(fresh == "[registries.depot]\nindex = \"sparse+x/\"\ntoken = \"t\"\n")
        for unsafe in ["[registries]\ndepot = { index = \"x\" }\n", "registries.depot.index = \"x\"\n", "[registries.depot]\n[registries.depot]\n"] {
            #expect(throws: CargoConfigFile.Unsafe.self) { try CargoConfigFile.merged(existing: unsafe, table: "registries.depot", values: ["token": "t"]) }
        }
        let configurator = CargoClientConfigurator()
        let variables = configurator.buildVariables(endpoint: "https://d/acme/main/cargo/", token: "dpt_t", home: URL(fileURLWithPath: "/h"), trust: nil)
        #expect(variables["CARGO_REGISTRIES_DEPOT_INDEX"] == "sparse+https://d/acme/main/cargo/")
        #expect(variables["CARGO_REGISTRIES_DEPOT_TOKEN"] == "dpt_t")
        let file = try #require(configurator.tools.first).configFile(endpoint: "https://d/acme/main/cargo/", token: "dpt_t", options: ToolOptions())
        #expect(file.homePath == ".cargo/config.toml")
        #expect(try file.edit("").contains("index = \"sparse+https://d/acme/main/cargo/\""))
    }
}
