import DepotClientConfig
import Foundation
import Testing

@Suite("SwiftPM client configuration (registries.json, .netrc)")
struct SwiftClientConfigTests {
    @Test("registries.json as `swift package-registry set --global` and `login --token` write it")
    func registries() throws {
        let text = try SwiftRegistriesFile.merged(existing: "", registryURL: "https://depot.example:8443/acme/main/swift")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(root["version"] as? Int == 1)
        let registry = try #require((root["registries"] as? [String: Any])?["[default]"] as? [String: Any])
        #expect(registry["url"] as? String == "https://depot.example:8443/acme/main/swift")
        #expect(registry["supportsAvailability"] as? Bool == false)
        let auth = try #require((root["authentication"] as? [String: Any])?["depot.example:8443"] as? [String: Any])
        #expect(auth["type"] as? String == "token")
        #expect(auth["loginAPIPath"] as? String == "/acme/main/swift")
    }

    @Test("Other registries, other hosts and security settings are kept; a broken file is left alone")
    func merging() throws {
        let existing = """
            {"version": 1, "registries": {"[default]": {"url": "https://old"}, "mona": {"url": "https://mona.example", "supportsAvailability": true}},
             "authentication": {"mona.example": {"type": "basic"}}, "security": {"default": {"signing": {"onUnsigned": "error"}}}}
            """
        let text = try SwiftRegistriesFile.merged(existing: existing, registryURL: "https://Depot.Example/acme/main/swift")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let registries = try #require(root["registries"] as? [String: Any])
        #expect((registries["[default]"] as? [String: Any])?["url"] as? String == "https://Depot.Example/acme/main/swift")
        #expect((registries["mona"] as? [String: Any])?["url"] as? String == "https://mona.example")
        let authentication = try #require(root["authentication"] as? [String: Any])
        #expect(Set(authentication.keys) == ["mona.example", "depot.example"])
        #expect(root["security"] != nil)
        #expect(throws: SwiftRegistriesFile.EditError.self) { try SwiftRegistriesFile.merged(existing: "{broken", registryURL: "https://x/y") }
        #expect(throws: SwiftRegistriesFile.EditError.self) { try SwiftRegistriesFile.merged(existing: "{\"version\": 2}", registryURL: "https://x/y") }
    }

    @Test(".netrc: the host's entry replaced, others and macdefs kept, default entry last")
    func netrc() throws {
        let existing = """
            machine other.example login alice password secret
            macdef init
            machine not-an-entry login x password y

            machine depot.example
              login token
              password dpt_old
            default login anonymous password guest
            """
        let text = try NetrcFile.merged(existing: existing, machine: "depot.example", login: "token", password: "dpt_new")
        #expect(!text.contains("dpt_old"))
        #expect(text.contains("machine other.example login alice password secret"))
        #expect(text.contains("macdef init\nmachine not-an-entry login x password y"))
        #expect(text.contains("machine depot.example login token password dpt_new\ndefault login anonymous password guest\n"))
        #expect(try NetrcFile.merged(existing: "", machine: "h", login: "token", password: "p") == "machine h login token password p\n")
        #expect(throws: NetrcFile.EditError.self) { try NetrcFile.merged(existing: "", machine: "h", login: "token", password: "a b") }
    }

    @Test("The configurator's tools and build variables")
    func configurator() throws {
        let configurator = SwiftRegistryClientConfigurator()
        #expect(configurator.formatID == "swift")
        #expect(configurator.tools.map(\.name) == ["swift", "swift-netrc"])
        let files = configurator.buildFiles(endpoint: "https://depot.example/acme/main/swift/", token: "dpt_x")
        // The last: where SwiftPM looks when XDG_CONFIG_HOME is set, as in a build's environment.
        #expect(files.map(\.homePath) == [".swiftpm/configuration/registries.json", ".netrc", ".config/swiftpm/configuration/registries.json"])
        #expect(try files[1].edit("") == "machine depot.example login token password dpt_x\n")
        #expect(try files[0].edit("").contains("\"url\" : \"https://depot.example/acme/main/swift\""))
        let variables = configurator.buildVariables(
            endpoint: "https://depot.example/acme/main/swift/", token: "dpt_x", home: URL(fileURLWithPath: "/tmp"), trust: nil)
        #expect(variables == ["DEPOT_SWIFT_REGISTRY": "https://depot.example/acme/main/swift"])
    }
}
