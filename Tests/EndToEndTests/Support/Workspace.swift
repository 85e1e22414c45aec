import Foundation
import Testing

/// A scratch area for one test: a server storage directory, a HOME with its own `.npmrc`, an npm cache.
final class Workspace: @unchecked Sendable {
    let root: URL
    let home: URL
    let server: DepotProcess

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("depot-e2e-\(UUID().uuidString)")
        home = root.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        server = DepotProcess(storage: root.appendingPathComponent("storage"))
    }

    deinit {
        server.stop()
        try? FileManager.default.removeItem(at: root)
    }

    /// Environment for the npm client: HOME (so `depot login` and npm share `~/.npmrc`), a private cache.
    func npmEnvironment(cache: String = "npm-cache") -> [String: String] {
        [
            "HOME": home.path, "npm_config_userconfig": home.appendingPathComponent(".npmrc").path,
            "npm_config_cache": root.appendingPathComponent(cache).path, "npm_config_update_notifier": "false",
            "npm_config_fund": "false", "npm_config_loglevel": "warn", "NO_COLOR": "1",
        ]
    }

    @discardableResult
    func npm(_ arguments: [String], in directory: URL? = nil, cache: String = "npm-cache") throws -> CommandResult {
        try Command.run("npm", arguments, in: directory ?? home, environment: npmEnvironment(cache: cache))
    }

    func directory(_ name: String) throws -> URL {
        let url = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes a small package with `package.json`, `index.js` and a README.
    func makePackage(
        _ name: String, version: String, dependencies: [String: String] = [:], body: String, readme: String? = nil,
        directoryName: String? = nil
    ) throws -> URL {
        let dir = try directory(directoryName ?? "src-\(name.replacingOccurrences(of: "/", with: "-"))-\(version)-\(UUID().uuidString.prefix(6))")
        let manifest: [String: Any] = [
            "name": name, "version": version, "description": "\(name) for Depot's end-to-end tests", "main": "index.js",
            "license": "MIT", "dependencies": dependencies,
        ]
        try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys])
            .write(to: dir.appendingPathComponent("package.json"))
        try Data(body.utf8).write(to: dir.appendingPathComponent("index.js"))
        try Data((readme ?? "# \(name)\n\nA package for tests.\n").utf8).write(to: dir.appendingPathComponent("README.md"))
        return dir
    }

    /// Creates domain `acme` and repository `main`, then runs `depot login --tool npm` into this HOME.
    func setUpRepository(
        domain: String = "acme", repository: String = "main", scope: String? = nil, serverEnvironment: [String: String] = [:]
    ) throws {
        try server.start(environment: serverEnvironment)
        let created = try server.cli(["domain", "create", domain])
        #expect(created.succeeded, "\(created.output)")
        let repo = try server.cli(["repo", "create", "--domain", domain, repository, "--description", "e2e"])
        #expect(repo.succeeded, "\(repo.output)")
        var login = ["login", "--tool", "npm", "--domain", domain, "--repo", repository]
        if let scope { login += ["--scope", scope] }
        let result = try server.cli(login, environment: ["HOME": home.path])
        #expect(result.succeeded, "\(result.output)")
    }

    /// HTTP status of a raw request sent with curl `--path-as-is`, so `..` segments reach the server unchanged.
    func rawStatus(_ method: String, _ path: String, token: String? = nil, body: String? = nil) throws -> Int {
        var arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--path-as-is", "-X", method]
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        if let body { arguments += ["-H", "Content-Type: application/json", "--data-binary", body] }
        arguments.append(server.url + path)
        let result = try Command.run("curl", arguments)
        return Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }
}
