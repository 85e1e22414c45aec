import Foundation
import Testing

/// npm through the chain `app -> team -> npm-store(public:npmjs)`, with public:npmjs a local stand-in serving
/// packages from npm's own node_modules: install, the fetched versions recorded along the path with the
/// upstream's publish times, then `npm ci` with the stand-in gone.
@Suite("npm upstream install")
struct NpmUpstreamInstallTests {
    static let requested = ["debug", "color-convert", "minimatch", "cross-spawn", "npm-package-arg", "@npmcli/name-from-folder", "ms"]

    @Test("install through app -> team -> npm-store, then npm ci with the upstream stopped")
    func installThroughChainThenOffline() async throws {
        let chain = try NpmUpstreamChain()
        let added = try chain.tree.addFromNpmModules(Self.requested)
        // Transitive dependencies came along, some in two versions (debug pins ms 2.1.2, cross-spawn wants which 2).
        for expected in ["ms@2.1.2", "color-name@1.1.4", "balanced-match@", "brace-expansion@", "shebang-regex@", "isexe@", "lru-cache@"] {
            #expect(added.contains { $0.hasPrefix(expected) }, "\(expected) missing from \(added)")
        }
        #expect(Set(added.filter { $0.hasPrefix("ms@") }).count == 2, "\(added)")

        let project = try chain.ws.directory("project")
        try chain.ws.npm(["init", "-y"], in: project)
        let install = try chain.ws.npm(["install"] + Self.requested, in: project)
        #expect(install.succeeded, "\(install.output)\n\(chain.ws.server.log.suffix(3000))")
        let script = """
            const convert = require('color-convert');
            const { minimatch } = require('minimatch');
            const npa = require('npm-package-arg');
            const spawn = require('cross-spawn');
            console.log(convert.rgb.hex(255, 0, 0), minimatch('a/b.js', '**/*.js'), npa('foo@^1.2.0').type,
                require('ms')('2h'), typeof require('debug'), typeof spawn.sync);
            """
        let run = try Command.run("node", ["-e", script], in: project)
        #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "FF0000 true range 7200000 function function", "\(run.output)")

        // Every installed package came through Depot and was kept in app, team and npm-store, as fetched from
        // the external connection, with the upstream's publish time.
        let lock = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: project.appendingPathComponent("package-lock.json"))) as? [String: Any])
        let installed = (lock["packages"] as? [String: [String: Any]] ?? [:]).filter { !$0.key.isEmpty }
        #expect(installed.count == added.count, "installed \(installed.keys.sorted()) vs stand-in \(added)")
        for (path, entry) in installed {
            let name = String(path[path.range(of: "node_modules/", options: .backwards)!.upperBound...])
            let version = try #require(entry["version"] as? String)
            let resolved = entry["resolved"] as? String ?? ""
            #expect(resolved.hasPrefix(chain.registry("app")), "\(path) resolved from \(resolved)")
            for repository in ["app", "team", "npm-store"] {
                let (status, body) = try await chain.version(version, of: name, in: repository)
                #expect(status == 200, "\(name)@\(version) in \(repository): \(status) \(body)")
                let origin = body["origin"] as? [String: Any] ?? [:]
                #expect(origin["type"] as? String == "EXTERNAL", "\(name)@\(version) in \(repository): \(body)")
                #expect(origin["repository"] as? String == "public:npmjs", "\(name)@\(version) in \(repository): \(body)")
                #expect(body["publishedAt"] as? String == chain.tree.publishedAt["\(name)@\(version)"], "\(name)@\(version): \(body)")
            }
        }
        // The packument served by Depot carries the upstream's times too.
        let times = try chain.ws.npm(["view", "ms", "time", "--json"])
        let timeObject = try #require(try JSONSerialization.jsonObject(with: Data(times.stdout.utf8)) as? [String: Any], "\(times.output)")
        #expect(timeObject["2.1.2"] as? String == NpmStandInTree.npmTime(try Self.date(chain.tree.publishedAt["ms@2.1.2"])))

        // The upstream goes away: npm ci from the lockfile in a fresh directory with an empty cache still works.
        chain.standIn.stop()
        let ciProject = try chain.ws.directory("ci-project")
        for file in ["package.json", "package-lock.json"] {
            try FileManager.default.copyItem(at: project.appendingPathComponent(file), to: ciProject.appendingPathComponent(file))
        }
        let ci = try chain.ws.npm(["ci"], in: ciProject, cache: "npm-cache-offline")
        #expect(ci.succeeded, "\(ci.output)")
        let again = try Command.run("node", ["-e", script], in: ciProject)
        #expect(again.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "FF0000 true range 7200000 function function", "\(again.output)")

        // A fresh install without a lockfile resolves from what Depot kept as well.
        let fresh = try chain.ws.directory("fresh-project")
        try chain.ws.npm(["init", "-y"], in: fresh)
        let offline = try chain.ws.npm(["install", "color-convert", "debug"], in: fresh, cache: "npm-cache-fresh")
        #expect(offline.succeeded, "\(offline.output)")
        #expect(!chain.ws.server.log.contains("dpt_"))
    }

    static func date(_ api: String?) throws -> Date {
        try Date.ISO8601FormatStyle().parse(try #require(api))
    }
}
