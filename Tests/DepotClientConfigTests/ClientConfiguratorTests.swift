import Foundation
import Testing

@testable import DepotClientConfig

@Suite("Client configurators")
struct ClientConfiguratorTests {
    static let base = "http://h:1/acme/main/"

    @Test("depot login finds a tool by its name or an alias, with its format; the names come in one order")
    func toolLookup() throws {
        let all = ClientConfigurators.all
        #expect(ClientConfigurators.toolNames(in: all) == ["npm", "pip", "uv", "twine", "maven"])
        #expect(ClientConfigurators.tool(named: "uv", in: all)?.configurator.formatID == "pypi")
        #expect(ClientConfigurators.tool(named: "mvn", in: all)?.tool.name == "maven")
        #expect(ClientConfigurators.tool(named: "cargo", in: all) == nil)
        #expect(all.map(\.formatID) == ["npm", "pypi", "maven"])
        #expect(all.map(\.endpointPath) == ["npm/", "pypi/simple/", "maven/"])
    }

    @Test("a build gets one file per tool, with what the writers make of an empty file")
    func buildFiles() throws {
        var files: [String: String] = [:]
        var variables: [String: String] = [:]
        for configurator in ClientConfigurators.all {
            for file in configurator.buildFiles(endpoint: Self.base + configurator.endpointPath, token: "dpt_t") {
                files[file.homePath] = try file.edit("")
                if let variable = file.locationVariable { variables[variable] = file.homePath }
            }
        }
        let index = "http://depot:dpt_t@h:1/acme/main/pypi/simple/"
        #expect(files[".npmrc"] == NpmrcFile.merged(existing: "", registryURL: Self.base + "npm/", token: "dpt_t", scope: nil))
        #expect(files[".config/pip/pip.conf"] == PyPIClientConfig.pipConf(existing: "", indexURL: index))
        #expect(files[".config/uv/uv.toml"] == PyPIClientConfig.uvToml(existing: "", name: "depot", indexURL: index))
        #expect(
            files[".pypirc"]
                == PyPIClientConfig.pypirc(existing: "", section: "depot", repositoryURL: Self.base + "pypi/", token: "dpt_t"))
        #expect(files[".m2/settings.xml"] == (try MavenSettingsFile(repositoryURL: Self.base + "maven/", token: "dpt_t").merged(into: "")))
        #expect(files.count == 5)
        #expect(
            variables == [
                "NPM_CONFIG_USERCONFIG": ".npmrc", "PIP_CONFIG_FILE": ".config/pip/pip.conf", "UV_CONFIG_FILE": ".config/uv/uv.toml",
            ])
    }

    @Test("login: the location variable wins over HOME; npm takes a scope and rejects a malformed one")
    func login() throws {
        let npm = try #require(ClientConfigurators.tool(named: "npm", in: ClientConfigurators.all)?.tool)
        let file = npm.configFile(endpoint: Self.base + "npm/", token: "t", options: ToolOptions(scope: "@acme"))
        #expect(file.path(home: "/home/u", environment: [:]) == "/home/u/.npmrc")
        #expect(file.path(home: "/home/u", environment: ["NPM_CONFIG_USERCONFIG": "/etc/npmrc"]) == "/etc/npmrc")
        #expect(try file.edit("").hasPrefix("@acme:registry=http://h:1/acme/main/npm/\n"))
        #expect(throws: ToolOptionError("--scope must look like @name")) { try npm.validate(ToolOptions(scope: "acme")) }
        try npm.validate(ToolOptions(scope: "@acme"))
        let twine = try #require(ClientConfigurators.tool(named: "twine", in: ClientConfigurators.all)?.tool)
        #expect(
            twine.loginSummary(endpoint: Self.base + "pypi/simple/", path: "/p", options: ToolOptions())
                == "Wrote repository depot http://h:1/acme/main/pypi/ to /p; upload with: twine upload -r depot dist/*")
    }

    @Test("a settings.xml that cannot be edited safely makes the edit throw")
    func unsafeEdit() throws {
        let maven = try #require(ClientConfigurators.tool(named: "maven", in: ClientConfigurators.all)?.tool)
        let file = maven.configFile(endpoint: Self.base + "maven/", token: "t", options: ToolOptions())
        #expect(throws: (any Error).self) { try file.edit("<settings><servers></settings>") }
    }

    @Test("build variables name the formats' URLs; trust variables only with a CA")
    func buildVariables() {
        let home = URL(fileURLWithPath: "/b/home")
        var plain: [String: String] = [:]
        for configurator in ClientConfigurators.all {
            plain.merge(configurator.buildVariables(endpoint: Self.base + configurator.endpointPath, token: "t", home: home, trust: nil)) { $1 }
        }
        #expect(plain["DEPOT_NPM_REGISTRY"] == Self.base + "npm/")
        #expect(plain["DEPOT_PYPI_INDEX"] == Self.base + "pypi/simple/" && plain["DEPOT_PYPI_UPLOAD_URL"] == Self.base + "pypi/")
        #expect(plain["TWINE_REPOSITORY_URL"] == Self.base + "pypi/" && plain["TWINE_PASSWORD"] == "t")
        #expect(plain["DEPOT_MAVEN_URL"] == Self.base + "maven/" && plain["MAVEN_OPTS"] == "-Duser.home=/b/home")
        #expect(plain["NODE_EXTRA_CA_CERTS"] == nil && plain["PIP_CERT"] == nil)

        let trust = ClientTrust(
            certificate: URL(fileURLWithPath: "/b/home/.depot/ca.pem"), bundle: URL(fileURLWithPath: "/b/home/.depot/ca-bundle.pem"),
            directory: URL(fileURLWithPath: "/b/home/.depot"))
        var trusted: [String: String] = [:]
        for configurator in ClientConfigurators.all {
            trusted.merge(configurator.buildVariables(endpoint: Self.base + configurator.endpointPath, token: "t", home: home, trust: trust)) { $1 }
        }
        #expect(trusted["NODE_EXTRA_CA_CERTS"] == "/b/home/.depot/ca.pem")
        for name in ["NPM_CONFIG_CAFILE", "PIP_CERT", "REQUESTS_CA_BUNDLE"] { #expect(trusted[name] == "/b/home/.depot/ca-bundle.pem", "\(name)") }
        // No truststore was made (nothing ran prepareTrust): Maven keeps its plain options.
        #expect(trusted["MAVEN_OPTS"] == "-Duser.home=/b/home")
    }
}
