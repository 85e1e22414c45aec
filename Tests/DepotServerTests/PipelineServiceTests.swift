import DepotBuild
import DepotCore
import Foundation
import Testing

@testable import DepotServer

/// Driven by timers and polled conditions: run alone by scripts/test (DEPOT_ISOLATED_TESTS=1), after the whole suite's
/// load starved it in CI.
@Suite("Pipeline service", .serialized, .enabled(if: ProcessInfo.processInfo.environment["DEPOT_ISOLATED_TESTS"] == "1", "run alone by scripts/test"))
struct PipelineServiceTests {
    @Test("an execution runs its stages, waits for approval, records the approver and persists every event")
    func happyPath() async throws {
        let bed = try PipelineTestBed()
        let service = bed.service()
        _ = try await service.create(domain: "acme", text: PipelineTestBed.definition, by: "admin")
        let id = try await service.start(domain: "acme", name: "demo", variables: [:], trigger: "manual: admin")
        try await eventually("the approval waits") { try await service.actionStatus(id, "Approve", "Gate") == .waitingForApproval }
        #expect(try await service.status(id) == .inProgress)
        try await service.answerApproval(
            domain: "acme", name: "demo", executionId: id, stage: "Approve", action: "Gate", approved: true, comment: "ship it", by: "alice")
        try await eventually("the execution succeeds") { try await service.status(id) == .succeeded }
        let execution = try await service.execution(id)
        let gate = try #require(execution.stages[2].actions.first)
        #expect(gate.summary?.contains("Approved by alice") == true && gate.summary?.contains("ship it") == true)
        // The later action saw the earlier one's output variable.
        #expect(execution.stages[3].actions[0].resolvedConfiguration?["Command"] == "deploy A-out")
        let loaded = try await service.pipeline(domain: "acme", name: "demo")
        #expect(loaded.record.artifacts[id]?["Src"] == "sha-Src")
        let events = try await service.events(domain: "acme", name: "demo", after: 0, limit: 1000)
        #expect(events.first?.type == "ExecutionStarted" && events.last?.type == "ExecutionSucceeded")
        #expect(events.count == execution.events.count)
        #expect(events.contains { $0.type == "ApprovalRequested" && $0.actionName == "Gate" })
        let later = try await service.events(domain: "acme", name: "demo", after: events[4].id, limit: 1000)
        #expect(later.count == events.count - 5)
    }

    @Test("parallel actions overlap; a failure fails the stage and execution; a retry re-runs only the failed action")
    func failureAndRetry() async throws {
        let bed = try PipelineTestBed()
        let service = bed.service()
        _ = try await service.create(domain: "acme", text: PipelineTestBed.definition, by: "admin")
        await bed.script.hold("A")
        await bed.script.fail("B")
        let id = try await service.start(domain: "acme", name: "demo", variables: [:], trigger: "manual")
        try await eventually("B has ended while A runs") { await bed.script.interval("B") != nil }
        #expect(try await service.actionStatus(id, "Build", "A") == .inProgress)
        await bed.script.release("A")
        try await eventually("the execution fails") { try await service.status(id) == .failed }
        let a = try #require(await bed.script.interval("A"))
        let b = try #require(await bed.script.interval("B"))
        #expect(a.start < b.end && b.start < a.end, "A and B overlap")
        #expect(try await service.execution(id).stages[1].status == .failed)
        #expect(try await service.actionStatus(id, "Build", "B") == .failed)

        await bed.script.pass("B")
        try await service.retry(domain: "acme", name: "demo", executionId: id, stage: "Build", mode: .failedActions)
        try await eventually("the approval waits") { try await service.actionStatus(id, "Approve", "Gate") == .waitingForApproval }
        #expect(await bed.script.count("Checkout") == 1)
        #expect(await bed.script.count("A") == 1)
        #expect(await bed.script.count("B") == 2)
    }

    @Test("after a restart an approval still waits, and a running action is failed so its stage can be retried")
    func restart() async throws {
        let bed = try PipelineTestBed()
        var service = bed.service()
        _ = try await service.create(domain: "acme", text: PipelineTestBed.definition, by: "admin")
        let waiting = try await service.start(domain: "acme", name: "demo", variables: [:], trigger: "manual")
        try await eventually("the approval waits") { try await service.actionStatus(waiting, "Approve", "Gate") == .waitingForApproval }
        // The state in memory changes before its save ends: the restart reads what was saved.
        await service.idle()

        service = bed.service()
        try await service.resume()
        #expect(try await service.actionStatus(waiting, "Approve", "Gate") == .waitingForApproval)
        try await service.answerApproval(
            domain: "acme", name: "demo", executionId: waiting, stage: "Approve", action: "Gate", approved: true, comment: nil, by: "bob")
        try await eventually("it succeeds") { try await service.status(waiting) == .succeeded }

        await bed.script.hold("A")
        let running = try await service.start(domain: "acme", name: "demo", variables: [:], trigger: "manual")
        try await eventually("A runs") { try await service.actionStatus(running, "Build", "A") == .inProgress }
        try await eventually("A's start is saved") {
            let events = try await bed.store.pipelineEvents(domain: "acme", name: "demo", after: 0, limit: 1000)
            return events.contains { $0.executionId == running && $0.actionName == "A" && $0.type == "ActionStarted" }
        }
        // The old service's task is abandoned with it; a new one takes over the same database.
        let restarted = bed.service()
        try await restarted.resume()
        #expect(try await restarted.status(running) == .failed)
        let a = try #require(try await restarted.execution(running).stages[1].actions.first { $0.name == "A" })
        #expect(a.status == .failed && a.summary?.contains("server restarted") == true)
        await bed.script.release("A")
        try await restarted.retry(domain: "acme", name: "demo", executionId: running, stage: "Build", mode: .failedActions)
        try await eventually("the retried stage passes") { try await restarted.actionStatus(running, "Approve", "Gate") == .waitingForApproval }
        #expect(await bed.script.count("Checkout") == 2)
    }

    @Test("stop ends Stopped; a rejection fails; SUPERSEDED replaces an execution waiting for a stage")
    func stopRejectSupersede() async throws {
        let bed = try PipelineTestBed()
        let service = bed.service()
        _ = try await service.create(domain: "acme", text: PipelineTestBed.definition, by: "admin")
        let first = try await service.start(domain: "acme", name: "demo", variables: [:], trigger: "manual")
        try await eventually("first waits for approval") { try await service.actionStatus(first, "Approve", "Gate") == .waitingForApproval }
        let second = try await service.start(domain: "acme", name: "demo", variables: [:], trigger: "manual")
        try await eventually("second waits for the Approve stage") { try await service.execution(second).waitingForStageIndex == 2 }
        let third = try await service.start(domain: "acme", name: "demo", variables: [:], trigger: "manual")
        try await eventually("second is superseded") { try await service.status(second) == .superseded }
        try await service.stop(domain: "acme", name: "demo", executionId: first, abandon: false, reason: "not today")
        #expect(try await service.status(first) == .stopped)
        try await eventually("third enters the approval") { try await service.actionStatus(third, "Approve", "Gate") == .waitingForApproval }
        try await service.answerApproval(
            domain: "acme", name: "demo", executionId: third, stage: "Approve", action: "Gate", approved: false, comment: "no", by: "carol")
        #expect(try await service.status(third) == .failed)
        await #expect(throws: DepotError.self) {
            try await service.answerApproval(
                domain: "acme", name: "demo", executionId: third, stage: "Approve", action: "Gate", approved: true, comment: nil, by: "carol")
        }
    }

    @Test("an invalid definition is refused with the parser's message; an update waits for running executions")
    func definitions() async throws {
        let bed = try PipelineTestBed()
        let service = bed.service()
        do {
            _ = try await service.create(domain: "acme", text: "name: x\nstages: []\n", by: "admin")
            Issue.record("an invalid definition was accepted")
        } catch let error as DepotError {
            #expect(error.message.contains("invalid pipeline definition") && error.message.contains("stages"))
        }
        _ = try await service.create(domain: "acme", text: PipelineTestBed.definition, by: "admin")
        await #expect(throws: DepotError.self) { try await service.create(domain: "acme", text: PipelineTestBed.definition, by: "admin") }
        let id = try await service.start(domain: "acme", name: "demo", variables: [:], trigger: "manual")
        try await eventually("it waits for approval") { try await service.actionStatus(id, "Approve", "Gate") == .waitingForApproval }
        await #expect(throws: DepotError.self) {
            try await service.update(domain: "acme", name: "demo", text: PipelineTestBed.definition)
        }
        try await service.stop(domain: "acme", name: "demo", executionId: id, abandon: true, reason: nil)
        let updated = try await service.update(domain: "acme", name: "demo", text: PipelineTestBed.definition)
        #expect(updated.record.execution(id)?.status == .stopped)
        try await service.delete(domain: "acme", name: "demo")
        await #expect(throws: DepotError.self) { try await service.pipeline(domain: "acme", name: "demo") }
    }
}
