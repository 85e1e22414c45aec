import Foundation
import Testing

@testable import DepotServer

@Suite("limits.* configuration")
struct LimitsConfigurationTests {
    func load(yaml: String, environment: [String: String] = [:]) throws -> DepotConfiguration {
        var configuration = DepotConfiguration()
        try ConfigurationLoader.apply(yaml: yaml, to: &configuration)
        try ConfigurationLoader.apply(environment: environment, to: &configuration)
        try ConfigurationLoader.validate(configuration)
        return configuration
    }

    @Test("every limits key is read into the typed limits, with units")
    func keys() throws {
        let c = try load(yaml: """
            limits:
              maxHeaderSize: 16KiB
              maxHeaderCount: 50
              headerTimeout: 5s
              idleTimeout: 2m
              maxConnections: 100
              maxJSONSize: 1MiB
              maxJSONDepth: 32
              maxJSONValues: 5000
              maxNpmAttachments: 2
              maxFormFields: 200
              maxFormFieldsSize: 2MiB
              maxXMLSize: 4MiB
              maxDecompressedSize: 1GiB
              maxArchiveEntries: 1000
            """)
        #expect(c.connectionLimits.maxHeaderSize == 16 << 10 && c.connectionLimits.maxHeaderCount == 50)
        #expect(c.connectionLimits.headerTimeout == 5 && c.connectionLimits.idleTimeout == 120 && c.connectionLimits.maxConnections == 100)
        #expect(c.inputLimits.maxJSONSize == 1 << 20 && c.inputLimits.maxJSONDepth == 32 && c.inputLimits.maxJSONValues == 5000 && c.inputLimits.maxNpmAttachments == 2)
        #expect(c.inputLimits.maxFormFields == 200 && c.inputLimits.maxFormFieldsSize == 2 << 20)
        #expect(c.inputLimits.maxXMLSize == 4 << 20 && c.inputLimits.maxDecompressedSize == 1 << 30 && c.inputLimits.maxArchiveEntries == 1000)
    }

    @Test("DEPOT_MAX_CONNECTIONS, DEPOT_HEADER_TIMEOUT and DEPOT_IDLE_TIMEOUT override the file")
    func environment() throws {
        let c = try load(
            yaml: "limits:\n  maxConnections: 10\n",
            environment: ["DEPOT_MAX_CONNECTIONS": "20", "DEPOT_HEADER_TIMEOUT": "3s", "DEPOT_IDLE_TIMEOUT": "0"])
        #expect(c.connectionLimits.maxConnections == 20 && c.connectionLimits.headerTimeout == 3 && c.connectionLimits.idleTimeout == 0)
    }

    @Test("limits below what real clients need are refused with the key named")
    func floors() {
        for (key, value) in [("maxJSONDepth", "2"), ("maxConnections", "0"), ("maxNpmAttachments", "0"), ("maxXMLSize", "10")] {
            #expect {
                _ = try load(yaml: "limits:\n  \(key): \(value)\n")
            } throws: { ($0 as? ConfigurationError)?.key == "limits.\(key)" }
        }
    }
}
