import DepotBuild
import DepotCore
import DepotStorage
import Foundation
import Logging
import Testing

@testable import DepotServer

/// Fake action runners: each action succeeds at once with `OUT=<name>-out`, unless the script says it fails or
/// holds it (until released or cancelled). Counts runs per action and records start and end times.
actor PipelineScript {
    var failing: Set<String> = []
    var held: Set<String> = []
    private(set) var runs: [String: Int] = [:]
    private(set) var intervals: [String: (start: Date, end: Date)] = [:]

    func fail(_ name: String) { failing.insert(name) }
    func pass(_ name: String) { failing.remove(name) }
    func hold(_ name: String) { held.insert(name) }
    func release(_ name: String) { held.remove(name) }
    func count(_ name: String) -> Int { runs[name] ?? 0 }
    func interval(_ name: String) -> (start: Date, end: Date)? { intervals[name] }

    fileprivate func begin(_ name: String) { runs[name, default: 0] += 1 }
    fileprivate func isHeld(_ name: String) -> Bool { held.contains(name) }
    fileprivate func end(_ name: String, from start: Date) -> Bool {
        intervals[name] = (start, Date())
        return failing.contains(name)
    }
}

struct ScriptedRunner: PipelineActionRunner {
    let script: PipelineScript

    func run(_ job: PipelineJob) async -> PipelineJobOutcome {
        let name = job.invocation.actionName
        let start = Date()
        await script.begin(name)
        while await script.isHeld(name), !Task.isCancelled { try? await Task.sleep(for: .milliseconds(10)) }
        if await script.end(name, from: start) { return .failed("\(name) failed as scripted") }
        return PipelineJobOutcome(
            result: .succeeded(outputVariables: ["OUT": "\(name)-out"], summary: "ran \(job.invocation.configuration["Command"] ?? "")"),
            artifacts: Dictionary(uniqueKeysWithValues: job.invocation.outputArtifacts.map { ($0, "sha-\($0)") }))
    }
}

/// A SQLite store in a temporary directory and pipeline services on it (a new one stands for a server restart).
final class PipelineTestBed: Sendable {
    static let definition = """
        name: demo
        stages:
          - name: Source
            actions:
              - name: Checkout
                category: Source
                provider: Git
                configuration: {Repository: "https://git.example.com/demo.git", Branch: main}
                outputArtifacts: [Src]
          - name: Build
            actions:
              - name: A
                category: Invoke
                provider: Shell
                configuration: {Command: make a}
                inputArtifacts: [Src]
                namespace: AVars
              - name: B
                category: Invoke
                provider: Shell
                configuration: {Command: make b}
          - name: Approve
            actions:
              - name: Gate
                category: Approval
                provider: Manual
          - name: Deploy
            actions:
              - name: C
                category: Invoke
                provider: Shell
                configuration: {Command: "deploy #{AVars.OUT}"}
        """

    let directory: URL
    let store: SQLiteMetadataStore
    let script = PipelineScript()

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("depot-pipeline-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try SQLiteMetadataStore(path: directory.appendingPathComponent("depot.sqlite").path)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    func service() -> PipelineService {
        let runner = ScriptedRunner(script: script)
        var logger = Logger(label: "pipeline-tests")
        logger.logLevel = .critical
        return PipelineService(store: store, runners: PipelineActionRunners([.git: runner, .shell: runner]), gitSources: GitSourcePolicy(), logger: logger)
    }
}

/// Waits (up to 60 s) until `condition` holds.
func eventually(_ what: String, _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(60)
    while Date() < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("timed out waiting until \(what)")
    throw CancellationError()
}

extension PipelineService {
    func execution(_ id: String) async throws -> PipelineExecution {
        try #require(try await pipeline(domain: "acme", name: "demo").record.execution(id))
    }

    func status(_ id: String) async throws -> PipelineExecutionStatus {
        try await execution(id).status
    }

    func actionStatus(_ id: String, _ stage: String, _ action: String) async throws -> ActionExecutionStatus? {
        try await execution(id).stages.first { $0.name == stage }?.actions.first { $0.name == action }?.status
    }
}
