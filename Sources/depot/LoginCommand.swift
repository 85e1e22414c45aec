import ArgumentParser
import DepotClientConfig
import DepotServer
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Like `aws codeartifact login`: mints a token for one repository and writes the client's configuration. With
/// `--tool browser`, prints a one-time link that signs a browser in to the console with the CLI's token instead.
struct LoginCommand: AsyncParsableCommand {
    /// The formats whose clients `--tool` can configure.
    static let clients = registeredFormats().clients
    static let toolNames = ClientConfigurators.toolNames(in: clients)
    static let browser = "browser"

    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Mint a token and configure a client (\(toolNames.joined(separator: ", "))) to use a repository, or sign a browser in.")

    @OptionGroup var options: ClientOptions
    @Option(help: "Client to configure: \(LoginCommand.toolNames.joined(separator: ", ")); or browser: print a one-time console sign-in link.")
    var tool: String
    @Option(help: "Domain of the repository (not for --tool browser).") var domain: String?
    @Option(name: .customLong("repo"), help: "Repository (not for --tool browser).") var repository: String?
    @Option(help: "npm scope (@x) to route to Depot instead of the default registry.") var scope: String?
    @Option(help: "Token lifetime: seconds or 15m, 2h (default: the server's, 12h).") var duration: String?

    func validate() throws {
        guard tool != Self.browser else { return }
        guard domain != nil, repository != nil else { throw ValidationError("--domain and --repo are required with --tool \(tool)") }
    }

    func run() async throws {
        let client = try options.client()
        guard tool != Self.browser else { return try await printSignInLink(client) }
        let (domain, repository) = (domain ?? "", repository ?? "")
        let repositoryPath = "api/v1/domains/\(segment(domain))/repositories/\(segment(repository))"
        guard let match = ClientConfigurators.tool(named: tool, in: Self.clients) else {
            throw ValidationError("unsupported --tool \(tool) (supported: \(Self.toolNames.joined(separator: ", ")))")
        }
        let (configurator, chosen) = (match.configurator, match.tool)
        let toolOptions = ToolOptions(scope: scope)
        do {
            try chosen.validate(toolOptions)
        } catch {
            throw ValidationError("\(error)")
        }
        let endpoint = try await client.call("GET", repositoryPath + "/endpoint", query: ["format": configurator.formatID])
        guard let url = (endpoint as? [String: Any])?["url"] as? String else { throw ValidationError("the server sent no endpoint URL") }
        let token = try await mintToken(client, domain: domain, repository: repository)

        let environment = ProcessInfo.processInfo.environment
        let home = environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
        let files = chosen.configFiles(endpoint: url, token: token, options: toolOptions)
        let paths = files.map { $0.path(home: home, environment: environment) }
        for (file, path) in zip(files, paths) { try update(path, file.edit) }
        print(chosen.loginSummary(endpoint: url, path: paths.first ?? home, options: toolOptions))
        if url.hasPrefix("https://"), let ca = try options.privateCACertificate() { print(chosen.privateCAHint(ca: ca)) }
    }

    /// The link opens the console's sign-in page; its button starts a session with this CLI's token (its scope,
    /// its expiry). It works once, for five minutes.
    private func printSignInLink(_ client: DepotClient) async throws {
        let result = try await client.call("POST", "api/v1/signin-links")
        guard let url = (result as? [String: Any])?["url"] as? String else { throw ValidationError("the server sent no link") }
        print(url)
        print("Open it in a browser within 5 minutes; it works once.")
    }

    /// Asks for read+publish on the repository, falling back to read when the caller may not publish.
    private func mintToken(_ client: DepotClient, domain: String, repository: String) async throws -> String {
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

    /// Rewrites a config file (creating its directory) with `change` applied to its current text; a file `change`
    /// cannot edit safely is left as it is.
    private func update(_ path: String, _ change: (String) throws -> String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let existing = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let text: String
        do {
            text = try change(existing)
        } catch {
            throw ValidationError("cannot update \(path): \(error)")
        }
        try writePrivately(text, to: path)
    }

    private func writePrivately(_ text: String, to path: String) throws {
        let temp = path + ".depot-tmp"
        guard FileManager.default.createFile(atPath: temp, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("cannot write \(path)")
        }
        guard rename(temp, path) == 0 else { throw ValidationError("cannot replace \(path)") }
    }
}
