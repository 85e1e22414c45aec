import DepotBuild
import DepotCore
import Foundation
import Testing

@testable import DepotAWS

/// CodeBuild's project input as Depot projects, and Depot's projects and builds in CodeBuild's shapes.
@Suite("CodeBuild shapes")
struct CodeBuildMappingTests {
    typealias Shapes = CodeBuildShapes
    static let now = Date(timeIntervalSince1970: 1_700_000_000)
    static let buildspec = "version: 0.2\nphases:\n  build:\n    commands:\n      - echo hi\n"

    func input(_ json: String) throws -> Shapes.ProjectInput {
        try JSONDecoder().decode(Shapes.ProjectInput.self, from: Data(json.utf8))
    }

    func project(_ json: String, existing: BuildProject? = nil) throws -> BuildProject {
        try CodeBuildMapping.project(from: try input(json), domain: "acme", repository: "main", existing: existing, now: Self.now)
    }

    @Test("NO_SOURCE keeps the inline buildspec; a git source takes a path or an inline buildspec; env vars are PLAINTEXT")
    func sources() throws {
        let inline = try project(#"{"name":"app","source":{"type":"NO_SOURCE","buildspec":"version: 0.2\nphases:\n  build:\n    commands:\n      - echo hi\n"}}"#)
        #expect(inline.inlineBuildspec == Self.buildspec && inline.gitURL == nil && inline.sourceDirectory == nil)
        let path = try project(#"{"name":"app","source":{"type":"GITHUB","location":"https://github.com/acme/app.git","buildspec":"ci/build.yml"},"sourceVersion":"main","environment":{"environmentVariables":[{"name":"A","value":"1","type":"PLAINTEXT"},{"name":"B","value":"2"}]}}"#)
        #expect(path.gitURL == "https://github.com/acme/app.git" && path.buildspecPath == "ci/build.yml" && path.inlineBuildspec == nil)
        #expect(path.gitRef == "main" && path.environment == ["A": "1", "B": "2"])
        let shape = CodeBuildMapping.project(path, scope: scope)
        #expect(shape.source == Shapes.Source(type: "GITHUB", location: "https://github.com/acme/app.git", buildspec: "ci/build.yml"))
        #expect(shape.environment.environmentVariables.map(\.value) == ["***", "***"])
        #expect(shape.tags == [Shapes.Tag(key: "depot:repository", value: "main")])
        #expect(shape.arn == "arn:aws:codebuild:eu-west-1:000000000000:project/app")
    }

    @Test("what Depot cannot do is InvalidInputException", arguments: [
        #"{"name":"app","source":{"type":"S3","location":"bucket/key"}}"#,
        #"{"name":"app","source":{"type":"NO_SOURCE"}}"#,
        #"{"name":"app","source":{"type":"GITHUB"}}"#,
        #"{"name":"app","source":{"type":"GITHUB","location":"https://x/y.git","buildspec":"arn:aws:s3:::b/k"}}"#,
        #"{"name":"app","source":{"type":"NO_SOURCE","buildspec":"version: 0.2"},"sourceVersion":"main"}"#,
        #"{"name":"app","source":{"type":"NO_SOURCE","buildspec":"version: 0.2"},"environment":{"environmentVariables":[{"name":"S","value":"/p","type":"PARAMETER_STORE"}]}}"#,
        #"{"name":"app","source":{"type":"GITHUB","location":"https://x/y.git"},"secondarySources":[{"type":"GITHUB","location":"https://x/z.git"}]}"#,
        #"{"name":"app"}"#,
    ])
    func refused(json: String) {
        #expect(throws: AWSError.self) { try project(json) }
    }

    @Test("Depot's own rules hold too: reserved variables, a buildspec that does not parse, a source version git could misread")
    func depotRules() {
        for json in [
            #"{"name":"app","source":{"type":"NO_SOURCE","buildspec":"version: 0.2"},"environment":{"environmentVariables":[{"name":"LD_PRELOAD","value":"x"}]}}"#,
            #"{"name":"app","source":{"type":"NO_SOURCE","buildspec":"version: [unclosed"}}"#,
            #"{"name":"app","source":{"type":"GITHUB","location":"https://x/y.git"},"sourceVersion":"--upload-pack=x"}"#,
        ] {
            #expect(throws: DepotError.self) { try project(json) }
        }
    }

    @Test("UpdateProject changes what it names and keeps the rest")
    func update() throws {
        let original = try project(#"{"name":"app","source":{"type":"GITHUB","location":"https://github.com/acme/app.git"},"environment":{"environmentVariables":[{"name":"A","value":"1"}]}}"#)
        let changed = try project(#"{"name":"app","sourceVersion":"v2"}"#, existing: original)
        #expect(changed.gitURL == original.gitURL && changed.environment == ["A": "1"] && changed.gitRef == "v2")
        #expect(changed.modifiedAt == Self.now && changed.createdAt == original.createdAt)
    }

    @Test("tags: only depot:repository")
    func tags() throws {
        #expect(try CodeBuildMapping.repository(inTags: [Shapes.Tag(key: "depot:repository", value: "app")]) == "app")
        #expect(try CodeBuildMapping.repository(inTags: nil) == nil)
        #expect(throws: AWSError.self) { try CodeBuildMapping.repository(inTags: [Shapes.Tag(key: "team", value: "x")]) }
    }

    @Test("CodeBuild's project names", arguments: [("app", true), ("my_app-2", true), ("a", false), ("my.app", false), ("-app", false)])
    func projectNames(name: String, valid: Bool) {
        if valid {
            #expect(throws: Never.self) { try CodeBuildController.validateName(name) }
        } else {
            #expect(throws: AWSError.self) { try CodeBuildController.validateName(name) }
        }
    }

    @Test("a project is named by its name or its ARN")
    func projectARNs() {
        #expect(CodeBuildController.projectName("arn:aws:codebuild:us-east-1:000000000000:project/app") == "app")
        #expect(CodeBuildController.projectName("app") == "app")
    }

    var scope: AWSBuildScope { AWSBuildScope(domain: "acme", region: "eu-west-1", accountID: "000000000000") }

    func build(status: String, started: Bool, result: BuildResult? = nil) throws -> StoredBuild {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return StoredBuild(
            id: "app:1234", domain: "acme", project: "app", number: 3, status: status, initiator: "ci", queuedAt: Self.now,
            startedAt: started ? Self.now.addingTimeInterval(2) : nil, endedAt: result?.endTime, resultJSON: try result.map { try encoder.encode($0) },
            overrides: BuildOverrides(environment: ["X": "1"], sourceVersion: "feature"))
    }

    @Test("a queued build is IN_PROGRESS in phase QUEUED")
    func queued() throws {
        let shape = CodeBuildMapping.build(try build(status: "QUEUED", started: false), project: nil, enteredPhases: [], scope: scope, serverURL: "http://d")
        #expect(shape.buildStatus == "IN_PROGRESS" && shape.currentPhase == "QUEUED" && !shape.buildComplete)
        #expect(shape.phases.map(\.phaseType) == ["SUBMITTED", "QUEUED"] && shape.phases.last?.phaseStatus == nil)
        #expect(shape.logs.groupName == "/aws/codebuild/app" && shape.logs.streamName == "1234")
        #expect(shape.logs.cloudWatchLogsArn == "arn:aws:logs:eu-west-1:000000000000:log-group:/aws/codebuild/app:log-stream:1234")
        #expect(shape.sourceVersion == "feature")
    }

    @Test("a running build's phases come from its log's headers; the one in progress has no status")
    func running() throws {
        let entered: [(phase: BuildPhaseName, at: Date)] = [
            (.downloadSource, Self.now.addingTimeInterval(2)), (.provisioning, Self.now.addingTimeInterval(3)), (.build, Self.now.addingTimeInterval(6)),
        ]
        let shape = CodeBuildMapping.build(try build(status: "IN_PROGRESS", started: true), project: nil, enteredPhases: entered, scope: scope, serverURL: "http://d")
        #expect(shape.currentPhase == "BUILD")
        #expect(shape.phases.map(\.phaseType) == ["SUBMITTED", "QUEUED", "DOWNLOAD_SOURCE", "PROVISIONING", "BUILD"])
        #expect(shape.phases.map(\.phaseStatus) == ["SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED", nil])
        #expect(shape.phases[3].durationInSeconds == 3)
    }

    @Test("an ended build: its recorded phases, a failure's context, COMPLETED, exported variables")
    func ended() throws {
        let start = Self.now.addingTimeInterval(3)
        var result = BuildResult(id: "app:1234", number: 3, status: .failed, startTime: start, endTime: Self.now.addingTimeInterval(20))
        result.phases = [
            BuildPhaseRecord(phase: .provisioning, status: .succeeded, startTime: start, endTime: start.addingTimeInterval(1)),
            BuildPhaseRecord(phase: .build, status: .failed, startTime: start.addingTimeInterval(1), endTime: start.addingTimeInterval(9), message: "exit status 2"),
            BuildPhaseRecord(phase: .finalizing, status: .succeeded, startTime: start.addingTimeInterval(9), endTime: start.addingTimeInterval(10)),
        ]
        result.exportedVariables = ["B": "2", "A": "1"]
        let shape = CodeBuildMapping.build(try build(status: "FAILED", started: true, result: result), project: nil, enteredPhases: [], scope: scope, serverURL: "http://d")
        #expect(shape.buildStatus == "FAILED" && shape.currentPhase == "COMPLETED" && shape.buildComplete)
        #expect(shape.phases.map(\.phaseType) == ["SUBMITTED", "QUEUED", "DOWNLOAD_SOURCE", "PROVISIONING", "BUILD", "FINALIZING", "COMPLETED"])
        #expect(shape.phases[4].contexts == [Shapes.PhaseContext(statusCode: "COMMAND_EXECUTION_ERROR", message: "exit status 2")])
        #expect(shape.exportedEnvironmentVariables == [Shapes.ExportedVariable(name: "A", value: "1"), Shapes.ExportedVariable(name: "B", value: "2")])
        #expect(shape.endTime == result.endTime)
    }

    @Test("a build stopped while queued ends COMPLETED with QUEUED STOPPED")
    func stoppedWhileQueued() throws {
        var stored = try build(status: "STOPPED", started: false)
        stored.endedAt = Self.now.addingTimeInterval(1)
        let shape = CodeBuildMapping.build(stored, project: nil, enteredPhases: [], scope: scope, serverURL: "http://d")
        #expect(shape.phases.map(\.phaseType) == ["SUBMITTED", "QUEUED", "COMPLETED"] && shape.phases[1].phaseStatus == "STOPPED")
    }

    @Test("overrides: variables in the allow-list, a bounded buildspec that parses, a plain git ref")
    func overrides() throws {
        try BuildOverrides(environment: ["EXTRA": "1"], buildspec: Self.buildspec, sourceVersion: "feature/x-1").validate()
        for overrides in [
            BuildOverrides(environment: ["PATH": "/tmp"]), BuildOverrides(buildspec: "phases: [1"),
            BuildOverrides(buildspec: String(repeating: "#", count: BuildOverrides.maximumBuildspecSize + 1)),
            BuildOverrides(sourceVersion: "-x"), BuildOverrides(sourceVersion: "a..b"), BuildOverrides(sourceVersion: "a b"),
            BuildOverrides(environment: Dictionary(uniqueKeysWithValues: (0...BuildOverrides.maximumVariables).map { ("V\($0)", "x") })),
        ] {
            #expect(throws: DepotError.self) { try overrides.validate() }
        }
    }
}
