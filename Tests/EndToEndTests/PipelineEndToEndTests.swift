import Foundation
import Testing

/// A pipeline run by `depot serve` with the real clients: a local git repository holding an npm package; Source ->
/// Build (npm publish to `staging`, exports the version) in parallel with a Test action (JUnit report) -> Approval ->
/// Promote (staging -> release); then a new commit on the polled branch starts another execution, which is stopped.
@Suite("pipeline: end to end", .serialized)
struct PipelineEndToEndTests {
    func git(_ arguments: [String], in directory: URL) throws {
        let result = try Command.run(
            "git", ["-c", "user.name=e2e", "-c", "user.email=e2e@example.com"] + arguments, in: directory)
        try #require(result.succeeded, "git \(arguments): \(result.output)")
    }

    func write(_ files: [String: String], in directory: URL) throws {
        for (path, text) in files { try Data(text.utf8).write(to: directory.appendingPathComponent(path)) }
    }

    func execution(_ bw: BuildWorkspace, _ id: String) throws -> [String: Any] {
        let result = try bw.server.cli(["pipeline", "executions", "--domain", "acme", "release-app", "--id", id, "--json"])
        return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
    }

    func action(_ execution: [String: Any], _ stage: String, _ name: String) -> [String: Any] {
        let stages = execution["stages"] as? [[String: Any]] ?? []
        let actions = stages.first { $0["name"] as? String == stage }?["actions"] as? [[String: Any]] ?? []
        return actions.first { $0["name"] as? String == name } ?? [:]
    }

    func waitFor(_ seconds: Double = 240, _ condition: () throws -> Bool) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return false
    }

    static func definition(repository: URL) -> String {
        """
        name: release-app
        stages:
          - name: Source
            actions:
              - name: Checkout
                category: Source
                provider: Git
                configuration: {Repository: "\(repository.path)", Branch: main}
                outputArtifacts: [SourceOutput]
                namespace: SourceVariables
          - name: Build
            actions:
              - name: Package
                category: Build
                provider: Depot
                configuration: {ProjectName: app}
                inputArtifacts: [SourceOutput]
                outputArtifacts: [BuildOutput]
                namespace: BuildVariables
              - name: UnitTests
                category: Test
                provider: Depot
                configuration:
                  ProjectName: app
                  Buildspec: |
                    version: 0.2
                    phases:
                      build:
                        commands:
                          - sleep 2
                          - mkdir -p reports && node -e "require('fs').writeFileSync('reports/junit.xml', '<testsuite name=\\"t\\" tests=\\"1\\"><testcase classname=\\"t\\" name=\\"ok\\"/></testsuite>')"
                    reports:
                      unit:
                        files: ['junit.xml']
                        base-directory: reports
                inputArtifacts: [SourceOutput]
          - name: Approve
            actions:
              - name: Release
                category: Approval
                provider: Manual
                configuration: {CustomData: "Release #{BuildVariables.VERSION} (#{SourceVariables.CommitId})?"}
          - name: Release
            actions:
              - name: Promote
                category: Deploy
                provider: Promote
                configuration:
                  Format: npm
                  Package: pipe-app
                  Versions: "#{BuildVariables.VERSION}"
                  SourceRepository: staging
                  DestinationRepository: release
        """
    }

    static let buildspec = """
        version: 0.2
        env:
          exported-variables: [VERSION]
        phases:
          build:
            commands:
              - sleep 2
              - export VERSION=$(node -p "require('./package.json').version")
              - npm publish
        artifacts:
          files: [package.json, index.js]
        """

    @Test("Source -> Build || Test -> Approval -> Promote; the version reaches release only after approval; a new commit starts an execution")
    func releasePipeline() throws {
        let bw = try BuildWorkspace(serverEnvironment: ["DEPOT_PIPELINE_POLL_SECONDS": "1", "DEPOT_BUILD_CONCURRENCY": "2"])
        for repo in ["staging", "release"] {
            #expect(try bw.server.cli(["repo", "create", "--domain", "acme", repo]).succeeded)
        }
        let source = try bw.ws.directory("app-git")
        try write(
            [
                "package.json": #"{"name":"pipe-app","version":"1.0.0","main":"index.js","license":"MIT"}"#,
                "index.js": "module.exports = 'pipe-app 1.0.0';\n", "buildspec.yml": Self.buildspec,
            ], in: source)
        try git(["init", "--quiet", "--initial-branch=main"], in: source)
        try git(["add", "."], in: source)
        try git(["commit", "--quiet", "-m", "1.0.0"], in: source)
        let project = try bw.server.cli(["build", "create-project", "--domain", "acme", "app", "--repo", "staging", "--source-dir", source.path])
        #expect(project.succeeded, "\(project.output)")

        // An invalid definition is refused with the parser's message.
        let bad = try bw.ws.directory("defs").appendingPathComponent("bad.yml")
        try Data("name: release-app\nstages:\n  - name: Build\n    actions: []\n".utf8).write(to: bad)
        let refused = try bw.server.cli(["pipeline", "create", "--domain", "acme", bad.path])
        #expect(!refused.succeeded && refused.output.contains("InvalidPipelineDefinition") || refused.output.contains("invalid pipeline"), "\(refused.output)")

        let file = bad.deletingLastPathComponent().appendingPathComponent("release-app.yml")
        try Data(Self.definition(repository: source).utf8).write(to: file)
        let created = try bw.server.cli(["pipeline", "create", "--domain", "acme", file.path])
        try #require(created.succeeded, "\(created.output)")

        let started = try bw.server.cli(["pipeline", "start", "--domain", "acme", "release-app", "--json"])
        let id = try #require(
            ((try? JSONSerialization.jsonObject(with: Data(started.stdout.utf8))) as? [String: Any])?["pipelineExecutionId"] as? String,
            "\(started.output)")
        let waiting = try waitFor { action(try execution(bw, id), "Approve", "Release")["status"] as? String == "WaitingForApproval" }
        let current = try execution(bw, id)
        try #require(waiting, "\(current) \(bw.server.log)")
        let package = action(current, "Build", "Package")
        let tests = action(current, "Build", "UnitTests")
        #expect((package["outputVariables"] as? [String: String])?["VERSION"] == "1.0.0")
        #expect((tests["summary"] as? String)?.contains("tests 1 passed") == true, "\(tests)")
        // The two builds overlapped (both sleep 2 s; times are to the second).
        let formatter = ISO8601DateFormatter()
        let times = [package, tests].map { ($0["startTime"] as? String).flatMap(formatter.date) ?? .distantPast }
        let ends = [package, tests].map { ($0["endTime"] as? String).flatMap(formatter.date) ?? .distantFuture }
        #expect(times[0] < ends[1] && times[1] < ends[0], "\(package) \(tests)")

        let versions = "/api/v1/domains/acme/repositories/release/packages/npm/pipe-app/versions/1.0.0"
        #expect(try bw.ws.rawStatus("GET", versions, token: bw.server.adminToken) == 404)
        #expect(try bw.ws.rawStatus("GET", "/api/v1/domains/acme/repositories/staging/packages/npm/pipe-app/versions/1.0.0", token: bw.server.adminToken) == 200)

        let approved = try bw.server.cli(
            ["pipeline", "approve", "--domain", "acme", "release-app", "--execution", id, "--stage", "Approve", "--action", "Release", "--comment", "ship"])
        #expect(approved.succeeded, "\(approved.output)")
        let succeeded = try waitFor { try execution(bw, id)["status"] as? String == "Succeeded" }
        let final = try execution(bw, id)
        #expect(succeeded, "\(final)")
        #expect(try bw.ws.rawStatus("GET", versions, token: bw.server.adminToken) == 200)

        // npm installs it from release.
        let login = try bw.server.cli(["login", "--tool", "npm", "--domain", "acme", "--repo", "release"], environment: ["HOME": bw.ws.home.path])
        #expect(login.succeeded, "\(login.output)")
        let consumer = try bw.ws.directory("consumer")
        try Data(#"{"name":"consumer","version":"1.0.0","license":"MIT"}"#.utf8).write(to: consumer.appendingPathComponent("package.json"))
        let install = try bw.ws.npm(["install", "pipe-app@1.0.0"], in: consumer)
        #expect(install.succeeded, "\(install.output)")
        #expect(FileManager.default.fileExists(atPath: consumer.appendingPathComponent("node_modules/pipe-app/index.js").path))

        // The listing and the events show the run.
        let events = try bw.server.cli(["pipeline", "executions", "--domain", "acme", "release-app"])
        #expect(events.stdout.contains("Succeeded"), "\(events.output)")

        // A new commit on the polled branch starts an execution (the poll saw the old head by now: every second).
        try write(["package.json": #"{"name":"pipe-app","version":"1.0.1","main":"index.js","license":"MIT"}"#], in: source)
        try git(["commit", "--quiet", "-am", "1.0.1"], in: source)
        var polled: String?
        let triggered = try waitFor(60) {
            let list = try bw.server.cli(["pipeline", "executions", "--domain", "acme", "release-app", "--json"])
            let executions = ((try? JSONSerialization.jsonObject(with: Data(list.stdout.utf8))) as? [String: Any])?["executions"] as? [[String: Any]]
            polled = executions?.first { ($0["trigger"] as? String)?.hasPrefix("poll") == true }?["pipelineExecutionId"] as? String
            return polled != nil
        }
        #expect(triggered, "\(bw.server.log)")
        if let polled {
            let stop = try bw.server.cli(["pipeline", "stop", "--domain", "acme", "release-app", "--execution", polled, "--abandon"])
            #expect(stop.succeeded, "\(stop.output)")
            let stopped = try waitFor(60) { try execution(bw, polled)["status"] as? String == "Stopped" }
            let last = try execution(bw, polled)
            #expect(stopped, "\(last)")
        }
    }
}
