import ArgumentParser
import DepotMaven
import DepotNPM
import DepotPyPI
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Like `aws codeartifact login`: mints a token for one repository and writes the client's configuration.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login", abstract: "Mint a token and configure a client (npm, pip, uv, twine, maven) to use a repository.")

    @OptionGroup var options: ClientOptions
    @Option(help: "Client to configure: npm, pip, uv, twine or maven.") var tool: String
    @Option var domain: String
    @Option(name: .customLong("repo")) var repository: String
    @Option(help: "npm scope (@x) to route to Depot instead of the default registry.") var scope: String?
    @Option(help: "Token lifetime: seconds or 15m, 2h (default: the server's, 12h).") var duration: String?

    func run() async throws {
        let client = try options.client()
        let repositoryPath = "api/v1/domains/\(segment(domain))/repositories/\(segment(repository))"
        let format = tool == "npm" ? "npm" : (tool == "maven" || tool == "mvn" ? "maven" : "pypi")
        guard ["npm", "pip", "uv", "twine", "maven", "mvn"].contains(tool) else {
            throw ValidationError("unsupported --tool \(tool) (supported: npm, pip, uv, twine, maven)")
        }
        let endpoint = try await client.call("GET", repositoryPath + "/endpoint", query: ["format": format])
        guard let url = (endpoint as? [String: Any])?["url"] as? String else { throw ValidationError("the server sent no endpoint URL") }
        let token = try await mintToken(client)

        let environment = ProcessInfo.processInfo.environment
        let home = environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
        switch tool {
        case "npm":
            if let scope, !scope.hasPrefix("@") || scope.count < 2 { throw ValidationError("--scope must look like @name") }
            let path = environment["NPM_CONFIG_USERCONFIG"] ?? "\(home)/.npmrc"
            try update(path) { NpmrcFile.merged(existing: $0, registryURL: url, token: token, scope: scope) }
            print("Wrote \(scope.map { "\($0) registry" } ?? "registry") \(url) and its token to \(path)")
        case "pip":
            let path = environment["PIP_CONFIG_FILE"] ?? "\(home)/.config/pip/pip.conf"
            let index = PyPIClientConfig.withCredentials(url, token: token)
            try update(path) { PyPIClientConfig.pipConf(existing: $0, indexURL: index) }
            print("Wrote index-url \(url) (with a token) to \(path)")
        case "uv":
            let path = environment["UV_CONFIG_FILE"] ?? "\(home)/.config/uv/uv.toml"
            let index = PyPIClientConfig.withCredentials(url, token: token)
            try update(path) { PyPIClientConfig.uvToml(existing: $0, name: "depot", indexURL: index) }
            print("Wrote index depot \(url) (with a token) to \(path)")
        case "maven", "mvn":
            let path = "\(home)/.m2/settings.xml"
            let settings = MavenSettingsFile(repositoryURL: url, token: token)
            var failure: (any Error)?
            try update(path) { existing in
                do {
                    return try settings.merged(into: existing)
                } catch {
                    failure = error
                    return existing
                }
            }
            if let failure { throw ValidationError("cannot update \(path): \(failure)") }
            print("Wrote server and profile depot (\(url)) to \(path). For deploys, add to your pom:")
            print(MavenSettingsFile.distributionManagementSnippet(url: url))
        default:
            let path = "\(home)/.pypirc"
            let upload = url.replacingOccurrences(of: "/pypi/simple/", with: "/pypi/")
            try update(path) {
                PyPIClientConfig.pypirc(existing: $0, section: "depot", repositoryURL: upload, token: token)
            }
            print("Wrote repository depot \(upload) to \(path); upload with: twine upload -r depot dist/*")
        }
        if url.hasPrefix("https://"), let ca = try options.privateCACertificate() { print(Self.trustHint(tool: tool, ca: ca)) }
    }

    /// The config files name the https URL; trusting a private CA stays with each client (see README "HTTPS (TLS)").
    static func trustHint(tool: String, ca: String) -> String {
        switch tool {
        case "npm": return "The server's certificate comes from a private CA: npm config set cafile \(ca)"
        case "pip": return "The server's certificate comes from a private CA: pip config set global.cert \(ca) (or PIP_CERT)"
        case "uv": return "The server's certificate comes from a private CA: export SSL_CERT_FILE=\(ca)"
        case "maven", "mvn":
            return "The server's certificate comes from a private CA: import \(ca) into a truststore with keytool and pass "
                + "-Djavax.net.ssl.trustStore=... in MAVEN_OPTS"
        default: return "The server's certificate comes from a private CA: twine upload --cert \(ca) (and REQUESTS_CA_BUNDLE=\(ca))"
        }
    }

    /// Asks for read+publish on the repository, falling back to read when the caller may not publish.
    private func mintToken(_ client: DepotClient) async throws -> String {
        let path = "api/v1/domains/\(segment(domain))/tokens"
        var body: [String: Any?] = [
            "repositories": [repository], "permissions": ["read", "publish"], "durationSeconds": try duration.map(parseDuration),
            "name": "login-\(tool)",
        ]
        let result: Any
        do {
            result = try await client.call("POST", path, body: body)
        } catch let error as ClientError where error.status == 403 {
            body["permissions"] = ["read"]
            result = try await client.call("POST", path, body: body)
        }
        guard let token = (result as? [String: Any])?["token"] as? String else { throw ValidationError("the server sent no token") }
        return token
    }

    /// Rewrites a config file (creating its directory) with `change` applied to its current text.
    private func update(_ path: String, _ change: (String) -> String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let existing = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        try writePrivately(change(existing), to: path)
    }

    private func writePrivately(_ text: String, to path: String) throws {
        let temp = path + ".depot-tmp"
        guard FileManager.default.createFile(atPath: temp, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("cannot write \(path)")
        }
        guard rename(temp, path) == 0 else { throw ValidationError("cannot replace \(path)") }
    }
}
