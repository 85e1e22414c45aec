import DepotBuild
import Foundation
import Testing

/// Records each hook it is asked to run; fails those named in `failing`.
actor FakeHookRunner: LifecycleHookRunner {
    private(set) var runs: [LifecycleHookInvocation] = []
    /// What `current` pointed at when each hook ran.
    private(set) var currentAtRun: [String?] = []
    let failing: Set<String>
    let target: URL

    init(target: URL, failing: Set<String> = []) {
        self.target = target
        self.failing = failing
    }

    func run(_ hook: LifecycleHookInvocation) async -> LifecycleHookResult {
        runs.append(hook)
        currentAtRun.append(try? FileManager.default.destinationOfSymbolicLink(atPath: target.appendingPathComponent("current").path))
        return failing.contains(hook.script.lastPathComponent) ? LifecycleHookResult(status: .failed(exitStatus: 3), output: "boom") : LifecycleHookResult(status: .succeeded)
    }

    var names: [String] { runs.map { "\($0.event.rawValue) \($0.script.deletingLastPathComponent().deletingLastPathComponent().lastPathComponent)/\($0.script.lastPathComponent)" } }
}

@Suite struct PipelineRevisionDeployerTests {
    static let appSpec = """
        version: 0.0
        os: linux
        files:
          - source: app
            destination: /
          - source: config/app.conf
            destination: /etc/app.conf
        hooks:
          ApplicationStop: [{location: scripts/stop.sh}]
          BeforeInstall: [{location: scripts/before.sh}]
          AfterInstall: [{location: scripts/after.sh}]
          ApplicationStart: [{location: scripts/start.sh, timeout: 30}]
          ValidateService: [{location: scripts/validate.sh}]
        """

    /// A bundle whose app/index.html says `version`.
    func bundle(_ directory: TemporaryDirectory, _ version: String, appSpec: String = PipelineRevisionDeployerTests.appSpec) throws -> URL {
        let name = "bundle-\(version)"
        try directory.write("\(name)/appspec.yml", appSpec)
        try directory.write("\(name)/app/index.html", version)
        try directory.write("\(name)/app/static/site.css", "body{}")
        try directory.write("\(name)/config/app.conf", "v=\(version)")
        for script in ["stop", "before", "after", "start", "validate"] {
            try directory.write("\(name)/scripts/\(script).sh", "echo \(script) \(version) $LIFECYCLE_EVENT $DEPLOYMENT_ID >> \"$DEPOT_TARGET_DIRECTORY/hooks.log\"\n")
        }
        return directory.url.appendingPathComponent(name)
    }

    /// As the orchestrator builds it from a Deploy/AppSpec action's resolved configuration.
    func deployment(_ id: String, _ bundle: URL, _ target: URL) -> RevisionDeployment {
        let configuration = AppSpecDeployConfiguration(["TargetDirectory": target.path, "ApplicationName": "web", "DeploymentGroupName": "prod"])!
        return RevisionDeployment(deploymentId: id, configuration: configuration, bundleDirectory: bundle)
    }

    func read(_ url: URL) -> String? {
        try? String(contentsOf: url, encoding: .utf8)
    }

    @Test func installsRevisionsAndRunsHooksInCodeDeploysOrder() async throws {
        let directory = try TemporaryDirectory()
        let target = directory.url.appendingPathComponent("target")
        let runner = FakeHookRunner(target: target)
        let deployer = RevisionDeployer(hookRunner: runner)

        let first = try await deployer.deploy(deployment("d-1", try bundle(directory, "v1"), target))
        #expect(first.succeeded)
        #expect(first.previousDeploymentId == nil)
        #expect(read(target.appendingPathComponent("current/index.html")) == "v1")
        #expect(read(target.appendingPathComponent("current/static/site.css")) == "body{}")
        #expect(read(target.appendingPathComponent("current/etc/app.conf")) == "v=v1")
        // No previous revision: no ApplicationStop.
        #expect(await runner.names == ["BeforeInstall d-1/before.sh", "AfterInstall d-1/after.sh", "ApplicationStart d-1/start.sh", "ValidateService d-1/validate.sh"])
        #expect(await runner.currentAtRun == [nil, "revisions/d-1", "revisions/d-1", "revisions/d-1"])
        let start = await runner.runs[2]
        #expect(start.timeout == .seconds(30))
        #expect(start.environment["LIFECYCLE_EVENT"] == "ApplicationStart")
        #expect(start.environment["DEPLOYMENT_ID"] == "d-1")
        #expect(start.environment["APPLICATION_NAME"] == "web")
        #expect(start.environment["DEPLOYMENT_GROUP_NAME"] == "prod")

        let second = try await deployer.deploy(deployment("d-2", try bundle(directory, "v2"), target))
        #expect(second.succeeded)
        #expect(second.previousDeploymentId == "d-1")
        #expect(read(target.appendingPathComponent("current/index.html")) == "v2")
        // ApplicationStop came from the previous revision's bundle, before anything of the new one.
        #expect(await Array(runner.names.suffix(5)) == [
            "ApplicationStop d-1/stop.sh", "BeforeInstall d-2/before.sh", "AfterInstall d-2/after.sh", "ApplicationStart d-2/start.sh", "ValidateService d-2/validate.sh",
        ])
        await #expect(throws: RevisionDeploymentError.self) { try await deployer.deploy(deployment("d-2", try bundle(directory, "v2"), target)) }
    }

    @Test func aFailingHookAfterTheSwitchRollsCurrentBack() async throws {
        let directory = try TemporaryDirectory()
        let target = directory.url.appendingPathComponent("target")
        _ = try await RevisionDeployer(hookRunner: FakeHookRunner(target: target)).deploy(deployment("d-1", try bundle(directory, "v1"), target))
        let runner = FakeHookRunner(target: target, failing: ["start.sh"])
        let result = try await RevisionDeployer(hookRunner: runner).deploy(deployment("d-2", try bundle(directory, "v2"), target))
        #expect(!result.succeeded)
        #expect(result.failure?.event == .applicationStart)
        #expect(result.failure?.message == "ApplicationStart script scripts/start.sh exited with status 3")
        #expect(result.rolledBack)
        #expect(result.hooks.last?.result.output == "boom")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: target.appendingPathComponent("current").path) == "revisions/d-1")
        #expect(read(target.appendingPathComponent("current/index.html")) == "v1")
        #expect(await !runner.names.contains { $0.hasPrefix("ValidateService") })
        // No temporary links are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.path).sorted() == ["bundles", "current", "revisions"])
    }

    @Test func aFailingHookBeforeTheSwitchLeavesCurrentAlone() async throws {
        let directory = try TemporaryDirectory()
        let target = directory.url.appendingPathComponent("target")
        _ = try await RevisionDeployer(hookRunner: FakeHookRunner(target: target)).deploy(deployment("d-1", try bundle(directory, "v1"), target))
        let result = try await RevisionDeployer(hookRunner: FakeHookRunner(target: target, failing: ["before.sh"]))
            .deploy(deployment("d-2", try bundle(directory, "v2"), target))
        #expect(result.failure?.event == .beforeInstall)
        #expect(!result.rolledBack)
        #expect(read(target.appendingPathComponent("current/index.html")) == "v1")
        #expect(!FileManager.default.fileExists(atPath: target.appendingPathComponent("revisions/d-2").path))
        // The first deployment failing after the switch removes `current`.
        let fresh = directory.url.appendingPathComponent("fresh")
        let failed = try await RevisionDeployer(hookRunner: FakeHookRunner(target: fresh, failing: ["validate.sh"]))
            .deploy(deployment("d-1", try bundle(directory, "v1"), fresh))
        #expect(failed.rolledBack)
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: fresh.appendingPathComponent("current").path)) == nil)
    }

    @Test func refusesBadAppSpecsAndEscapes() async throws {
        let directory = try TemporaryDirectory()
        let target = directory.url.appendingPathComponent("target")
        let deployer = RevisionDeployer(hookRunner: FakeHookRunner(target: target))
        let broken = try bundle(directory, "bad", appSpec: "version: 0.0\nos: linux\nfiles: [{source: ../x, destination: /}]")
        await #expect(throws: RevisionDeploymentError.self) { try await deployer.deploy(deployment("d-1", broken, target)) }
        var escaping = deployment("d-1", try bundle(directory, "v1"), target)
        escaping.appSpecPath = "../bundle-v1/appspec.yml"
        await #expect(throws: RevisionDeploymentError.self) { try await deployer.deploy(escaping) }
        // A script that is a link out of the bundle does not run.
        let linked = try bundle(directory, "v3")
        try FileManager.default.removeItem(at: linked.appendingPathComponent("scripts/before.sh"))
        try FileManager.default.createSymbolicLink(atPath: linked.appendingPathComponent("scripts/before.sh").path, withDestinationPath: "/bin/true")
        let runner = FakeHookRunner(target: target)
        let result = try await RevisionDeployer(hookRunner: runner).deploy(deployment("d-3", linked, target))
        #expect(result.failure?.message == "BeforeInstall script scripts/before.sh could not run: it is not in the revision bundle")
        #expect(await runner.runs.isEmpty)
        await #expect(throws: RevisionDeploymentError.self) { try await deployer.deploy(deployment("../d", linked, target)) }
    }

    @Test func keepsTheNewestRevisions() async throws {
        let directory = try TemporaryDirectory()
        let target = directory.url.appendingPathComponent("target")
        let deployer = RevisionDeployer(hookRunner: FakeHookRunner(target: target))
        for number in 1...7 {
            #expect(try await deployer.deploy(deployment("d-\(number)", try bundle(directory, "v\(number)"), target)).succeeded)
        }
        let kept = try FileManager.default.contentsOfDirectory(atPath: target.appendingPathComponent("revisions").path).sorted()
        #expect(kept.count == RevisionDeployer.revisionsKept)
        #expect(kept.contains("d-7") && kept.contains("d-6") && !kept.contains("d-1"))
    }

    @Test func shellRunnerRunsRealScriptsWithTheLifecycleVariables() async throws {
        let directory = try TemporaryDirectory()
        let target = directory.url.appendingPathComponent("target")
        let runner = ShellLifecycleHookRunner(
            baseEnvironment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"], scratchDirectory: directory.url.appendingPathComponent("scratch"))
        let deployer = RevisionDeployer(hookRunner: runner)
        #expect(try await deployer.deploy(deployment("d-1", try bundle(directory, "v1"), target)).succeeded)
        #expect(try await deployer.deploy(deployment("d-2", try bundle(directory, "v2"), target)).succeeded)
        #expect(read(target.appendingPathComponent("hooks.log")) == """
            before v1 BeforeInstall d-1
            after v1 AfterInstall d-1
            start v1 ApplicationStart d-1
            validate v1 ValidateService d-1
            stop v1 ApplicationStop d-2
            before v2 BeforeInstall d-2
            after v2 AfterInstall d-2
            start v2 ApplicationStart d-2
            validate v2 ValidateService d-2

            """)

        // A failing script, with its output; and a script past its timeout.
        let failing = try bundle(directory, "v3")
        try directory.write("bundle-v3/scripts/validate.sh", "echo not healthy\nexit 7\n")
        let result = try await deployer.deploy(deployment("d-3", failing, target))
        #expect(result.failure?.message == "ValidateService script scripts/validate.sh exited with status 7")
        #expect(result.hooks.last?.result.output.contains("not healthy") == true)
        #expect(read(target.appendingPathComponent("current/index.html")) == "v2")

        try directory.write("slow/scripts/sleep.sh", "sleep 30\n")
        let slow = await runner.run(
            LifecycleHookInvocation(
                event: .validateService, script: directory.url.appendingPathComponent("slow/scripts/sleep.sh"),
                workingDirectory: directory.url.appendingPathComponent("slow"), environment: [:], timeout: .seconds(1), runAs: nil, writableDirectories: []))
        #expect(slow.status == .timedOut)
    }
}
