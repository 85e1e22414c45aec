import Foundation
import Testing

/// A pipeline run by `depot serve` with the real clients: a local git repository holding an npm package and its
/// Python test suite; Source -> Build (npm publish to `staging`, exports the version) in parallel with a Test action
/// (pip installs pytest and its dependencies, real wheels from PyPI uploaded to `staging` with twine, then pytest's
/// JUnit report) -> Approval -> Promote (staging -> release); then a new commit on the polled branch starts another
/// execution, which is stopped.
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
        \(PipelineYAML.sourceStage(repository, namespace: "SourceVariables"))
          - name: Build
            actions:
              - name: Package
                category: Build
                provider: Depot
                configuration: {ProjectName: app}
                inputArtifacts: [SourceOutput]
                outputArtifacts: [BuildOutput]
                namespace: BuildVariables
              - name: PythonTests
                category: Test
                provider: Depot
                configuration:
                  ProjectName: app
                  Buildspec: |
                    version: 0.2
                    phases:
                      install:
                        commands:
                          - python -m venv .venv
                          - .venv/bin/python -m pip install --no-cache-dir -r requirements.txt
                      build:
                        commands:
                          - .venv/bin/python -m pytest -p no:cacheprovider --junitxml=reports/junit.xml tests
                    reports:
                      pytest:
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

    /// The Python suite's dependencies: pytest and what it needs (iniconfig, packaging, pluggy...).
    static let pytest = "pytest==8.3.3"

    static let pythonTests = """
        import json
        import pathlib

        from packaging.version import Version


        def test_package_version_is_a_release():
            version = json.loads(pathlib.Path("package.json").read_text())["version"]
            assert Version(version) >= Version("1.0.0")


        def test_index_exports_the_name():
            assert "pipe-app" in pathlib.Path("index.js").read_text()
        """

    /// Real wheels of pytest and its dependencies, downloaded from PyPI for the tools' interpreter and uploaded to
    /// `repository` with twine: the build's pip then finds them in Depot (its only index).
    func uploadPythonDependencies(_ bw: BuildWorkspace, to repository: String) throws {
        let tools = PythonTools.shared
        let version = try bw.ws.runPython(tools.python, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let wheels = try bw.ws.directory("python-wheels")
        let download = try bw.ws.runPython(tools.python, [
            "-m", "pip", "download", "--index-url", "https://pypi.org/simple/", "--only-binary", ":all:", "--python-version", version,
            "-d", wheels.path, Self.pytest,
        ], timeout: 600)
        try #require(download.succeeded, "pip download from pypi.org failed:\n\(download.output)")
        let files = try FileManager.default.contentsOfDirectory(at: wheels, includingPropertiesForKeys: nil).map(\.path).sorted()
        let upload = try bw.ws.runPython(tools.twine, [
            "upload", "--repository-url", "\(bw.server.url)/acme/\(repository)/pypi/", "-u", "aws", "-p", bw.server.adminToken,
        ] + files, timeout: 600)
        try #require(upload.succeeded, "\(upload.output)")
    }

    @Test(
        "Source -> Build || Python tests -> Approval -> Promote; the version reaches release only after approval; a new commit starts an execution",
        .enabled(if: PythonTools.pypiReachable, "pypi.org is not reachable: the Python test suite's real wheels cannot be fetched"))
    func releasePipeline() throws {
        let tools = PythonTools.shared
        try #require(tools.available, tools.missingMessage)
        // Builds find python (with venv and pip) first on the server's PATH, as a build host would provide it.
        let path = "\(tools.bin.path):" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin")
        let bw = try BuildWorkspace(
            serverEnvironment: ["DEPOT_PIPELINE_POLL_INTERVAL": "1s", "DEPOT_BUILD_CONCURRENCY": "2", "PATH": path], localGitSources: true)
        for repo in ["staging", "release"] {
            #expect(try bw.server.cli(["repo", "create", "--domain", "acme", repo]).succeeded)
        }
        try uploadPythonDependencies(bw, to: "staging")
        let source = try bw.ws.directory("app-git")
        try FileManager.default.createDirectory(at: source.appendingPathComponent("tests"), withIntermediateDirectories: true)
        try write(
            [
                "package.json": #"{"name":"pipe-app","version":"1.0.0","main":"index.js","license":"MIT"}"#,
                "index.js": "module.exports = 'pipe-app 1.0.0';\n", "buildspec.yml": Self.buildspec,
                "requirements.txt": Self.pytest + "\n", "tests/test_app.py": Self.pythonTests,
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
        // Watched from the start: action lines, and below them each build action's log in turn.
        let watch = BackgroundCommand { try bw.server.cli(["pipeline", "executions", "--domain", "acme", "release-app", "--id", id, "--follow"]) }
        let waiting = try waitFor { action(try execution(bw, id), "Approve", "Release")["status"] as? String == "WaitingForApproval" }
        let current = try execution(bw, id)
        try #require(waiting, "\(current) \(bw.server.log)")
        let package = action(current, "Build", "Package")
        let tests = action(current, "Build", "PythonTests")
        #expect((package["outputVariables"] as? [String: String])?["VERSION"] == "1.0.0")
        #expect((tests["summary"] as? String)?.contains("tests 2 passed") == true, "\(tests)")
        // The two builds overlapped: each started before the other ended (times are to the second).
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
        let watched = try #require(watch.wait(seconds: 60), "--follow did not end with the execution")
        #expect(watched.succeeded, "\(watched.output)")
        for expected in ["Build/Package", "Build/PythonTests", "Approve/Release", "Execution \(id) Succeeded"] {
            #expect(watched.stdout.contains(expected), "\(expected): \(watched.stdout)")
        }
        // Both builds' logs streamed under their actions (npm publish's, then pytest's).
        #expect(watched.stdout.contains("  Build/Package | ") && watched.stdout.contains("  Build/PythonTests | "), "\(watched.stdout)")
        #expect(watched.stdout.contains("2 passed"), "\(watched.stdout)")
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
