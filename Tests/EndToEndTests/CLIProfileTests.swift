import Foundation
import Testing

/// `depot configure` profiles: saved once, they make the CLI work from any directory; selected with --profile or
/// DEPOT_PROFILE; each setting resolved flag > variable > profile.
@Suite("CLI profiles")
struct CLIProfileTests {
    /// A server, a HOME with no profile yet, and a directory unrelated to the server's.
    final class Setup: @unchecked Sendable {
        let ws: Workspace
        let elsewhere: URL

        init() throws {
            ws = try Workspace()
            try ws.server.start()
            elsewhere = try ws.directory("somewhere/else")
        }

        var configFile: URL { ws.home.appendingPathComponent(".config/depot/config.toml") }

        func depot(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandResult {
            var env = environment
            env["HOME"] = env["HOME"] ?? ws.home.path
            return try CLIFailureTests.depot(arguments, in: elsewhere, environment: env).result
        }
    }

    static func permissions(_ url: URL) throws -> Int {
        try #require((try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? NSNumber)?.intValue)
    }

    @Test("depot configure, then the CLI works from another directory; the file is 0600 in 0700 directories, the token never shown")
    func configureThenUse() throws {
        let setup = try Setup()
        let token = setup.ws.server.adminToken
        let saved = try setup.depot(["configure", "--url", setup.ws.server.url, "--token", token])
        #expect(saved.succeeded, "\(saved.output)")
        #expect(!saved.output.contains(token))
        #expect(try Self.permissions(setup.configFile) == 0o600)
        #expect(try Self.permissions(setup.configFile.deletingLastPathComponent()) == 0o700)
        #expect(try Self.permissions(setup.configFile.deletingLastPathComponent().deletingLastPathComponent()) == 0o700)

        let created = try setup.depot(["domain", "create", "acme"])
        #expect(created.succeeded, "\(created.output)")
        let listed = try setup.depot(["domain", "list"])
        #expect(listed.succeeded && listed.stdout.contains("acme"), "\(listed.output)")

        let profiles = try setup.depot(["configure", "list"])
        #expect(profiles.succeeded && profiles.stdout.contains("default") && profiles.stdout.contains(setup.ws.server.url), "\(profiles.output)")
        #expect(!profiles.output.contains(token), "configure list must mask the token")

        // Updating the URL keeps the token; the file stays private.
        let updated = try setup.depot(["configure", "--url", setup.ws.server.url + "/"])
        #expect(updated.succeeded, "\(updated.output)")
        #expect(try setup.depot(["domain", "list"]).succeeded)
        #expect(try Self.permissions(setup.configFile) == 0o600)
    }

    @Test("--profile and DEPOT_PROFILE select a profile; a missing one is a clear error (exit 2)")
    func selection() throws {
        let setup = try Setup()
        let closed = try ClosedPort()
        let down = "http://127.0.0.1:\(closed.port)"
        #expect(try setup.depot(["configure", "--url", down, "--token", "dpt_x"]).succeeded)
        #expect(try setup.depot(["configure", "--profile", "live", "--url", setup.ws.server.url, "--token", setup.ws.server.adminToken]).succeeded)

        let viaDefault = try setup.depot(["domain", "list"])
        #expect(viaDefault.status == 6 && viaDefault.stderr.contains(down), "\(viaDefault.output)")
        let viaFlag = try setup.depot(["domain", "list", "--profile", "live"])
        #expect(viaFlag.succeeded, "\(viaFlag.output)")
        let viaVariable = try setup.depot(["domain", "list"], environment: ["DEPOT_PROFILE": "live"])
        #expect(viaVariable.succeeded, "\(viaVariable.output)")
        // The flag wins over the variable.
        let both = try setup.depot(["domain", "list", "--profile", "default"], environment: ["DEPOT_PROFILE": "live"])
        #expect(both.status == 6, "\(both.output)")

        let path = setup.configFile.path
        for (arguments, environment) in [(["--profile", "nope"], [String: String]()), ([], ["DEPOT_PROFILE": "nope"])] {
            let missing = try setup.depot(["domain", "list"] + arguments, environment: environment)
            #expect(missing.status == 2, "\(missing.output)")
            #expect(
                missing.stderr == "depot: no profile 'nope' in \(path) (create it with: depot configure --profile nope --url URL --token TOKEN)\n",
                "\(missing.stderr)")
        }

        let removed = try setup.depot(["configure", "remove", "live"])
        #expect(removed.succeeded, "\(removed.output)")
        #expect(try setup.depot(["domain", "list", "--profile", "live"]).status == 2)
    }

    @Test("each setting: flag > variable > profile; a token from a variable is named in a 401")
    func resolutionOrder() throws {
        let setup = try Setup()
        #expect(try setup.depot(["configure", "--url", setup.ws.server.url, "--token", setup.ws.server.adminToken]).succeeded)
        let variable = try setup.depot(["domain", "list"], environment: ["DEPOT_TOKEN": "dpt_wrong"])
        #expect(variable.status == 3 && variable.stderr.contains("(token from DEPOT_TOKEN)"), "\(variable.output)")
        let flag = try setup.depot(["domain", "list", "--token", setup.ws.server.adminToken], environment: ["DEPOT_TOKEN": "dpt_wrong"])
        #expect(flag.succeeded, "\(flag.output)")
        let closed = try ClosedPort()
        let url = try setup.depot(["domain", "list"], environment: ["DEPOT_URL": "http://127.0.0.1:\(closed.port)"])
        #expect(url.status == 6, "\(url.output)")
        // A token of the profile that the server refuses names the profile.
        #expect(try setup.depot(["configure", "--token", "dpt_stale"]).succeeded)
        let stale = try setup.depot(["domain", "list"])
        #expect(stale.status == 3 && stale.stderr.contains("(token from profile 'default')"), "\(stale.output)")
    }

    @Test("XDG_CONFIG_HOME is respected; a malformed file is refused with its line number")
    func xdgAndMalformed() throws {
        let setup = try Setup()
        let xdg = setup.ws.root.appendingPathComponent("xdg")
        let saved = try setup.depot(
            ["configure", "--profile", "x", "--url", setup.ws.server.url, "--token", setup.ws.server.adminToken],
            environment: ["XDG_CONFIG_HOME": xdg.path])
        #expect(saved.succeeded, "\(saved.output)")
        let file = xdg.appendingPathComponent("depot/config.toml")
        #expect(try Self.permissions(file) == 0o600)
        #expect(try setup.depot(["domain", "list", "--profile", "x"], environment: ["XDG_CONFIG_HOME": xdg.path]).succeeded)

        let text = try String(contentsOf: file, encoding: .utf8)
        try Data((text + "colour = \"blue\"\n").utf8).write(to: file)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
        let refused = try setup.depot(["domain", "list", "--profile", "x"], environment: ["XDG_CONFIG_HOME": xdg.path])
        #expect(refused.status == 2, "\(refused.output)")
        #expect(
            refused.stderr == "depot: \(file.path):\(lines): unknown key 'colour' (expected url, token, ca_cert)\n", "\(refused.stderr)")
    }

    @Test("next to a local server, ./storage/admin.token is still the fallback")
    func localFallback() throws {
        let setup = try Setup()
        let run = try CLIFailureTests.depot(["domain", "list"], in: setup.ws.root, environment: ["DEPOT_URL": setup.ws.server.url])
        #expect(run.result.succeeded, "\(run.result.output)")
    }
}
