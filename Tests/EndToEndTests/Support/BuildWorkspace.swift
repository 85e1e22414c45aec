import Foundation
import Testing

/// A workspace for build tests: a server with domain `acme` and repository `main`, helpers to write a project
/// and run `depot build run` on it.
final class BuildWorkspace: @unchecked Sendable {
    let ws: Workspace

    /// What the server was started with: a restart passes it again.
    private(set) var serverEnvironment: [String: String] = [:]

    /// `localGitSources`: pipelines may fetch git repositories inside the workspace (`pipelines.gitAllowedPaths`).
    init(serverEnvironment: [String: String]? = nil, localGitSources: Bool = false) throws {
        ws = try Workspace()
        if var environment = serverEnvironment {
            if localGitSources { environment["DEPOT_PIPELINE_GIT_ALLOWED_PATHS"] = ws.root.path }
            self.serverEnvironment = environment
            try ws.server.start(environment: environment)
            #expect(try ws.server.cli(["domain", "create", "acme"]).succeeded)
            #expect(try ws.server.cli(["repo", "create", "--domain", "acme", "main"]).succeeded)
        } else {
            try ws.setUpRepository()
        }
    }

    var server: DepotProcess { ws.server }

    /// Writes `files` (relative path -> text) into a new directory.
    func project(_ name: String, _ files: [String: String]) throws -> URL {
        let dir = try ws.directory(name)
        for (path, text) in files {
            let file = dir.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: file)
        }
        return dir
    }

    /// `depot build run` on `source`; returns the command result and the build.json it wrote (if any).
    func build(_ source: URL, extra: [String] = [], environment: [String: String] = [:]) throws -> (CommandResult, [String: Any], URL) {
        let output = ws.root.appendingPathComponent("out-\(UUID().uuidString.prefix(8))")
        var env = environment
        env["HOME"] = ws.home.path
        let result = try server.cli(
            ["build", "run", "--source", source.path, "--domain", "acme", "--repo", "main", "--artifacts-dir", output.path,
             "--cache-dir", ws.root.appendingPathComponent("build-cache").path] + extra,
            environment: env)
        let json = (try? Data(contentsOf: output.appendingPathComponent("build.json")))
            .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] } ?? [:]
        return (result, json, output)
    }

    /// The phases of a build.json as (phase, status) pairs.
    static func phases(_ json: [String: Any]) -> [String: String] {
        var phases: [String: String] = [:]
        for phase in json["phases"] as? [[String: Any]] ?? [] {
            if let name = phase["phase"] as? String { phases[name] = phase["status"] as? String }
        }
        return phases
    }

    /// Whether any live process has `needle` in its command line.
    static func processRunning(withArgument needle: String) -> Bool {
        for pid in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where Int(pid) != nil {
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { continue }
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            if stat.contains(") Z ") { continue }
            if String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self).contains(needle) { return true }
        }
        return false
    }

    /// Whether any live process has `variable` (NAME=value) in its environment.
    static func processRunning(withEnvironment variable: String) -> Bool {
        for pid in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where Int(pid) != nil {
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { continue }
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            if stat.contains(") Z ") { continue }
            if data.split(separator: 0).contains(where: { String(decoding: $0, as: UTF8.self) == variable }) { return true }
        }
        return false
    }
}
