import ArgumentParser
import DepotNPM
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Like `aws codeartifact login`: mints a token for one repository and writes the client's configuration.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login", abstract: "Mint a token and configure a package manager (npm) to use a repository.")

    @OptionGroup var options: ClientOptions
    @Option(help: "Client to configure: npm.") var tool: String
    @Option var domain: String
    @Option(name: .customLong("repo")) var repository: String
    @Option(help: "npm scope (@x) to route to Depot instead of the default registry.") var scope: String?
    @Option(help: "Token lifetime: seconds or 15m, 2h (default: the server's, 12h).") var duration: String?

    func run() async throws {
        let client = try options.client()
        let repositoryPath = "api/v1/domains/\(segment(domain))/repositories/\(segment(repository))"
        let endpoint = try await client.call("GET", repositoryPath + "/endpoint", query: ["format": tool])
        guard let url = (endpoint as? [String: Any])?["url"] as? String else { throw ValidationError("the server sent no endpoint URL") }
        let token = try await mintToken(client)

        switch tool {
        case "npm":
            if let scope, !scope.hasPrefix("@") || scope.count < 2 { throw ValidationError("--scope must look like @name") }
            let environment = ProcessInfo.processInfo.environment
            let home = environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
            let path = environment["NPM_CONFIG_USERCONFIG"] ?? "\(home)/.npmrc"
            let existing = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            let updated = NpmrcFile.merged(existing: existing, registryURL: url, token: token, scope: scope)
            try writePrivately(updated, to: path)
            print("Wrote \(scope.map { "\($0) registry" } ?? "registry") \(url) and its token to \(path)")
        default:
            throw ValidationError("unsupported --tool \(tool) (supported: npm)")
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

    private func writePrivately(_ text: String, to path: String) throws {
        let temp = path + ".depot-tmp"
        guard FileManager.default.createFile(atPath: temp, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("cannot write \(path)")
        }
        guard rename(temp, path) == 0 else { throw ValidationError("cannot replace \(path)") }
    }
}
