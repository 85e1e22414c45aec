import Foundation
import Testing

/// A pipeline that builds an npm app whose dependency comes from Depot and deploys it with an AppSpec: the build
/// fails while the dependency is missing and a retry of that stage after publishing it succeeds without re-running
/// the source; a restart while waiting for approval keeps waiting; ValidateService runs the installed app; a
/// failing ValidateService rolls `current` back.
@Suite("pipeline: deploy", .serialized)
struct PipelineDeployTests {
    let e2e = PipelineEndToEndTests()

    static func definition(repository: URL, target: URL) -> String {
        """
        name: deploy-app
        stages:
        \(PipelineYAML.sourceStage(repository, poll: false))
          - name: Build
            actions:
              - name: Package
                category: Build
                provider: Depot
                configuration: {ProjectName: app2}
                inputArtifacts: [SourceOutput]
                outputArtifacts: [BuildOutput]
          - name: Approve
            actions:
              - name: Go
                category: Approval
                provider: Manual
          - name: Deploy
            actions:
              - name: Install
                category: Deploy
                provider: AppSpec
                configuration: {TargetDirectory: "\(target.path)", ApplicationName: app, DeploymentGroupName: prod}
                inputArtifacts: [BuildOutput]
        """
    }

    static let files: [String: String] = [
        "package.json": #"{"name":"deploy-app","version":"1.0.0","main":"index.js","license":"MIT","dependencies":{"pipe-lib":"1.0.0"}}"#,
        "index.js": "console.log('app says ' + require('pipe-lib'));\n",
        "buildspec.yml": """
            version: 0.2
            phases:
              build:
                commands:
                  - npm install
                  - mkdir -p app && cp -r index.js package.json node_modules app/
            artifacts:
              files: ['app/**/*', appspec.yml, 'scripts/*']
            """,
        "appspec.yml": """
            version: 0.0
            os: linux
            files:
              - source: app
                destination: /
            hooks:
              ValidateService: [{location: scripts/validate.sh}]
            """,
        "scripts/validate.sh": "node \"$DEPOT_TARGET_DIRECTORY/current/index.js\" > \"$DEPOT_TARGET_DIRECTORY/validated.txt\"\n",
    ]

    func status(_ bw: BuildWorkspace, _ id: String) throws -> String? {
        try detail(bw, id)["status"] as? String
    }

    func detail(_ bw: BuildWorkspace, _ id: String) throws -> [String: Any] {
        let result = try bw.server.cli(["pipeline", "executions", "--domain", "acme", "deploy-app", "--id", id, "--json"])
        return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
    }

    func approve(_ bw: BuildWorkspace, _ id: String) throws {
        let approved = try bw.server.cli(
            ["pipeline", "approve", "--domain", "acme", "deploy-app", "--execution", id, "--stage", "Approve", "--action", "Go"])
        #expect(approved.succeeded, "\(approved.output)")
    }

    func start(_ bw: BuildWorkspace) throws -> String {
        let started = try bw.server.cli(["pipeline", "start", "--domain", "acme", "deploy-app", "--json"])
        return try #require(
            ((try? JSONSerialization.jsonObject(with: Data(started.stdout.utf8))) as? [String: Any])?["pipelineExecutionId"] as? String,
            "\(started.output)")
    }

    @Test("missing dependency fails the build; retry after publishing it; restart keeps the approval; deploy; ValidateService failure rolls back")
    func deployPipeline() throws {
        let bw = try BuildWorkspace(serverEnvironment: [:], localGitSources: true)
        #expect(try bw.server.cli(["repo", "create", "--domain", "acme", "staging"]).succeeded)
        let source = try bw.ws.directory("deploy-git")
        try FileManager.default.createDirectory(at: source.appendingPathComponent("scripts"), withIntermediateDirectories: true)
        try e2e.write(Self.files, in: source)
        try e2e.git(["init", "--quiet", "--initial-branch=main"], in: source)
        try e2e.git(["add", "."], in: source)
        try e2e.git(["commit", "--quiet", "-m", "v1"], in: source)
        #expect(try bw.server.cli(["build", "create-project", "--domain", "acme", "app2", "--repo", "staging", "--source-dir", source.path]).succeeded)
        let target = try bw.ws.directory("deploy-target")
        let file = bw.ws.root.appendingPathComponent("deploy-app.yml")
        try Data(Self.definition(repository: source, target: target).utf8).write(to: file)
        let created = try bw.server.cli(["pipeline", "create", "--domain", "acme", file.path])
        try #require(created.succeeded, "\(created.output)")

        // The dependency is not in staging yet: the build fails, and with it the stage and the execution.
        let id = try start(bw)
        #expect(try e2e.waitFor { try status(bw, id) == "Failed" }, "\(bw.server.log)")
        let failed = e2e.action(try detail(bw, id), "Build", "Package")
        #expect(failed["status"] as? String == "Failed", "\(failed)")

        // Publish the dependency to staging, then retry only the Build stage.
        let lib = try bw.ws.directory("pipe-lib")
        try Data(#"{"name":"pipe-lib","version":"1.0.0","main":"index.js","license":"MIT"}"#.utf8).write(to: lib.appendingPathComponent("package.json"))
        try Data("module.exports = 'pipe-lib 1.0.0';\n".utf8).write(to: lib.appendingPathComponent("index.js"))
        #expect(try bw.server.cli(["login", "--tool", "npm", "--domain", "acme", "--repo", "staging"], environment: ["HOME": bw.ws.home.path]).succeeded)
        let published = try bw.ws.npm(["publish"], in: lib)
        #expect(published.succeeded, "\(published.output)")
        let retried = try bw.server.cli(["pipeline", "retry", "--domain", "acme", "deploy-app", "--execution", id, "--stage", "Build"])
        #expect(retried.succeeded, "\(retried.output)")
        let waiting = try e2e.waitFor { e2e.action(try detail(bw, id), "Approve", "Go")["status"] as? String == "WaitingForApproval" }
        #expect(waiting, "\(bw.server.log)")
        #expect(e2e.action(try detail(bw, id), "Source", "Checkout")["attempt"] as? Int == 1)
        #expect(e2e.action(try detail(bw, id), "Build", "Package")["attempt"] as? Int == 2)

        // A restart while waiting for approval keeps waiting.
        bw.server.stop()
        try bw.server.start(environment: bw.serverEnvironment)
        #expect(e2e.action(try detail(bw, id), "Approve", "Go")["status"] as? String == "WaitingForApproval")
        try approve(bw, id)
        let deployed = try e2e.waitFor { try status(bw, id) == "Succeeded" }
        let afterDeploy = try detail(bw, id)
        #expect(deployed, "\(afterDeploy)")
        let validated = try String(contentsOf: target.appendingPathComponent("validated.txt"), encoding: .utf8)
        #expect(validated == "app says pipe-lib 1.0.0\n")
        let current = try FileManager.default.destinationOfSymbolicLink(atPath: target.appendingPathComponent("current").path)

        // A ValidateService that fails rolls `current` back to the revision before.
        try Data("exit 3\n".utf8).write(to: source.appendingPathComponent("scripts/validate.sh"))
        try e2e.git(["commit", "--quiet", "-am", "broken validation"], in: source)
        let second = try start(bw)
        #expect(try e2e.waitFor { e2e.action(try detail(bw, second), "Approve", "Go")["status"] as? String == "WaitingForApproval" })
        try approve(bw, second)
        #expect(try e2e.waitFor { try status(bw, second) == "Failed" })
        let install = e2e.action(try detail(bw, second), "Deploy", "Install")
        #expect((install["summary"] as? String)?.contains("rolled back") == true, "\(install)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: target.appendingPathComponent("current").path) == current)
    }
}
