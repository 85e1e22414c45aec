import Foundation
import Testing

/// Server builds as an attacker with a publish token would try them: environment overrides that run code, a
/// buildspec that reads the server's storage, a domain deleted and created again, a cache shared across domains.
@Suite("build: sandbox and isolation")
struct BuildSandboxTests {
    func createProject(_ bw: BuildWorkspace, domain: String = "acme", repository: String = "main", _ name: String, buildspec: String)
        throws
    {
        let source = try bw.project("src-\(domain)-\(name)-\(UUID().uuidString.prefix(6))", ["buildspec.yml": buildspec])
        let created = try bw.server.cli(
            ["build", "create-project", "--domain", domain, name, "--repo", repository, "--source-dir", source.path])
        #expect(created.succeeded, "\(created.output)")
    }

    func run(_ bw: BuildWorkspace, domain: String = "acme", _ project: String) throws -> CommandResult {
        try bw.server.cli(["build", "start", "--domain", domain, "--project", project, "--follow"])
    }

    @Test("BASH_ENV and other reserved variables are refused with 400 naming them, from the API and the CLI")
    func reservedEnvironmentOverrides() async throws {
        let bw = try BuildWorkspace(serverEnvironment: [:])
        try createProject(bw, "p", buildspec: "version: 0.2\nphases:\n  build:\n    commands: [echo hi]\n")
        let publisher = try bw.server.cli(
            ["token", "create", "--domain", "acme", "--repo", "main", "--permission", "read", "--permission", "publish"]
        ).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(publisher.hasPrefix("dpt_"), "\(publisher)")
        let pwned = bw.ws.root.appendingPathComponent("pwned")
        for name in ["BASH_ENV", "LD_PRELOAD", "PATH", "DEPOT_AUTH_TOKEN", "NPM_CONFIG_REGISTRY", "lower"] {
            let body = try JSONSerialization.data(withJSONObject: ["environment": [name: "$(touch \(pwned.path))"]])
            let (status, data, _) = try await bw.server.request(
                "POST", "/api/v1/domains/acme/projects/p/builds", token: publisher, body: body, headers: ["Content-Type": "application/json"])
            #expect(status == 400, "\(name): \(String(decoding: data, as: UTF8.self))")
            #expect(String(decoding: data, as: UTF8.self).contains(name))
        }
        let cli = try bw.server.cli(["build", "start", "--domain", "acme", "--project", "p", "--env", "BASH_ENV=/tmp/x"], token: publisher)
        #expect(!cli.succeeded && cli.output.contains("BASH_ENV"), "\(cli.output)")
        let plain = try bw.project("plain", ["buildspec.yml": "version: 0.2\nphases:\n  build:\n    commands: [echo hi]\n"])
        let project = try bw.server.cli(
            ["build", "create-project", "--domain", "acme", "q", "--repo", "main", "--source-dir", plain.path, "--env", "ENV=x"])
        #expect(!project.succeeded && project.output.contains("ENV"), "\(project.output)")
        let local = try bw.build(try bw.project("local", ["buildspec.yml": "version: 0.2\nphases:\n  build:\n    commands: [echo hi]\n"]),
            extra: ["--env", "BASH_ENV=/tmp/x"])
        #expect(!local.0.succeeded && local.0.output.contains("BASH_ENV"), "\(local.0.output)")
        #expect(!FileManager.default.fileExists(atPath: pwned.path))
        let builds = try bw.server.cli(["build", "list", "--domain", "acme"])
        #expect(!builds.stdout.contains("p:"), "no build was queued: \(builds.output)")
    }

    @Test("a build cannot read the admin token, the secrets key, the database, nor other builds' directories")
    func buildCannotReadStorage() throws {
        let bw = try BuildWorkspace(serverEnvironment: [:])
        let storage = bw.server.storage.path
        #expect(try bw.server.cli(["secret", "put", "--domain", "acme", "s", "--value", "sealed-value"]).succeeded)
        // A first build leaves a file in its directory while it runs; the second looks for it and for the storage.
        try createProject(bw, "victim", buildspec: """
            version: 0.2
            phases:
              build:
                commands:
                  - echo victim-data > victim.txt
                  - while [ ! -f go ]; do sleep 0.1; done
            """)
        try createProject(bw, "thief", buildspec: """
            version: 0.2
            phases:
              build:
                commands:
                  - if cat "\(storage)/admin.token"; then echo LEAK-admin-token; fi
                  - if base64 "\(storage)/build-secrets.key"; then echo LEAK-secrets-key; fi
                  - if head -c 100 "\(storage)/depot.sqlite"; then echo LEAK-database; fi
                  - ls -A "\(storage)" | grep -vx builds && echo LEAK-storage-listed || true
                  - ls -A "\(storage)/builds" | grep -vx "$(echo "$CODEBUILD_BUILD_ID" | tr ':' '-')" && echo LEAK-builds-listed || true
                  - if cat "\(storage)"/builds/victim-*/work/src/victim.txt; then echo LEAK-victim; fi
                  - if ls "\(storage)/blobs"; then echo LEAK-blobs; fi
                  - if ls /proc/*/cwd/ 2>/dev/null | grep -q victim.txt; then echo LEAK-proc; fi
                  - echo "running as $(id -u)"
            """)
        let victim = try bw.server.cli(["build", "start", "--domain", "acme", "--project", "victim", "--json"])
        let victimID = ((try? JSONSerialization.jsonObject(with: Data(victim.stdout.utf8))) as? [String: Any])?["id"] as? String ?? ""
        let victimSource = bw.server.storage.appendingPathComponent("builds/\(victimID.replacingOccurrences(of: ":", with: "-"))/work/src")
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: victimSource.appendingPathComponent("victim.txt").path), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(FileManager.default.fileExists(atPath: victimSource.appendingPathComponent("victim.txt").path))
        let thief = try run(bw, "thief")
        _ = FileManager.default.createFile(atPath: victimSource.appendingPathComponent("go").path, contents: nil)
        let listed = try bw.server.cli(["build", "list", "--domain", "acme", "--json"]).output
        #expect(thief.succeeded, "\(thief.output)\n\(listed)")
        #expect(thief.stdout.contains("running as 1000"), "\(thief.output)")
        // Whole lines: the log also shows each command, markers included.
        let lines = thief.stdout.split(separator: "\n")
        for leak in ["LEAK-", "victim-data", "SQLite format"] {
            #expect(!lines.contains { $0.hasPrefix(leak) }, "\(leak) in \(thief.output)")
        }
        #expect(!thief.stdout.contains(bw.server.adminToken))
    }

    @Test("a project's source directory may not be, hold or link into the storage (it is copied outside the sandbox)")
    func sourceDirectoryOutsideStorage() throws {
        let bw = try BuildWorkspace(serverEnvironment: [:])
        let link = bw.ws.root.appendingPathComponent("innocent")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: bw.server.storage)
        for (index, directory) in [bw.server.storage, bw.ws.root, bw.server.storage.appendingPathComponent("blobs"), link].enumerated() {
            let created = try bw.server.cli(
                ["build", "create-project", "--domain", "acme", "p\(index)", "--repo", "main", "--source-dir", directory.path])
            #expect(!created.succeeded && created.output.contains("storage"), "\(directory.path): \(created.output)")
        }
        // A link swapped in after the project was created is refused when the build copies the source.
        let later = try bw.project("later", ["buildspec.yml": "version: 0.2\nphases:\n  build:\n    commands: [ls]\n"])
        #expect(try bw.server.cli(["build", "create-project", "--domain", "acme", "later", "--repo", "main", "--source-dir", later.path]).succeeded)
        try FileManager.default.removeItem(at: later)
        try FileManager.default.createSymbolicLink(at: later, withDestinationURL: bw.server.storage)
        let build = try run(bw, "later")
        #expect(!build.succeeded && build.output.contains("overlaps Depot's storage"), "\(build.output)")
        #expect(!build.output.contains("admin.token"), "\(build.output)")
    }

    @Test("a domain deleted and created again inherits no projects, builds, secrets, tokens or caches")
    func domainDeleteRemovesEverything() throws {
        let bw = try BuildWorkspace(serverEnvironment: [:])
        #expect(try bw.server.cli(["domain", "create", "temp"]).succeeded)
        #expect(try bw.server.cli(["repo", "create", "--domain", "temp", "rr"]).succeeded)
        #expect(try bw.server.cli(["secret", "put", "--domain", "temp", "s", "--value", "old-secret"]).succeeded)
        let oldToken = try bw.server.cli(["token", "create", "--domain", "temp", "--permission", "read"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try createProject(bw, domain: "temp", repository: "rr", "app", buildspec: """
            version: 0.2
            phases:
              build:
                commands: [mkdir -p cached, echo old-cache > cached/file]
            cache:
              paths: ['cached/**/*']
            """)
        #expect(try run(bw, domain: "temp", "app").succeeded)
        let cacheRoot = bw.server.storage.appendingPathComponent("build-cache")
        #expect(try FileManager.default.contentsOfDirectory(atPath: cacheRoot.path).count == 1)

        #expect(try bw.server.cli(["repo", "delete", "--domain", "temp", "rr"]).succeeded)
        let deleted = try bw.server.cli(["domain", "delete", "temp"])
        #expect(deleted.succeeded, "\(deleted.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: cacheRoot.path).isEmpty)
        #expect(try bw.server.cli(["domain", "create", "temp"]).succeeded)
        let projects = try bw.server.cli(["build", "projects", "--domain", "temp"])
        #expect(projects.succeeded && !projects.stdout.contains("app"), "\(projects.output)")
        let builds = try bw.server.cli(["build", "list", "--domain", "temp"])
        #expect(builds.succeeded && !builds.stdout.contains("app"), "\(builds.output)")
        let secrets = try bw.server.cli(["secret", "list", "--domain", "temp"])
        #expect(secrets.succeeded && !secrets.stdout.contains("s"), "\(secrets.output)")
        // curl, not URLSession: that one waits for a credential on a 401 with WWW-Authenticate.
        let status = try Command.run(
            "curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Bearer \(oldToken)", "\(bw.server.url)/api/v1/domains/temp"])
        #expect(status.stdout == "401", "\(status.output)")
    }

    @Test("two domains' projects of the same name never share a build cache")
    func buildCacheIsKeyedByDomain() throws {
        let bw = try BuildWorkspace(serverEnvironment: [:])
        #expect(try bw.server.cli(["domain", "create", "other"]).succeeded)
        #expect(try bw.server.cli(["repo", "create", "--domain", "other", "main"]).succeeded)
        let spec = { (value: String) in
            """
            version: 0.2
            phases:
              build:
                commands:
                  - if [ -f cached/file ]; then echo "restored=$(cat cached/file)"; fi
                  - mkdir -p cached && echo \(value) > cached/file
            cache:
              paths: ['cached/**/*']
            """
        }
        try createProject(bw, domain: "acme", "app", buildspec: spec("acme-cache-secret"))
        try createProject(bw, domain: "other", "app", buildspec: spec("other-cache"))
        #expect(try run(bw, domain: "acme", "app").succeeded)
        let other = try run(bw, domain: "other", "app")
        #expect(other.succeeded, "\(other.output)")
        // Whole lines: the log also shows each command.
        let restored = { (result: CommandResult) in result.stdout.split(separator: "\n").filter { $0.hasPrefix("restored=") } }
        #expect(restored(other).isEmpty, "\(other.output)")
        let again = try run(bw, domain: "acme", "app")
        #expect(restored(again) == ["restored=acme-cache-secret"], "\(again.output)")
    }
}
