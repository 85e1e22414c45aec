import Testing

@testable import DepotServer

@Suite("Access log configuration")
struct AccessLogConfigurationTests {
    @Test("log.access follows the level unless it is set; DEPOT_ACCESS_LOG overrides the file")
    func accessLogSetting() throws {
        #expect(try ConfigurationLoader.load(file: nil, environment: [:]).writesAccessLog)
        #expect(try !ConfigurationLoader.load(file: nil, environment: ["DEPOT_LOG_LEVEL": "notice"]).writesAccessLog)
        #expect(try ConfigurationLoader.load(file: nil, environment: ["DEPOT_LOG_LEVEL": "notice", "DEPOT_ACCESS_LOG": "true"]).writesAccessLog)
        var configuration = DepotConfiguration()
        try ConfigurationLoader.apply(yaml: "log:\n  access: false\n", to: &configuration)
        #expect(!configuration.writesAccessLog)
        #expect(throws: ConfigurationError.self) { try ConfigurationLoader.load(file: nil, environment: ["DEPOT_ACCESS_LOG": "sometimes"]) }
    }
}
