import DepotCore
import Foundation
import Testing

@testable import DepotCargo

@Suite("Cargo publish metadata and index lines")
struct CargoPublishMetadataTests {
    /// What cargo 1.95 sends for a crate with a renamed, an optional, a target-specific and a dev dependency.
    static let newCrate = """
        {"name":"depot-demo","vers":"0.2.0+build.7","deps":[
          {"optional":false,"default_features":true,"name":"depot-util","features":[],"version_req":"^0.1.0","target":null,
           "kind":"normal","registry":null,"explicit_name_in_toml":null},
          {"optional":true,"default_features":false,"name":"serde","features":["derive"],"version_req":"^1","target":null,
           "kind":"normal","registry":"https://github.com/rust-lang/crates.io-index","explicit_name_in_toml":"serde1"},
          {"optional":false,"default_features":true,"name":"winapi","features":[],"version_req":"0.3","target":"cfg(windows)",
           "kind":"build","registry":null},
          {"optional":false,"default_features":true,"name":"depot-test","features":[],"version_req":"=1.0.0","target":null,"kind":"dev",
           "registry":null}],
         "features":{"default":["std"],"std":[],"json":["dep:serde1"],"maybe":["serde1?/std"]},
         "authors":["A"],"description":"A demo crate","documentation":null,"homepage":null,"readme":null,"readme_file":null,
         "keywords":[],"categories":[],"license":"MIT","license_file":null,"repository":null,"badges":{},"links":"demo",
         "rust_version":"1.70"}
        """

    @Test("Cargo's NewCrate becomes the index line: renames, kinds, targets, features2 with v 2")
    func indexLine() throws {
        let metadata = try CargoPublishMetadata(json: Array(Self.newCrate.utf8), limits: InputLimits())
        #expect(metadata.name.name == "depot-demo")
        #expect(metadata.version.identity == "0.2.0")
        #expect(metadata.description == "A demo crate")
        let entry = metadata.indexEntry(cksum: String(repeating: "ab", count: 32))
        #expect(entry.vers == "0.2.0+build.7")
        #expect(entry.features == ["default": ["std"], "std": []])
        #expect(entry.features2 == ["json": ["dep:serde1"], "maybe": ["serde1?/std"]])
        #expect(entry.v == 2)
        #expect(entry.links == "demo")
        #expect(entry.rustVersion == "1.70")
        let serde = try #require(entry.deps.first { $0.package == "serde" })
        #expect(serde.name == "serde1")
        #expect(serde.optional && !serde.defaultFeatures && serde.features == ["derive"])
        #expect(serde.registry == "https://github.com/rust-lang/crates.io-index")
        #expect(entry.deps.first { $0.name == "winapi" }?.target == "cfg(windows)")
        #expect(entry.deps.first { $0.name == "winapi" }?.kind == "build")
        #expect(entry.deps.first { $0.name == "depot-test" }?.kind == "dev")

        // The line is what Cargo reads: its keys, nulls for no target/registry, rust_version spelled its way.
        let line = try #require(try JSONSerialization.jsonObject(with: try entry.line()) as? [String: Any])
        for key in ["name", "vers", "deps", "cksum", "features", "features2", "yanked", "links", "v", "rust_version"] {
            #expect(line[key] != nil, "\(key) missing")
        }
        let deps = try #require(line["deps"] as? [[String: Any]])
        let util = try #require(deps.first { $0["name"] as? String == "depot-util" })
        #expect(util["req"] as? String == "^0.1.0")
        #expect(util["default_features"] as? Bool == true)
        #expect(util["target"] is NSNull && util["registry"] is NSNull)
        #expect(util["package"] == nil)
        #expect(try CargoIndexEntry(data: try entry.encoded()) == entry)
        #expect(!(try entry.line()).contains(UInt8(ascii: "\n")))
    }

    @Test("features without the new syntax stay in features, with no v")
    func plainFeatures() throws {
        let json = #"{"name":"a","vers":"1.0.0","deps":[],"features":{"x":["y"],"y":[]}}"#
        let entry = try CargoPublishMetadata(json: Array(json.utf8), limits: InputLimits()).indexEntry(cksum: "00")
        #expect(entry.features2 == nil && entry.v == nil && entry.features.count == 2)
    }

    @Test("bad names, versions, dependencies, features and JSON are refused with 400")
    func refused() {
        let bad = [
            #"{"name":"../etc","vers":"1.0.0","deps":[],"features":{}}"#,
            #"{"name":"1abc","vers":"1.0.0","deps":[],"features":{}}"#,
            #"{"name":"ok","vers":"1.0","deps":[],"features":{}}"#,
            #"{"name":"ok","vers":"01.0.0","deps":[],"features":{}}"#,
            #"{"name":"ok","vers":"1.0.0","deps":[{"name":"b/c","version_req":"1"}],"features":{}}"#,
            #"{"name":"ok","vers":"1.0.0","deps":[{"name":"b","version_req":""}],"features":{}}"#,
            #"{"name":"ok","vers":"1.0.0","deps":[{"name":"b","version_req":"1;rm -rf"}],"features":{}}"#,
            #"{"name":"ok","vers":"1.0.0","deps":[{"name":"b","version_req":"1","kind":"weird"}],"features":{}}"#,
            #"{"name":"ok","vers":"1.0.0","deps":[{"name":"b","version_req":"1","explicit_name_in_toml":"x y"}],"features":{}}"#,
            #"{"name":"ok","vers":"1.0.0","deps":[],"features":{"bad name":[]}}"#,
            #"{"name":"ok","vers":"1.0.0","deps":[],"features":{"f":[""]}}"#,
            #"{"name":"ok","vers":"1.0.0","deps":[],"features":{},"rust_version":"latest"}"#,
            #"{"name":"ok","vers":"1.0.0","deps":"none","features":{}}"#,
            #"{"vers":"1.0.0"}"#,
            #"{"name":"ok","vers":"1.0.0""#,
            "[]",
            String(repeating: "[", count: 100) + String(repeating: "]", count: 100),
        ]
        for json in bad {
            do {
                _ = try CargoPublishMetadata(json: Array(json.utf8), limits: InputLimits())
                Issue.record("accepted \(json)")
            } catch {
                #expect((error as? DepotError)?.kind == .badRequest, "\(json): \(error)")
            }
        }
    }

    @Test("index files list versions oldest first, one line each")
    func render() throws {
        let lines = ["1.10.0", "1.2.0", "1.2.0-rc.1"].map { vers in
            (CargoVersion(vers)!, CargoIndexEntry(name: "foo", vers: vers, deps: [], cksum: String(repeating: "0", count: 64), features: [:]))
        }.sorted { $0.0 < $1.0 }
        let text = String(decoding: CargoIndexFile.render(lines), as: UTF8.self)
        let rendered = text.split(separator: "\n").map { String($0) }
        #expect(rendered.count == 3 && text.hasSuffix("\n"))
        #expect(rendered[0].contains(#""vers":"1.2.0-rc.1""#) && rendered[2].contains(#""vers":"1.10.0""#))
        #expect(CargoIndexFile.crateFileName(try CargoCrateName("Foo-Bar"), version: CargoVersion("1.0.0+x")!) == "foo-bar-1.0.0.crate")
    }
}

@Suite("Cargo version properties")
struct CargoVersionPropertiesTests {
    @Test("the canonical name, every feature and every dependency's real name are indexed")
    func properties() throws {
        let metadata = try CargoPublishMetadata(json: Array(CargoPublishMetadataTests.newCrate.utf8), limits: InputLimits())
        let properties = CargoVersionProperties.of(metadata.indexEntry(cksum: "00"), name: metadata.name)
        #expect(properties.first == VersionProperty("cargo.canonical-name", "depot_demo"))
        #expect(Set(properties.filter { $0.name == "cargo.feature" }.map(\.value)) == ["default", "std", "json", "maybe"])
        #expect(Set(properties.filter { $0.name == "cargo.dependency" }.map(\.value)) == ["depot-util", "serde", "winapi", "depot-test"])
        #expect(CargoVersionProperties.canonicalName(try CargoCrateName("Foo-Bar")) == CargoVersionProperties.canonicalName(try CargoCrateName("foo_bar")))
    }
}
