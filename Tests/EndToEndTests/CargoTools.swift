import Foundation
import Testing

/// A Depot server with domain `acme` and repository `main`, and a CARGO_HOME configured by `depot login --tool
/// cargo`, for driving the real cargo (1.95, from rustup) against it. Test crates have no crates.io dependencies:
/// the machine is offline.
final class CargoWorkspace: @unchecked Sendable {
    let ws: Workspace
    var server: DepotProcess { ws.server }
    var cargoHome: URL { ws.home.appendingPathComponent(".cargo") }

    /// Where rustup puts cargo when it is not on PATH.
    static let rustupBin = "/root/.cargo/bin"

    init(externalConnection: String? = nil, serverEnvironment: [String: String] = [:]) throws {
        ws = try Workspace()
        try ws.server.start(environment: serverEnvironment)
        #expect(try server.cli(["domain", "create", "acme"]).succeeded)
        var create = ["repo", "create", "--domain", "acme", "main"]
        if let externalConnection { create += ["--external-connection", externalConnection] }
        let repo = try server.cli(create)
        #expect(repo.succeeded, "\(repo.output)")
        let login = try server.cli(["login", "--tool", "cargo", "--domain", "acme", "--repo", "main"], environment: ["HOME": ws.home.path])
        #expect(login.succeeded, "\(login.output)")
    }

    /// The registry's URL below the server: `/acme/main/cargo`.
    var registryPath: String { "/acme/main/cargo" }

    /// The token `depot login` wrote into config.toml.
    var token: String {
        let text = (try? String(contentsOf: cargoHome.appendingPathComponent("config.toml"), encoding: .utf8)) ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix("token = ") } ?? ""
        return line.split(separator: "\"").dropFirst().first.map(String.init) ?? ""
    }

    var environment: [String: String] {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return [
            "HOME": ws.home.path, "CARGO_HOME": cargoHome.path, "PATH": "\(Self.rustupBin):\(path)", "CARGO_TERM_COLOR": "never",
            "CARGO_TERM_PROGRESS_WHEN": "never", "CARGO_NET_RETRY": "0",
            // rustup's proxies find their toolchains below RUSTUP_HOME, by default in the HOME replaced here.
            "RUSTUP_HOME": ProcessInfo.processInfo.environment["RUSTUP_HOME"] ?? "/root/.rustup",
        ]
    }

    @discardableResult
    func cargo(_ arguments: [String], in directory: URL, environment extra: [String: String] = [:]) throws -> CommandResult {
        try Command.run("cargo", arguments, in: directory, environment: environment.merging(extra) { $1 })
    }

    /// A library crate (or a binary with `main`) whose `Cargo.toml` has `dependencies` lines verbatim.
    func makeCrate(
        _ name: String, version: String, dependencies: [String] = [], features: [String] = [], source: String, binary: Bool = false
    ) throws -> URL {
        let dir = try ws.directory("crate-\(name)-\(version)-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("src"), withIntermediateDirectories: true)
        let manifest = """
            [package]
            name = "\(name)"
            version = "\(version)"
            edition = "2021"
            description = "\(name) for Depot's end-to-end tests"
            license = "MIT"
            publish = \(binary ? "false" : "[\"depot\"]")

            [dependencies]
            \(dependencies.joined(separator: "\n"))

            [features]
            \(features.joined(separator: "\n"))

            """
        try Data(manifest.utf8).write(to: dir.appendingPathComponent("Cargo.toml"))
        try Data(source.utf8).write(to: dir.appendingPathComponent(binary ? "src/main.rs" : "src/lib.rs"))
        return dir
    }

    /// The versions of `name` a project's Cargo.lock pinned.
    static func lockedVersions(of name: String, in project: URL) throws -> [String] {
        let lock = try String(contentsOf: project.appendingPathComponent("Cargo.lock"), encoding: .utf8)
        let blocks = lock.components(separatedBy: "[[package]]")
        return blocks.compactMap { block -> String? in
            guard block.contains("name = \"\(name)\"\n") else { return nil }
            return block.split(separator: "\n").first { $0.hasPrefix("version = ") }.map { String($0.dropFirst("version = \"".count).dropLast()) }
        }
    }

    /// A raw request with the token as Cargo sends it (the bare value of `Authorization`), sent with curl: it reads
    /// an answer that comes before the whole body was sent (a refused publish), where URLSession on Linux can wait.
    func request(_ method: String, _ path: String, token: String? = nil, body: Data? = nil, headers: [String: String] = [:]) async throws
        -> (status: Int, body: Data, headers: [String: String])
    {
        let scratch = try ws.directory("curl-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let output = scratch.appendingPathComponent("body")
        let dumped = scratch.appendingPathComponent("headers")
        var arguments = ["-s", "--path-as-is", "-X", method, "-o", output.path, "-D", dumped.path, "-w", "%{http_code}"]
        if let token { arguments += ["-H", "Authorization: \(token)"] }
        for (name, value) in headers { arguments += ["-H", "\(name): \(value)"] }
        if let body {
            let file = scratch.appendingPathComponent("request")
            try body.write(to: file)
            arguments += ["-H", "Content-Type: application/octet-stream", "--data-binary", "@\(file.path)"]
        }
        let result = try Command.run("curl", arguments + [server.url + registryPath + path], timeout: 60)
        var fields: [String: String] = [:]
        for line in ((try? String(contentsOf: dumped, encoding: .utf8)) ?? "").split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let status = Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        return (status, (try? Data(contentsOf: output)) ?? Data(), fields)
    }

    /// The `detail` of each error in Cargo's error body.
    static func details(_ body: Data) -> [String] {
        let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any]
        return (object?["errors"] as? [[String: Any]] ?? []).compactMap { $0["detail"] as? String }
    }
}

/// Cargo's publish body: u32 LE length + JSON + u32 LE length + .crate.
enum CargoPublishBody {
    static func le32(_ value: UInt32) -> Data { Data((0..<4).map { UInt8((value >> (8 * $0)) & 0xff) }) }

    static func make(json: Data, crate: Data) -> Data {
        le32(UInt32(json.count)) + json + le32(UInt32(crate.count)) + crate
    }

    static func metadata(name: String, version: String, deps: [[String: Any]] = []) -> Data {
        let object: [String: Any] = ["name": name, "vers": version, "deps": deps, "features": [String: Any](), "description": "raw"]
        return (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
    }

    /// A gzip stream (its magic is all the server looks at before storing): enough for the publish path.
    static let crate = Data([0x1f, 0x8b, 0x08, 0x00] + Array(repeating: 0x42, count: 64))
}
