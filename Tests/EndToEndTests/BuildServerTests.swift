import Foundation
import Testing

/// Server-side builds against a running `depot serve`: projects, queued builds and worker concurrency, secrets
/// masked in stored logs, live logs, logs and artifacts kept as blobs, stop, a graceful shutdown that stops running
/// builds, and a restart after a crash that marks a running build FAULT.
@Suite("build: server projects")
struct BuildServerTests {
    /// A project whose build signals it started, then waits for the test's `go` file. Builds run sandboxed and see
    /// only their own copy of the source: both files are in it (see `source(of:)`).
    func waitingProject(_ bw: BuildWorkspace, _ name: String) throws -> URL {
        try bw.project(
            "src-\(name)",
            [
                "buildspec.yml": """
                    version: 0.2
                    env:
                      secrets:
                        API_KEY: api-key
                      exported-variables: [WHO]
                    phases:
                      build:
                        commands:
                          - touch started
                          - while [ ! -f go ]; do sleep 0.1; done
                          - echo "key=$API_KEY token=$DEPOT_AUTH_TOKEN number=$CODEBUILD_BUILD_NUMBER"
                          - export WHO=\(name)
                    artifacts:
                      files: [buildspec.yml]
                    """
            ])
    }

    /// The build's working copy of its source, under the server's storage.
    func source(of id: String, _ bw: BuildWorkspace) -> URL {
        bw.server.storage.appendingPathComponent("builds/\(id.replacingOccurrences(of: ":", with: "-"))/work/src")
    }

    func started(_ id: String, _ bw: BuildWorkspace) -> Bool {
        FileManager.default.fileExists(atPath: source(of: id, bw).appendingPathComponent("started").path)
    }

    func go(_ id: String, _ bw: BuildWorkspace) {
        _ = FileManager.default.createFile(atPath: source(of: id, bw).appendingPathComponent("go").path, contents: nil)
    }

    func describe(_ bw: BuildWorkspace, _ id: String) throws -> [String: Any] {
        let result = try bw.server.cli(["build", "describe", "--domain", "acme", id])
        return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
    }

    func waitFor(_ seconds: Double = 60, _ condition: () throws -> Bool) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return false
    }

    func tokenStatus(_ bw: BuildWorkspace, named name: String) throws -> String? {
        let listed = try bw.server.cli(["token", "list", "--domain", "acme", "--json"])
        let tokens = ((try? JSONSerialization.jsonObject(with: Data(listed.stdout.utf8))) as? [String: Any])?["tokens"] as? [[String: Any]]
        return tokens?.first { $0["name"] as? String == name }?["status"] as? String
    }

    func start(_ bw: BuildWorkspace, _ project: String) throws -> String {
        let started = try bw.server.cli(["build", "start", "--domain", "acme", "--project", project, "--json"])
        let id = ((try? JSONSerialization.jsonObject(with: Data(started.stdout.utf8))) as? [String: Any])?["id"] as? String
        #expect(id != nil, "\(started.output)")
        return id ?? ""
    }

    @Test("two builds run at once, a third waits; secrets and the token masked; live log; stop; restart -> FAULT")
    func projectsQueueAndRestart() throws {
        let bw = try BuildWorkspace(serverEnvironment: ["DEPOT_BUILD_CONCURRENCY": "2"])
        let put = try bw.server.cli(["secret", "put", "--domain", "acme", "api-key", "--value", "s3cr3t-api-key-value"])
        #expect(put.succeeded, "\(put.output)")
        for name in ["p1", "p2", "p3"] {
            let source = try waitingProject(bw, name)
            let created = try bw.server.cli(
                ["build", "create-project", "--domain", "acme", name, "--repo", "main", "--source-dir", source.path])
            #expect(created.succeeded, "\(created.output)")
        }
        let ids = try ["p1", "p2", "p3"].map { try start(bw, $0) }
        let twoStarted = try waitFor { ids[0...1].allSatisfy { started($0, bw) } }
        #expect(twoStarted)
        // With two workers the third build is still queued while the first two wait for `go`.
        Thread.sleep(forTimeInterval: 1)
        #expect(try describe(bw, ids[2])["status"] as? String == "QUEUED")
        #expect(!started(ids[2], bw))
        #expect(try describe(bw, ids[0])["status"] as? String == "IN_PROGRESS")

        go(ids[0], bw)
        go(ids[1], bw)
        #expect(try waitFor { started(ids[2], bw) })
        go(ids[2], bw)
        // The live log (chunked, open until the build ends) of the third build.
        let live = try Command.run(
            "curl", ["-s", "-N", "-H", "Authorization: Bearer \(bw.server.adminToken)",
                     "\(bw.server.url)/api/v1/domains/acme/builds/\(ids[2])/logs?follow=true"], timeout: 120)
        #expect(try waitFor { try ids.allSatisfy { try describe(bw, $0)["status"] as? String == "SUCCEEDED" } })
        #expect(live.stdout.contains("Entering phase BUILD"), "\(live.output)")

        for id in ids {
            let log = try bw.server.cli(["build", "logs", "--domain", "acme", id]).stdout
            #expect(log.contains("key=*** token=***"), "\(log)")
            #expect(!log.contains("s3cr3t-api-key-value") && !log.contains("dpt_"))
        }
        let result = try describe(bw, ids[0])["result"] as? [String: Any]
        #expect(result?["exportedVariables"] as? [String: String] == ["WHO": "p1"])
        let zip = bw.ws.root.appendingPathComponent("p1-artifact.zip")
        let download = try Command.run(
            "curl", ["-s", "-f", "-o", zip.path, "-H", "Authorization: Bearer \(bw.server.adminToken)",
                     "\(bw.server.url)/api/v1/domains/acme/builds/\(ids[0])/artifacts/artifacts.zip"])
        #expect(download.succeeded, "\(download.output)")
        #expect(try Command.run("unzip", ["-Z1", zip.path]).stdout == "buildspec.yml\n")
        // The log and the zip are kept as blobs (named by their sha256); the build's working copies are gone.
        let artifactDigest = (result?["artifacts"] as? [[String: Any]])?.first?["sha256"] as? String ?? "?"
        let logDigest = result?["logSHA256"] as? String ?? "?"
        #expect(try Command.run("sha256sum", [zip.path]).stdout.hasPrefix(artifactDigest))
        let blobFiles = FileManager.default.enumerator(atPath: bw.server.storage.appendingPathComponent("blobs").path)?
            .compactMap { ($0 as? String).map { ($0 as NSString).lastPathComponent } } ?? []
        #expect(blobFiles.contains(artifactDigest) && blobFiles.contains(logDigest), "\(blobFiles)")
        let buildDirectory = bw.server.storage.appendingPathComponent("builds/\(ids[0].replacingOccurrences(of: ":", with: "-"))")
        #expect(!FileManager.default.fileExists(atPath: buildDirectory.path))

        // Stop a running build (a new build's copy of the source has no `go`).
        let stopped = try start(bw, "p1")
        #expect(try waitFor { try describe(bw, stopped)["status"] as? String == "IN_PROGRESS" })
        #expect(try bw.server.cli(["build", "stop", "--domain", "acme", stopped]).succeeded)
        #expect(try waitFor { try describe(bw, stopped)["status"] as? String == "STOPPED" })
        #expect(try bw.server.cli(["build", "logs", "--domain", "acme", stopped]).stdout.contains("Entering phase BUILD"))

        // A crash leaves a build running; the next start marks it FAULT and kills its processes.
        let running = try start(bw, "p2")
        #expect(try waitFor { try describe(bw, running)["status"] as? String == "IN_PROGRESS" })
        #expect(bw.server.stop(signal: SIGKILL))
        try bw.server.start(environment: ["DEPOT_BUILD_CONCURRENCY": "2"])
        #expect(try describe(bw, running)["status"] as? String == "FAULT")
        #expect(!BuildWorkspace.processRunning(withEnvironment: "CODEBUILD_BUILD_ID=\(running)"))
        // Its token too: no build end will revoke it.
        let tokenName = String(("build-" + running.replacingOccurrences(of: ":", with: "-")).prefix(64))
        #expect(try waitFor(60) { try tokenStatus(bw, named: tokenName) == "Revoked" })

        let list = try bw.server.cli(["build", "list", "--domain", "acme", "--project", "p1"])
        #expect(list.stdout.contains("SUCCEEDED") && list.stdout.contains("STOPPED"), "\(list.output)")
    }

    @Test("SIGTERM stops a running build (even while its log is followed): STOPPED, log kept, no process left")
    func shutdownStopsRunningBuilds() throws {
        let bw = try BuildWorkspace(serverEnvironment: ["DEPOT_BUILD_CONCURRENCY": "2"])
        #expect(try bw.server.cli(["secret", "put", "--domain", "acme", "api-key", "--value", "v"]).succeeded)
        let source = try waitingProject(bw, "long")
        #expect(
            try bw.server.cli(["build", "create-project", "--domain", "acme", "long", "--repo", "main", "--source-dir", source.path])
                .succeeded)
        let id = try start(bw, "long")
        #expect(try waitFor { started(id, bw) })
        // A follower keeps a response open for as long as the build runs; shutdown must not wait for the build.
        let follower = Process()
        follower.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        follower.arguments = [
            "curl", "-s", "-N", "-o", "/dev/null", "-H", "Authorization: Bearer \(bw.server.adminToken)",
            "\(bw.server.url)/api/v1/domains/acme/builds/\(id)/logs?follow=true",
        ]
        try follower.run()
        defer { if follower.isRunning { follower.terminate() } }
        Thread.sleep(forTimeInterval: 0.5)

        #expect(bw.server.stop(signal: SIGTERM, within: 30), "\(bw.server.log)")
        #expect(!BuildWorkspace.processRunning(withEnvironment: "CODEBUILD_BUILD_ID=\(id)"))
        try bw.server.start(environment: ["DEPOT_BUILD_CONCURRENCY": "2"])
        let build = try describe(bw, id)
        #expect(build["status"] as? String == "STOPPED", "\(build)")
        let result = build["result"] as? [String: Any]
        #expect((result?["message"] as? String)?.contains("server shut down") == true, "\(build)")
        let log = try bw.server.cli(["build", "logs", "--domain", "acme", id]).stdout
        #expect(log.contains("Stopping the build: the server is shutting down"), "\(log)")
    }

    @Test("a git project is cloned at its ref; an invalid buildspec fails the build with its line before any command")
    func gitSourceAndInvalidBuildspec() throws {
        let bw = try BuildWorkspace(serverEnvironment: ["DEPOT_BUILD_CONCURRENCY": "1"])
        let repo = try bw.project(
            "git-src", ["buildspec.yml": "version: 0.2\nphases:\n  build:\n    commands:\n      - echo \"from git $(cat VERSION)\"\n", "VERSION": "one\n"])
        let git = { (arguments: [String]) throws -> CommandResult in
            try Command.run("git", ["-C", repo.path, "-c", "user.name=t", "-c", "user.email=t@example.com"] + arguments)
        }
        #expect(try git(["init", "-q", "-b", "main"]).succeeded)
        #expect(try git(["add", "."]).succeeded)
        #expect(try git(["commit", "-q", "-m", "one"]).succeeded)
        #expect(try git(["tag", "v1"]).succeeded)
        try Data("two\n".utf8).write(to: repo.appendingPathComponent("VERSION"))
        try Data("version: 0.2\nphases:\n  build:\n    commands: [touch ran]\n  ship:\n    commands: [touch ran]\n".utf8)
            .write(to: repo.appendingPathComponent("buildspec.yml"))
        #expect(try git(["commit", "-q", "-am", "two"]).succeeded)

        for (name, ref) in [("at-v1", "v1"), ("at-main", "main")] {
            let created = try bw.server.cli(
                ["build", "create-project", "--domain", "acme", name, "--repo", "main", "--git", repo.path, "--ref", ref])
            #expect(created.succeeded, "\(created.output)")
        }
        let good = try bw.server.cli(["build", "start", "--domain", "acme", "--project", "at-v1", "--follow"])
        #expect(good.succeeded, "\(good.output)")
        #expect(good.stdout.contains("from git one"), "\(good.output)")

        let bad = try bw.server.cli(["build", "start", "--domain", "acme", "--project", "at-main", "--follow"])
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("buildspec.yml:5: unknown phase 'ship'"), "\(bad.output)")
        #expect(bad.stdout.contains("Build") && bad.stdout.contains("FAILED"))
    }

    @Test("a hung git clone: stop ends it STOPPED, the timeout TIMED_OUT, no git left; the URL's credentials never logged")
    func hungCloneIsStoppedAndTimedOut() throws {
        let bw = try BuildWorkspace(serverEnvironment: ["DEPOT_BUILD_CONCURRENCY": "1", "DEPOT_BUILD_TIMEOUT": "5s"])
        let listener = try SilentListener()
        let path = "127.0.0.1:\(listener.port)/hung.git"
        let created = try bw.server.cli(
            ["build", "create-project", "--domain", "acme", "hung", "--repo", "main", "--git", "http://builder:clone-s3cret@\(path)"])
        #expect(created.succeeded, "\(created.output)")
        let stopped = try start(bw, "hung")
        // One worker: the second build runs only once the first hung clone is given up.
        let timedOut = try start(bw, "hung")
        #expect(try waitFor { BuildWorkspace.processRunning(withArgument: path) })
        #expect(try bw.server.cli(["build", "stop", "--domain", "acme", stopped]).succeeded)
        #expect(try waitFor(60) { try describe(bw, stopped)["status"] as? String == "STOPPED" })
        #expect(try waitFor(90) { try describe(bw, timedOut)["status"] as? String == "TIMED_OUT" })
        #expect(!BuildWorkspace.processRunning(withArgument: path))
        for id in [stopped, timedOut] {
            let log = try bw.server.cli(["build", "logs", "--domain", "acme", id]).stdout
            #expect(log.contains("Cloning http://\(path)"), "\(log)")
            #expect(!log.contains("clone-s3cret") && !log.contains("Entering phase PROVISIONING"), "\(log)")
        }
    }
}

/// A TCP port whose connections the kernel accepts and nobody answers: a git server that hangs.
final class SilentListener {
    private let descriptor: Int32
    let port: UInt16

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && listen(descriptor, 16) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard descriptor >= 0, listening else { throw CocoaError(.fileReadUnknown) }
        self.descriptor = descriptor
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit { close(descriptor) }
}
