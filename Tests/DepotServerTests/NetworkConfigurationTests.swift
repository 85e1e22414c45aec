import DepotCore
import Foundation
import Testing

@testable import DepotServer

@Suite("Network trust configuration")
struct NetworkConfigurationTests {
    func load(yaml: String, environment: [String: String] = [:]) throws -> DepotConfiguration {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("depot-config-\(UUID().uuidString).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        return try ConfigurationLoader.load(file: file.path, environment: environment)
    }

    @Test("defaults: no trusted proxies, no metrics token, PyPI's and crates.io's file hosts allowed, private addresses refused")
    func defaults() {
        let c = DepotConfiguration()
        #expect(c.trustedProxies.isEmpty)
        #expect(c.metricsToken == nil)
        #expect(c.upstreamAllowedHosts == ["public:pypi": ["files.pythonhosted.org"], "public:crates-io": ["static.crates.io"]])
        #expect(!c.upstreamAllowPrivateAddresses)
    }

    @Test("the keys from YAML; naming one connection's hosts keeps the others' defaults")
    func yaml() throws {
        let c = try load(yaml: """
            server:
              trustedProxies: [10.0.0.0/8, "192.0.2.7", "fd00::/8"]
              metricsToken: scrape-me
            upstreamCache:
              allowedHosts:
                public:npmjs: [npm.cdn.example, "*.mirror.example"]
              allowPrivateAddresses: true
            """)
        #expect(c.trustedProxies == ["10.0.0.0/8", "192.0.2.7/32", "fd00::/8"].map { IPAddressRange($0)! })
        #expect(c.metricsToken == "scrape-me")
        #expect(c.upstreamAllowedHosts == [
            "public:pypi": ["files.pythonhosted.org"], "public:npmjs": ["npm.cdn.example", "*.mirror.example"],
            "public:crates-io": ["static.crates.io"],
        ])
        #expect(c.upstreamAllowPrivateAddresses)
        let emptied = try load(yaml: "upstreamCache:\n  allowedHosts:\n    public:pypi: []\n")
        #expect(emptied.upstreamAllowedHosts == ["public:pypi": [], "public:crates-io": ["static.crates.io"]])
    }

    @Test("the environment: DEPOT_TRUSTED_PROXIES (comma-separated), DEPOT_METRICS_TOKEN, DEPOT_UPSTREAM_ALLOW_PRIVATE_ADDRESSES")
    func environment() throws {
        let c = try ConfigurationLoader.load(file: nil, environment: [
            "DEPOT_TRUSTED_PROXIES": "127.0.0.1, 10.1.0.0/16", "DEPOT_METRICS_TOKEN": "t0ken",
            "DEPOT_UPSTREAM_ALLOW_PRIVATE_ADDRESSES": "true",
        ])
        #expect(c.trustedProxies == [IPAddressRange("127.0.0.1/32")!, IPAddressRange("10.1.0.0/16")!])
        #expect(c.metricsToken == "t0ken")
        #expect(c.upstreamAllowPrivateAddresses)
        #expect(try !ConfigurationLoader.load(file: nil, environment: ["DEPOT_UPSTREAM_ALLOW_PRIVATE_ADDRESSES": "0"]).upstreamAllowPrivateAddresses)
    }

    @Test("pipelines.gitAllowedHosts / gitAllowedPaths: every host and no local directory by default; YAML lists, comma-separated variables")
    func pipelineGitSources() throws {
        #expect(DepotConfiguration().pipelineGitAllowedHosts == ["*"])
        #expect(DepotConfiguration().pipelineGitAllowedPaths.isEmpty)
        let c = try load(yaml: "pipelines:\n  gitAllowedHosts: [Git.Example.com, \"*.corp.example\"]\n  gitAllowedPaths: [/srv/git]\n")
        #expect(c.pipelineGitAllowedHosts == ["git.example.com", "*.corp.example"])
        #expect(c.pipelineGitAllowedPaths == ["/srv/git"])
        let e = try ConfigurationLoader.load(
            file: nil, environment: ["DEPOT_PIPELINE_GIT_ALLOWED_HOSTS": "a.example, b.example", "DEPOT_PIPELINE_GIT_ALLOWED_PATHS": "/srv/a,/srv/b"])
        #expect(e.pipelineGitAllowedHosts == ["a.example", "b.example"])
        #expect(e.pipelineGitAllowedPaths == ["/srv/a", "/srv/b"])
        for (yaml, key) in [
            ("pipelines:\n  gitAllowedHosts: [\"https://git.example.com/\"]\n", "pipelines.gitAllowedHosts"),
            ("pipelines:\n  gitAllowedHosts: [\"-oProxyCommand=x\"]\n", "pipelines.gitAllowedHosts"),
            ("pipelines:\n  gitAllowedPaths: [srv/git]\n", "pipelines.gitAllowedPaths"),
            ("pipelines:\n  gitAllowedPaths: [/]\n", "pipelines.gitAllowedPaths"),
        ] {
            #expect { try load(yaml: yaml) } throws: { ($0 as? ConfigurationError)?.key == key }
        }
    }

    @Test(
        "bad values are refused with their key",
        arguments: [
            ("server:\n  trustedProxies: [10.0.0.0/33]\n", "server.trustedProxies"),
            ("server:\n  trustedProxies: [proxy.example]\n", "server.trustedProxies"),
            ("upstreamCache:\n  allowPrivateAddresses: maybe\n", "upstreamCache.allowPrivateAddresses"),
            ("upstreamCache:\n  allowedHosts: [cdn.example]\n", "upstreamCache.allowedHosts"),
            ("upstreamCache:\n  allowedHosts:\n    npmjs: [cdn.example]\n", "upstreamCache.allowedHosts.npmjs"),
            ("upstreamCache:\n  allowedHosts:\n    public:npmjs: [\"https://cdn.example/\"]\n", "upstreamCache.allowedHosts.public:npmjs"),
            ("upstreamCache:\n  allowedHosts:\n    public:npmjs: [\"*.\"]\n", "upstreamCache.allowedHosts.public:npmjs"),
        ])
    func badValues(yaml: String, key: String) {
        do {
            _ = try load(yaml: yaml)
            Issue.record("expected a ConfigurationError for \(key)")
        } catch let error as ConfigurationError {
            #expect(error.key == key)
        } catch {
            Issue.record("unexpected \(error)")
        }
        let variable = ("DEPOT_TRUSTED_PROXIES", "10.0.0.0/8,not-an-address")
        #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(file: nil, environment: [variable.0: variable.1])
        }
    }
}
