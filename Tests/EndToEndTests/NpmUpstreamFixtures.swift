import Foundation
import Testing

/// An npm registry tree for the upstream stand-in, laid out as registry.npmjs.org serves it: the packument
/// at `<root>/<name>/index.json` (`GET /<name>`, `GET /@scope%2fname`) and tarballs at
/// `<root>/<name>/-/<basename>-<version>.tgz`, with `dist.tarball`, `dist.integrity`, `dist.shasum`, `time`
/// and `dist-tags`. Tarballs are made by `npm pack` from real package directories.
final class NpmStandInTree: @unchecked Sendable {
    let root: URL
    private let scratch: URL
    private let environment: [String: String]
    /// The publish time written for each `name@version`, as the management API renders it (whole seconds).
    private(set) var publishedAt: [String: String] = [:]
    private var clock = Date(timeIntervalSince1970: 1_546_336_800)  // 2019-01-01T10:00:00Z

    init(root: URL, workspace: Workspace) throws {
        self.root = root
        scratch = try workspace.directory("npm-pack-\(UUID().uuidString.prefix(8))")
        environment = workspace.npmEnvironment(cache: "npm-cache-pack")
    }

    /// npm's own bundled packages (`<npm root -g>/npm/node_modules`).
    static func npmModules() throws -> URL {
        let root = try Command.run("npm", ["root", "-g"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return URL(fileURLWithPath: root).appendingPathComponent("npm/node_modules")
    }

    /// Adds `names` from npm's own node_modules with every package they depend on, resolved as Node does
    /// (nested `node_modules` first, so several versions of one name can appear). Returns the `name@version`s added.
    @discardableResult
    func addFromNpmModules(_ names: [String]) throws -> [String] {
        let modules = try Self.npmModules()
        var queue = names.map { modules.appendingPathComponent($0) }
        var added: [String] = []
        var seen: Set<String> = []
        while !queue.isEmpty {
            let directory = queue.removeFirst()
            let manifest = try Self.manifest(at: directory)
            let id = "\(manifest["name"] as? String ?? "?")@\(manifest["version"] as? String ?? "?")"
            guard seen.insert(id).inserted else { continue }
            try add(directory: directory)
            added.append(id)
            for dependency in (manifest["dependencies"] as? [String: Any] ?? [:]).keys.sorted() {
                queue.append(try Self.resolve(dependency, from: directory, modules: modules))
            }
        }
        return added
    }

    /// Packs the package in `directory` and adds that version to its packument.
    @discardableResult
    func add(directory original: URL) throws -> (name: String, version: String, tarball: URL) {
        // `npm pack <folder>` runs `prepare` (minimatch's needs tshy, which is not here; the files are built
        // already), so a copy without the pack-time scripts is packed.
        let directory = scratch.appendingPathComponent("src-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: original, to: directory)
        var stripped = try Self.manifest(at: directory)
        if var scripts = stripped["scripts"] as? [String: Any] {
            for name in ["prepack", "prepare", "postpack"] { scripts.removeValue(forKey: name) }
            stripped["scripts"] = scripts
            try JSONSerialization.data(withJSONObject: stripped, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
                .write(to: directory.appendingPathComponent("package.json"))
        }
        let packed = try Command.run(
            "npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", scratch.path, directory.path], in: scratch,
            environment: environment)
        guard packed.succeeded, let start = packed.stdout.firstIndex(of: "["),
            let info = (try JSONSerialization.jsonObject(with: Data(packed.stdout[start...].utf8)) as? [[String: Any]])?.first,
            let name = info["name"] as? String, let version = info["version"] as? String, let file = info["filename"] as? String,
            let integrity = info["integrity"] as? String, let shasum = info["shasum"] as? String
        else { throw DepotProcessError(message: "npm pack \(directory.path) failed: \(packed.output)") }
        let basename = name.split(separator: "/").last.map(String.init) ?? name
        let tarballName = "\(basename)-\(version).tgz"
        let packageDirectory = root.appendingPathComponent(name)
        let tarball = packageDirectory.appendingPathComponent("-/\(tarballName)")
        try FileManager.default.createDirectory(at: tarball.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: tarball)
        try FileManager.default.moveItem(at: scratch.appendingPathComponent(file), to: tarball)

        var manifest = try Self.manifest(at: directory)
        manifest["_id"] = "\(name)@\(version)"
        manifest["dist"] = [
            "tarball": "{{STAND_IN_URL}}/\(name)/-/\(tarballName)", "integrity": integrity, "shasum": shasum,
        ]
        let packumentURL = packageDirectory.appendingPathComponent("index.json")
        var packument = (try? JSONSerialization.jsonObject(with: Data(contentsOf: packumentURL)) as? [String: Any])
            ?? ["_id": name, "name": name]
        var versions = packument["versions"] as? [String: Any] ?? [:]
        versions[version] = manifest
        packument["versions"] = versions
        clock.addTimeInterval(86_400 + 61)
        var time = packument["time"] as? [String: String] ?? [:]
        time[version] = Self.npmTime(clock)
        time["created"] = time["created"] ?? Self.npmTime(clock)
        time["modified"] = Self.npmTime(clock)
        packument["time"] = time
        let latest = versions.keys.max { Self.isOlder($0, than: $1) } ?? version
        var tags = packument["dist-tags"] as? [String: String] ?? [:]
        tags["latest"] = latest
        packument["dist-tags"] = tags
        packument["description"] = (versions[latest] as? [String: Any])?["description"] ?? ""
        try JSONSerialization.data(withJSONObject: packument, options: [.sortedKeys, .withoutEscapingSlashes]).write(to: packumentURL)
        publishedAt["\(name)@\(version)"] = Self.apiTime(clock)
        return (name, version, tarball)
    }

    /// The packument as written (placeholders unexpanded).
    func packument(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: root.appendingPathComponent("\(name)/index.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func manifest(at directory: URL) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent("package.json"))
        guard let manifest = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw DepotProcessError(message: "\(directory.path)/package.json is not an object")
        }
        return manifest
    }

    /// Where Node finds `name` required from `directory`: the nearest `node_modules/<name>` walking up to `modules`.
    static func resolve(_ name: String, from directory: URL, modules: URL) throws -> URL {
        var current = directory
        while current.path.count >= modules.path.count {
            let candidate = current.appendingPathComponent("node_modules/\(name)")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("package.json").path) { return candidate }
            if current.path == modules.path { break }
            current.deleteLastPathComponent()
            if current.lastPathComponent == "node_modules" || current.lastPathComponent.hasPrefix("@") { current.deleteLastPathComponent() }
        }
        let top = modules.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: top.appendingPathComponent("package.json").path) else {
            throw DepotProcessError(message: "cannot resolve \(name) from \(directory.path)")
        }
        return top
    }

    /// Numeric semver order on `major.minor.patch` (prereleases sort before their release).
    static func isOlder(_ a: String, than b: String) -> Bool {
        func parts(_ v: String) -> ([Int], Bool) {
            let core = v.split(separator: "-", maxSplits: 1)
            return (core[0].split(separator: ".").map { Int($0) ?? 0 }, core.count > 1)
        }
        let (x, xPre) = parts(a)
        let (y, yPre) = parts(b)
        if x != y { return x.lexicographicallyPrecedes(y) }
        return xPre && !yPre
    }

    static func npmTime(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    static func apiTime(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle())
    }
}

/// A Depot whose domain `acme` holds the chain `app -> team -> npm-store(public:npmjs)`, with
/// `public:npmjs` pointed at a stand-in, and npm logged in to `app` (plus a token for publishing to `team`).
final class NpmUpstreamChain: @unchecked Sendable {
    let ws: Workspace
    let standIn: StandInRegistry
    let tree: NpmStandInTree

    init(environment: [String: String] = [:]) throws {
        ws = try Workspace()
        standIn = try StandInRegistry(root: ws.root.appendingPathComponent("stand-in"))
        tree = try NpmStandInTree(root: standIn.root, workspace: ws)
        try standIn.start()
        var env = environment.merging(StandInRegistry.depotEnvironment) { given, _ in given }
        env["DEPOT_NPMJS_URL"] = standIn.url + "/"
        try ws.server.start(environment: env)
        let steps: [[String]] = [
            ["domain", "create", "acme"],
            ["repo", "create", "--domain", "acme", "npm-store", "--external-connection", "public:npmjs"],
            ["repo", "create", "--domain", "acme", "team", "--upstream", "npm-store"],
            ["repo", "create", "--domain", "acme", "app", "--upstream", "team"],
        ]
        for step in steps {
            let result = try ws.server.cli(step)
            #expect(result.succeeded, "depot \(step.joined(separator: " ")): \(result.output)")
        }
        let login = try ws.server.cli(["login", "--tool", "npm", "--domain", "acme", "--repo", "app"], environment: ["HOME": ws.home.path])
        #expect(login.succeeded, "\(login.output)")
        let npmrc = ws.home.appendingPathComponent(".npmrc")
        let host = ws.server.url.replacingOccurrences(of: "http:", with: "")
        let extra = "\(host)/acme/team/npm/:_authToken=\(ws.server.adminToken)\n"
        try Data(((try String(contentsOf: npmrc, encoding: .utf8)) + "\n" + extra).utf8).write(to: npmrc)
    }

    deinit { standIn.stop() }

    func registry(_ repository: String) -> String { "\(ws.server.url)/acme/\(repository)/npm/" }

    /// `npm install <name>` in a new project (with its own npm cache: npm may keep tarballs it packed for a
    /// publish), then what `require(name)` exports, printed by node.
    func installAndLoad(_ name: String, project: String) throws -> String {
        let directory = try ws.directory(project)
        try ws.npm(["init", "-y"], in: directory)
        let install = try ws.npm(["install", name], in: directory, cache: "npm-cache-\(project)")
        #expect(install.succeeded, "\(install.output)")
        let run = try Command.run("node", ["-e", "console.log(require('\(name)'))"], in: directory)
        return run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A management API call with the admin token; the body decoded as a JSON object (empty when it is not one).
    func api(_ method: String, _ path: String, json: [String: Any]? = nil) async throws -> (status: Int, body: [String: Any]) {
        let body = try json.map { try JSONSerialization.data(withJSONObject: $0) }
        let response = try await ws.server.request(
            method, "/api/v1/domains/acme" + path, token: ws.server.adminToken, body: body,
            headers: body == nil ? [:] : ["Content-Type": "application/json"])
        return (response.status, (try? JSONSerialization.jsonObject(with: response.body) as? [String: Any]) ?? [:])
    }

    /// `GET .../repositories/{repo}/packages/npm/{pkg}/versions/{v}`.
    func version(_ version: String, of name: String, in repository: String) async throws -> (status: Int, body: [String: Any]) {
        let encoded = name.replacingOccurrences(of: "/", with: "%2F")
        return try await api("GET", "/repositories/\(repository)/packages/npm/\(encoded)/versions/\(version)")
    }

    /// A raw GET through Depot with the admin token: status, body, and the error message when there is one.
    func get(_ path: String) async throws -> (status: Int, body: Data, message: String) {
        let response = try await ws.server.request("GET", path, token: ws.server.adminToken)
        // The registry routes answer `{"error": message, "code": code}`, the API `{"error": {"code", "message"}}`.
        let object = (try? JSONSerialization.jsonObject(with: response.body) as? [String: Any]) ?? [:]
        let error = object["error"] as? [String: Any] ?? ["code": object["code"] as Any, "message": object["error"] as Any]
        let message = [error["code"] as? String, error["message"] as? String].compactMap { $0 }.joined(separator: ": ")
        return (response.status, response.body, message)
    }
}
