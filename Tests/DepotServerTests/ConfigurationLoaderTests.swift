import Foundation
import Testing

@testable import DepotServer

@Suite("ConfigurationLoader")
struct ConfigurationLoaderTests {
    /// `config/depot.yaml` of this repository.
    static let repositoryConfig = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("config/depot.yaml").path

    /// Loads `yaml` from a temporary file (removed afterwards) with `environment`.
    func load(yaml: String, environment: [String: String] = [:]) throws -> DepotConfiguration {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("depot-config-\(UUID().uuidString).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        return try ConfigurationLoader.load(file: file.path, environment: environment)
    }

    /// The `ConfigurationError` `body` throws, recording an issue when it throws something else or nothing.
    func configurationError(
        sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
    ) -> ConfigurationError? {
        do {
            try body()
            Issue.record("expected a ConfigurationError", sourceLocation: sourceLocation)
        } catch let error as ConfigurationError {
            return error
        } catch {
            Issue.record("expected a ConfigurationError, got \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }

    @Test("without file or environment the embedded defaults apply")
    func defaults() throws {
        let c = try ConfigurationLoader.load(file: nil, environment: [:])
        #expect(c == DepotConfiguration())
        #expect(c.host == "127.0.0.1")
        #expect(c.port == 8080)
        #expect(c.publicURL == nil)
        #expect(c.storagePath == "./storage")
        #expect(c.defaultTokenLifetime == 43200)
        #expect(c.maxTokenLifetime == 43200)
        #expect(c.maxUploadSize == 2_147_483_648)
        #expect(
            c.externalConnections == [
                "public:npmjs": "https://registry.npmjs.org/", "public:pypi": "https://pypi.org/simple/",
                "public:maven-central": "https://repo1.maven.org/maven2/", "public:crates-io": "https://index.crates.io/",
            ])
        #expect(c.metadataTTL == 300)
        #expect(c.buildConcurrency == max(1, ProcessInfo.processInfo.activeProcessorCount))
        #expect(c.buildTimeout == 3600)
        #expect(c.logLevel == "info")
    }

    @Test(
        "the repository's config/depot.yaml loads and repeats the defaults",
        .enabled(if: FileManager.default.fileExists(atPath: ConfigurationLoaderTests.repositoryConfig)))
    func repositoryFile() throws {
        let c = try ConfigurationLoader.load(file: Self.repositoryConfig, environment: [:])
        #expect(c == DepotConfiguration())
    }

    @Test("an empty file or null sections keep the defaults")
    func emptyFile() throws {
        #expect(try load(yaml: "") == DepotConfiguration())
        #expect(try load(yaml: "# only a comment\n") == DepotConfiguration())
        #expect(try load(yaml: "server:\nbuilds: null\n") == DepotConfiguration())
        #expect(try load(yaml: "server:\n  publicURL: null\n").publicURL == nil)
    }

    @Test("YAML overrides every key")
    func overridesEveryKey() throws {
        let c = try load(
            yaml: """
                server:
                  host: 0.0.0.0
                  port: 9090
                  publicURL: https://depot.example.com
                storage:
                  path: /var/lib/depot
                tokens:
                  defaultLifetime: 1h
                  maxLifetime: 2h
                limits:
                  maxUploadSize: 100MiB
                externalConnections:
                  public:npmjs: http://127.0.0.1:4873/
                  public:pypi: http://127.0.0.1:8081/simple/
                upstreamCache:
                  metadataTTL: 90s
                builds:
                  concurrency: 4
                  timeout: 30m
                log:
                  level: debug
                """)
        #expect(c.host == "0.0.0.0")
        #expect(c.port == 9090)
        #expect(c.publicURL == "https://depot.example.com")
        #expect(c.storagePath == "/var/lib/depot")
        #expect(c.defaultTokenLifetime == 3600)
        #expect(c.maxTokenLifetime == 7200)
        #expect(c.maxUploadSize == 104_857_600)
        #expect(c.externalConnections["public:npmjs"] == "http://127.0.0.1:4873/")
        #expect(c.externalConnections["public:pypi"] == "http://127.0.0.1:8081/simple/")
        #expect(c.externalConnections["public:maven-central"] == "https://repo1.maven.org/maven2/")
        #expect(c.metadataTTL == 90)
        #expect(c.buildConcurrency == 4)
        #expect(c.buildTimeout == 1800)
        #expect(c.logLevel == "debug")
    }

    @Test("numbers are accepted as plain seconds and bytes")
    func plainNumbers() throws {
        let c = try load(yaml: "tokens:\n  defaultLifetime: 1800\nlimits:\n  maxUploadSize: 1048576\nserver:\n  port: \"8081\"\n")
        #expect(c.defaultTokenLifetime == 1800)
        #expect(c.maxUploadSize == 1_048_576)
        #expect(c.port == 8081)
    }

    @Test(
        "unknown keys are refused with the key named",
        arguments: [
            ("server:\n  prot: 8080\n", "server.prot"),
            ("storage:\n  paht: /x\n", "storage.paht"),
            ("tokens:\n  lifetime: 1h\n", "tokens.lifetime"),
            ("nonsense:\n  key: 1\n", "nonsense.key"),
        ])
    func unknownKey(_ yaml: String, _ key: String) {
        let error = configurationError { _ = try load(yaml: yaml) }
        #expect(error?.key == key)
        #expect(error?.description.contains("'\(key)'") == true)
    }

    @Test(
        "bad values are refused with the key named",
        arguments: [
            ("server:\n  port: 70000\n", "server.port"),
            ("server:\n  port: -1\n", "server.port"),
            ("server:\n  port: eighty\n", "server.port"),
            ("server:\n  port: 80.5\n", "server.port"),
            ("server:\n  port: [80]\n", "server.port"),
            ("server:\n  publicURL: depot.example.com\n", "server.publicURL"),
            ("server:\n  publicURL: ftp://depot.example.com\n", "server.publicURL"),
            ("server:\n  host: ''\n", "server.host"),
            ("server:\n  host: {a: b}\n", "server.host"),
            ("tokens:\n  defaultLifetime: 12x\n", "tokens.defaultLifetime"),
            ("tokens:\n  maxLifetime: forever\n", "tokens.maxLifetime"),
            ("upstreamCache:\n  metadataTTL: -5m\n", "upstreamCache.metadataTTL"),
            ("upstreamCache:\n  metadataTTL: -5\n", "upstreamCache.metadataTTL"),
            ("builds:\n  timeout: soon\n", "builds.timeout"),
            ("builds:\n  timeout: -60\n", "builds.timeout"),
            ("builds:\n  concurrency: many\n", "builds.concurrency"),
            ("limits:\n  maxUploadSize: 2XB\n", "limits.maxUploadSize"),
            ("limits:\n  maxUploadSize: lots\n", "limits.maxUploadSize"),
            ("limits:\n  maxUploadSize: -1MiB\n", "limits.maxUploadSize"),
            ("log:\n  level: verbose\n", "log.level"),
            ("externalConnections:\n  public:npmjs: not a url\n", "externalConnections.public:npmjs"),
            ("externalConnections:\n  public:npmjs: ftp://mirror.example.com/\n", "externalConnections.public:npmjs"),
            ("externalConnections:\n  public:pypi: 'http://'\n", "externalConnections.public:pypi"),
            ("externalConnections:\n  npmjs: https://registry.npmjs.org/\n", "externalConnections.npmjs"),
        ])
    func badValue(_ yaml: String, _ key: String) {
        let error = configurationError { _ = try load(yaml: yaml) }
        #expect(error?.key == key, "\(yaml)")
    }

    @Test(
        "a section that is not a mapping is refused with its name",
        arguments: [
            ("server: 5\n", "server"), ("server: [a, b]\n", "server"), ("tokens: 12h\n", "tokens"),
            ("externalConnections: [x]\n", "externalConnections"), ("externalConnections: https://x/\n", "externalConnections"),
        ])
    func nonMappingSection(_ yaml: String, _ key: String) {
        #expect(configurationError { _ = try load(yaml: yaml) }?.key == key)
    }

    @Test("a file that is not a YAML mapping, or cannot be read, is refused")
    func badFile() {
        #expect(configurationError { _ = try load(yaml: "- a\n- b\n") }?.key == "(file)")
        #expect(configurationError { _ = try load(yaml: "server: [unclosed\n") }?.key == "(file)")
        let missing = "/nonexistent-\(UUID().uuidString)/depot.yaml"
        #expect(configurationError { _ = try ConfigurationLoader.load(file: missing, environment: [:]) }?.key == "--config")
    }

    @Test("cross-key checks name the key at fault")
    func validation() {
        let cases = [
            ("tokens:\n  defaultLifetime: 13h\n", "tokens.defaultLifetime"),
            ("tokens:\n  defaultLifetime: 10m\n", "tokens.defaultLifetime"),
            ("builds:\n  concurrency: 0\n", "builds.concurrency"),
            ("limits:\n  maxUploadSize: 100\n", "limits.maxUploadSize"),
        ]
        for (yaml, key) in cases {
            #expect(configurationError { _ = try load(yaml: yaml) }?.key == key, "\(yaml)")
        }
    }

    @Test("port 0 (documented as 'pick a free port') is accepted from the file and the environment")
    func portZero() throws {
        #expect(try load(yaml: "server:\n  port: 0\n").port == 0)
        #expect(try ConfigurationLoader.load(file: nil, environment: ["DEPOT_PORT": "0"]).port == 0)
    }

    @Test("DEPOT_* environment variables override the defaults and the file")
    func environment() throws {
        let env = [
            "DEPOT_PORT": "9100", "DEPOT_STORAGE": "/srv/depot", "DEPOT_PUBLIC_URL": "https://depot.example.com/",
            "DEPOT_NPMJS_URL": "http://127.0.0.1:4873/", "DEPOT_HOST": "::1", "DEPOT_LOG_LEVEL": "warning",
            "DEPOT_MAX_UPLOAD_SIZE": "10MiB", "DEPOT_TOKEN_DEFAULT_LIFETIME": "1h",
        ]
        let fromDefaults = try ConfigurationLoader.load(file: nil, environment: env)
        let fromFile = try load(
            yaml: "server:\n  port: 9000\n  host: 0.0.0.0\nstorage:\n  path: /from/file\nexternalConnections:\n  public:npmjs: https://npm.mirror/\n",
            environment: env)
        for c in [fromDefaults, fromFile] {
            #expect(c.port == 9100)
            #expect(c.storagePath == "/srv/depot")
            #expect(c.publicURL == "https://depot.example.com/")
            #expect(c.externalConnections["public:npmjs"] == "http://127.0.0.1:4873/")
            #expect(c.host == "::1")
            #expect(c.logLevel == "warning")
            #expect(c.maxUploadSize == 10_485_760)
            #expect(c.defaultTokenLifetime == 3600)
        }
        // Variables that are not set leave the file's values alone.
        let partial = try load(yaml: "server:\n  port: 9000\n", environment: ["DEPOT_STORAGE": "/x"])
        #expect(partial.port == 9000)
        #expect(partial.storagePath == "/x")
    }

    @Test(
        "bad environment values name the variable",
        arguments: [
            ("DEPOT_PORT", "abc"), ("DEPOT_PORT", "65536"), ("DEPOT_PUBLIC_URL", "not a url"), ("DEPOT_NPMJS_URL", "nope"),
            ("DEPOT_PYPI_URL", "file:///simple"), ("DEPOT_METADATA_TTL", "5 minutes"), ("DEPOT_MAX_UPLOAD_SIZE", "big"),
        ])
    func badEnvironment(_ variable: String, _ value: String) {
        let error = configurationError { _ = try ConfigurationLoader.load(file: nil, environment: [variable: value]) }
        #expect(error?.key == variable)
    }

    @Test("durations")
    func durations() throws {
        #expect(try ConfigurationLoader.duration("12h", key: "k") == 43200)
        #expect(try ConfigurationLoader.duration("15m", key: "k") == 900)
        #expect(try ConfigurationLoader.duration("90s", key: "k") == 90)
        #expect(try ConfigurationLoader.duration("90", key: "k") == 90)
        #expect(try ConfigurationLoader.duration(90, key: "k") == 90)
        #expect(try ConfigurationLoader.duration("7d", key: "k") == 604_800)
        #expect(try ConfigurationLoader.duration("250ms", key: "k") == 0.25)
        #expect(try ConfigurationLoader.duration("1.5h", key: "k") == 5400)
        #expect(try ConfigurationLoader.duration(" 5m ", key: "k") == 300)
        for bad in ["abc", "-1h", "", "h", "12 hours", "1w"] {
            #expect(configurationError { _ = try ConfigurationLoader.duration(bad, key: "some.key") }?.key == "some.key", "\(bad)")
        }
        #expect(configurationError { _ = try ConfigurationLoader.duration(nil, key: "k") }?.key == "k")
    }

    @Test("sizes")
    func sizes() throws {
        #expect(try ConfigurationLoader.size("2GiB", key: "k") == 2_147_483_648)
        #expect(try ConfigurationLoader.size("512KiB", key: "k") == 524_288)
        #expect(try ConfigurationLoader.size("100MiB", key: "k") == 104_857_600)
        #expect(try ConfigurationLoader.size("100MB", key: "k") == 100_000_000)
        #expect(try ConfigurationLoader.size("1GB", key: "k") == 1_000_000_000)
        #expect(try ConfigurationLoader.size("2KB", key: "k") == 2000)
        #expect(try ConfigurationLoader.size("10B", key: "k") == 10)
        #expect(try ConfigurationLoader.size("1.5KiB", key: "k") == 1536)
        #expect(try ConfigurationLoader.size("1 GiB", key: "k") == 1_073_741_824)
        #expect(try ConfigurationLoader.size("1048576", key: "k") == 1_048_576)
        #expect(try ConfigurationLoader.size(4096, key: "k") == 4096)
        for bad in ["2XB", "lots", "-1MiB", "", "GiB", "1TiB"] {
            #expect(configurationError { _ = try ConfigurationLoader.size(bad, key: "limits.x") }?.key == "limits.x", "\(bad)")
        }
    }
}
