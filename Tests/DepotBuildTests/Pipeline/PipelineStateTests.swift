import DepotBuild
import Foundation
import Testing

@Suite struct PipelineStateTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func readmeState() throws -> PipelineState {
        PipelineState(plan: PipelineExecutionPlan(try PipelineDefinitionParser.parse(PipelineFixtures.readmeExample)))
    }

    /// Source -> Work (A and B in parallel, then C) -> Last.
    func workState(mode: PipelineExecutionMode = .superseded) -> PipelineState {
        typealias V = PipelineDefinitionValidatorTests
        let definition = PipelineDefinition(
            name: "p", executionMode: mode,
            stages: [
                StageDeclaration(name: "Source", actions: [V.source()]),
                StageDeclaration(name: "Work", actions: [V.shell("A"), V.shell("B"), V.shell("C", runOrder: 2)]),
                StageDeclaration(name: "Last", actions: [V.shell("D")]),
            ])
        #expect(PipelineDefinitionValidator.validate(definition).isEmpty)
        return PipelineState(plan: PipelineExecutionPlan(definition))
    }

    func succeed(_ state: inout PipelineState, _ id: String, _ stage: String, _ action: String, attempt: Int = 1, outputs: [String: String] = [:])
        throws -> [String]
    {
        try state.apply(.actionCompleted(executionId: id, stageName: stage, actionName: action, attempt: attempt, result: .succeeded(outputVariables: outputs, summary: nil)), at: t0).map(\.actionName)
    }

    func fail(_ state: inout PipelineState, _ id: String, _ stage: String, _ action: String, attempt: Int = 1) throws -> [String] {
        try state.apply(.actionCompleted(executionId: id, stageName: stage, actionName: action, attempt: attempt, result: .failed(summary: "exit 1")), at: t0).map(\.actionName)
    }

    @Test func planGroupsActionsByRunOrder() throws {
        let plan = PipelineExecutionPlan(try PipelineDefinitionParser.parse(PipelineFixtures.readmeExample))
        #expect(plan.stages.map(\.name) == ["Source", "Build", "Approve", "Release"])
        #expect(plan.stages[1].runOrderGroups.map { $0.actions.map(\.name) } == [["Package", "UnitTests"]])
        #expect(plan.stages[3].runOrderGroups.map(\.runOrder) == [1, 2])
        #expect(plan.stages[3].runOrderGroups.map { $0.actions.map(\.name) } == [["Promote"], ["Deploy"]])
    }

    @Test func runsTheReadmeExampleToTheEnd() throws {
        var state = try readmeState()
        let source = try state.apply(.start(executionId: "e1", variables: ["Channel": "stable"]), at: t0)
        #expect(source.map(\.actionName) == ["Checkout"])
        #expect(source[0].provider == .git)
        #expect(source[0].configuration["Branch"] == "main")

        let builds = try state.apply(
            .actionCompleted(executionId: "e1", stageName: "Source", actionName: "Checkout", attempt: 1, result: .succeeded(outputVariables: ["CommitId": "abc123"], summary: nil)), at: t0)
        #expect(builds.map(\.actionName) == ["Package", "UnitTests"])
        let environment = try BuildActionEnvironmentVariable.parse(try #require(builds[0].configuration["EnvironmentVariables"]))
        #expect(environment == [.init(name: "COMMIT", value: "abc123"), .init(name: "CHANNEL", value: "stable")])

        #expect(try succeed(&state, "e1", "Build", "Package", outputs: ["VERSION": "1.2.3"]) == [])
        let approval = try state.apply(
            .actionCompleted(executionId: "e1", stageName: "Build", actionName: "UnitTests", attempt: 1, result: .succeeded(outputVariables: [:], summary: nil)), at: t0)
        #expect(approval.map(\.actionName) == ["Release"])
        #expect(approval[0].configuration["CustomData"] == "Release 1.2.3 (abc123)?")
        #expect(approval[0].approvalExpiresAt == t0.addingTimeInterval(3600))
        #expect(state.execution("e1")?.stages[2].actions[0].status == .waitingForApproval)
        #expect(throws: PipelineExecutionError.self) { try succeed(&state, "e1", "Approve", "Release") }

        let promote = try state.apply(.actionCompleted(executionId: "e1", stageName: "Approve", actionName: "Release", attempt: 1, result: .approved(summary: "ship it")), at: t0)
        #expect(promote.map(\.actionName) == ["Promote"])
        #expect(PromoteConfiguration(promote[0].configuration)?.versions == ["1.2.3"])
        let deploy = try state.apply(.actionCompleted(executionId: "e1", stageName: "Release", actionName: "Promote", attempt: 1, result: .succeeded(outputVariables: [:], summary: nil)), at: t0)
        #expect(deploy.map(\.actionName) == ["Deploy"])
        #expect(AppSpecDeployConfiguration(deploy[0].configuration)?.appSpecPath == "appspec.yml")
        #expect(try succeed(&state, "e1", "Release", "Deploy") == [])

        let execution = try #require(state.execution("e1"))
        #expect(execution.status == .succeeded)
        #expect(execution.stages.map(\.status) == [.succeeded, .succeeded, .succeeded, .succeeded])
        #expect(execution.events.map(\.id) == Array(1...execution.events.count))
        #expect(execution.events.first?.type == .executionStarted)
        #expect(execution.events.last?.type == .executionSucceeded)
        #expect(execution.events.contains { $0.description == "ActionSucceeded Approve/Release: ship it" })
    }

    @Test func aFailedActionFailsItsStageAndTheExecution() throws {
        var state = workState()
        _ = try state.apply(.start(executionId: "e1", variables: [:]), at: t0)
        #expect(try succeed(&state, "e1", "Source", "S") == ["A", "B"])
        #expect(try fail(&state, "e1", "Work", "A") == [])
        // B still runs; the stage fails only when it ends, and C never starts.
        #expect(state.execution("e1")?.stages[1].status == .inProgress)
        #expect(try succeed(&state, "e1", "Work", "B") == [])
        let execution = try #require(state.execution("e1"))
        #expect(execution.status == .failed)
        #expect(execution.stages.map(\.status) == [.succeeded, .failed, nil])
        #expect(execution.stages[1].actions.map(\.status) == [.failed, .succeeded, nil])
        #expect(execution.events.suffix(2).map(\.type) == [.stageFailed, .executionFailed])
    }

    @Test func retryFailedActionsRerunsOnlyThoseAndLeavesEarlierStages() throws {
        var state = workState()
        _ = try state.apply(.start(executionId: "e1", variables: [:]), at: t0)
        _ = try succeed(&state, "e1", "Source", "S")
        _ = try fail(&state, "e1", "Work", "A")
        _ = try succeed(&state, "e1", "Work", "B")
        let retried = try state.apply(.retryStage(executionId: "e1", stageName: "Work", mode: .failedActions), at: t0)
        #expect(retried.map(\.actionName) == ["A"])
        #expect(retried[0].attempt == 2)
        #expect(state.execution("e1")?.status == .inProgress)
        #expect(state.execution("e1")?.stages[0].actions[0].attempt == 1)
        // A result of the failed first attempt is ignored.
        #expect(try succeed(&state, "e1", "Work", "A", attempt: 1) == [])
        #expect(try succeed(&state, "e1", "Work", "A", attempt: 2) == ["C"])
        #expect(try succeed(&state, "e1", "Work", "C") == ["D"])
        #expect(try succeed(&state, "e1", "Last", "D") == [])
        #expect(state.execution("e1")?.status == .succeeded)
    }

    @Test func retryAllActionsRerunsTheWholeStage() throws {
        var state = workState()
        _ = try state.apply(.start(executionId: "e1", variables: [:]), at: t0)
        _ = try succeed(&state, "e1", "Source", "S")
        _ = try succeed(&state, "e1", "Work", "A")
        _ = try succeed(&state, "e1", "Work", "B")
        _ = try fail(&state, "e1", "Work", "C")
        #expect(throws: PipelineExecutionError.self) { try state.apply(.retryStage(executionId: "e1", stageName: "Source", mode: .allActions), at: t0) }
        let retried = try state.apply(.retryStage(executionId: "e1", stageName: "Work", mode: .allActions), at: t0)
        #expect(retried.map(\.actionName) == ["A", "B"])
        #expect(retried.map(\.attempt) == [2, 2])
        #expect(state.execution("e1")?.events.contains { $0.type == .stageRetried && $0.detail == "ALL_ACTIONS" } == true)
    }

    @Test func stopAndAbandon() throws {
        var state = workState()
        _ = try state.apply(.start(executionId: "e1", variables: [:]), at: t0)
        _ = try succeed(&state, "e1", "Source", "S")
        #expect(try state.apply(.stop(executionId: "e1", abandon: true, reason: "wrong commit"), at: t0) == [])
        let execution = try #require(state.execution("e1"))
        #expect(execution.status == .stopped)
        #expect(execution.stopReason == "wrong commit")
        #expect(execution.stages[1].status == .stopped)
        #expect(execution.stages[1].actions.map(\.status) == [.abandoned, .abandoned, nil])
        // The abandoned job reporting later changes nothing.
        #expect(try succeed(&state, "e1", "Work", "A") == [])
        #expect(state.execution("e1") == execution)
        #expect(throws: PipelineExecutionError.self) { try state.apply(.stop(executionId: "e1", abandon: true, reason: nil), at: t0) }
        // A stopped stage can be retried.
        #expect(try state.apply(.retryStage(executionId: "e1", stageName: "Work", mode: .failedActions), at: t0).map(\.actionName) == ["A", "B"])
    }

    @Test func stopAndFinishLetsRunningActionsEnd() throws {
        var state = workState()
        _ = try state.apply(.start(executionId: "e1", variables: [:]), at: t0)
        _ = try succeed(&state, "e1", "Source", "S")
        #expect(try state.apply(.stop(executionId: "e1", abandon: false, reason: nil), at: t0) == [])
        #expect(state.execution("e1")?.status == .stopping)
        #expect(try succeed(&state, "e1", "Work", "A") == [])
        #expect(try succeed(&state, "e1", "Work", "B") == [])  // C is not started
        let execution = try #require(state.execution("e1"))
        #expect(execution.status == .stopped)
        #expect(execution.stages[1].actions.map(\.status) == [.succeeded, .succeeded, nil])
        #expect(execution.events.suffix(2).map(\.type) == [.stageStopped, .executionStopped])
    }

    @Test func stopAbandonsAWaitingApprovalEvenWhenFinishing() throws {
        var state = try readmeState()
        _ = try state.apply(.start(executionId: "e1", variables: [:]), at: t0)
        _ = try succeed(&state, "e1", "Source", "Checkout", outputs: ["CommitId": "c"])
        _ = try succeed(&state, "e1", "Build", "Package", outputs: ["VERSION": "1"])
        _ = try succeed(&state, "e1", "Build", "UnitTests")
        _ = try state.apply(.stop(executionId: "e1", abandon: false, reason: nil), at: t0)
        #expect(state.execution("e1")?.status == .stopped)
        #expect(state.execution("e1")?.stages[2].actions[0].status == .abandoned)
    }

    @Test func approvalsRejectAndExpire() throws {
        var state = try readmeState()
        for id in ["e1"] {
            _ = try state.apply(.start(executionId: id, variables: [:]), at: t0)
            _ = try succeed(&state, id, "Source", "Checkout", outputs: ["CommitId": "c"])
            _ = try succeed(&state, id, "Build", "Package", outputs: ["VERSION": "1"])
            _ = try succeed(&state, id, "Build", "UnitTests")
        }
        #expect(state.expiredApprovals(at: t0.addingTimeInterval(3599)).isEmpty)
        let expired = state.expiredApprovals(at: t0.addingTimeInterval(3600))
        #expect(expired.map(\.actionName) == ["Release"])
        _ = try state.apply(.actionCompleted(executionId: "e1", stageName: "Approve", actionName: "Release", attempt: 1, result: .expired), at: t0)
        #expect(state.execution("e1")?.status == .failed)
        #expect(state.execution("e1")?.stages[2].actions[0].summary == "The approval request expired")
        let again = try state.apply(.retryStage(executionId: "e1", stageName: "Approve", mode: .failedActions), at: t0)
        #expect(again.map(\.attempt) == [2])
        _ = try state.apply(.actionCompleted(executionId: "e1", stageName: "Approve", actionName: "Release", attempt: 2, result: .rejected(summary: "not today")), at: t0)
        #expect(state.execution("e1")?.status == .failed)
        #expect(state.execution("e1")?.events.last(where: { $0.type == .actionFailed })?.detail == "not today")
    }

    @Test func anUnresolvableReferenceFailsTheActionAtRunTime() throws {
        var state = try readmeState()
        _ = try state.apply(.start(executionId: "e1", variables: [:]), at: t0)
        _ = try succeed(&state, "e1", "Source", "Checkout", outputs: ["CommitId": "c"])
        _ = try succeed(&state, "e1", "Build", "Package")  // no VERSION output
        #expect(try succeed(&state, "e1", "Build", "UnitTests") == [])
        let execution = try #require(state.execution("e1"))
        #expect(execution.status == .failed)
        #expect(execution.stages[2].actions[0].summary == "cannot resolve variables: configuration.CustomData: #{BuildVariables.VERSION} has no value")
    }

    @Test func supersededModeReplacesAnOlderWaitingExecution() throws {
        var state = workState()
        _ = try state.apply(.start(executionId: "e1", variables: [:]), at: t0)
        _ = try succeed(&state, "e1", "Source", "S")  // e1 is in Work
        #expect(try state.apply(.start(executionId: "e2", variables: [:]), at: t0).map(\.executionId) == ["e2"])
        #expect(try succeed(&state, "e2", "Source", "S") == [])  // Work is busy: e2 waits
        #expect(state.execution("e2")?.waitingForStageIndex == 1)
        _ = try state.apply(.start(executionId: "e3", variables: [:]), at: t0)
        #expect(try succeed(&state, "e3", "Source", "S") == [])
        #expect(state.execution("e2")?.status == .superseded)
        #expect(state.execution("e2")?.events.last?.detail == "replaced by the newer execution e3")
        _ = try succeed(&state, "e1", "Work", "A")
        let next = try state.apply(
            .actionCompleted(executionId: "e1", stageName: "Work", actionName: "B", attempt: 1, result: .succeeded(outputVariables: [:], summary: nil)), at: t0)
        #expect(next.map { "\($0.executionId) \($0.actionName)" } == ["e1 C"])
        let handOver = try state.apply(
            .actionCompleted(executionId: "e1", stageName: "Work", actionName: "C", attempt: 1, result: .succeeded(outputVariables: [:], summary: nil)), at: t0)
        #expect(Set(handOver.map { "\($0.executionId) \($0.actionName)" }) == ["e1 D", "e3 A", "e3 B"])
    }

    @Test func queuedModeRunsOneExecutionAtATime() throws {
        var state = workState(mode: .queued)
        _ = try state.apply(.start(executionId: "e1", variables: [:]), at: t0)
        #expect(try state.apply(.start(executionId: "e2", variables: [:]), at: t0) == [])
        #expect(try state.apply(.start(executionId: "e3", variables: [:]), at: t0) == [])
        _ = try succeed(&state, "e1", "Source", "S")
        _ = try fail(&state, "e1", "Work", "A")
        let next = try state.apply(
            .actionCompleted(executionId: "e1", stageName: "Work", actionName: "B", attempt: 1, result: .succeeded(outputVariables: [:], summary: nil)), at: t0)
        #expect(next.map { "\($0.executionId) \($0.actionName)" } == ["e2 S"])
        #expect(state.execution("e3")?.status == .inProgress)
        // e1 cannot be retried while e2 runs.
        #expect(throws: PipelineExecutionError.self) { try state.apply(.retryStage(executionId: "e1", stageName: "Work", mode: .failedActions), at: t0) }
    }

    @Test func refusesInputsThatDoNotApply() throws {
        var state = try readmeState()
        #expect(throws: PipelineExecutionError.invalidVariables(PipelineVariableError(problems: ["the pipeline declares no variable 'Nope'"]))) {
            try state.apply(.start(executionId: "e1", variables: ["Nope": "x"]), at: t0)
        }
        _ = try state.apply(.start(executionId: "e1", variables: [:]), at: t0)
        let before = state
        #expect(throws: PipelineExecutionError.executionExists("e1")) { try state.apply(.start(executionId: "e1", variables: [:]), at: t0) }
        #expect(throws: PipelineExecutionError.executionNotFound("e9")) { try state.apply(.stop(executionId: "e9", abandon: true, reason: nil), at: t0) }
        #expect(throws: PipelineExecutionError.stageNotFound("Nope")) { try succeed(&state, "e1", "Nope", "X") }
        #expect(throws: PipelineExecutionError.actionNotFound("X")) { try succeed(&state, "e1", "Source", "X") }
        #expect(throws: PipelineExecutionError.self) {
            try state.apply(.actionCompleted(executionId: "e1", stageName: "Source", actionName: "Checkout", attempt: 1, result: .approved(summary: nil)), at: t0)
        }
        #expect(throws: PipelineExecutionError.self) { try state.apply(.retryStage(executionId: "e1", stageName: "Source", mode: .allActions), at: t0) }
        #expect(state == before)
        // Too many output variables fail the action rather than bloat the state.
        let outputs = Dictionary(uniqueKeysWithValues: (0...ActionResult.maxOutputVariables).map { ("V\($0)", "x") })
        _ = try succeed(&state, "e1", "Source", "Checkout", outputs: outputs)
        #expect(state.execution("e1")?.status == .failed)
    }

    @Test func stoppingAWaitingExecutionStopsItAtOnce() throws {
        var state = workState()
        _ = try state.apply(.start(executionId: "e1", variables: [:]), at: t0)
        _ = try succeed(&state, "e1", "Source", "S")
        _ = try state.apply(.start(executionId: "e2", variables: [:]), at: t0)
        _ = try succeed(&state, "e2", "Source", "S")  // waits for Work
        #expect(try state.apply(.stop(executionId: "e2", abandon: false, reason: "not needed"), at: t0) == [])
        #expect(state.execution("e2")?.status == .stopped)
        #expect(state.execution("e2")?.waitingForStageIndex == nil)
        // e1 leaving Work lets nobody in: e2 is stopped.
        _ = try succeed(&state, "e1", "Work", "A")
        #expect(try succeed(&state, "e1", "Work", "B") == ["C"])
        #expect(try succeed(&state, "e1", "Work", "C") == ["D"])
        // Stop and wait, then abandon what still runs.
        _ = try state.apply(.stop(executionId: "e1", abandon: false, reason: nil), at: t0)
        #expect(throws: PipelineExecutionError.self) { try state.apply(.stop(executionId: "e1", abandon: false, reason: nil), at: t0) }
        _ = try state.apply(.stop(executionId: "e1", abandon: true, reason: nil), at: t0)
        #expect(state.execution("e1")?.status == .stopped)
        #expect(state.execution("e1")?.stages[2].actions[0].status == .abandoned)
        state.forget("e1")
        #expect(state.execution("e1") == nil)
    }

    @Test func approvalsExpireAfterSevenDaysByDefault() throws {
        let approval = ApprovalConfiguration([:])
        #expect(approval.expiresInMinutes == 10080)
        #expect(approval.expiry(from: t0) == t0.addingTimeInterval(7 * 24 * 3600))
        #expect(ApprovalConfiguration(["ExpiresInMinutes": "99999999"]).expiresInMinutes == 10080)
    }

    @Test func stateRoundTripsThroughJSON() throws {
        var state = try readmeState()
        _ = try state.apply(.start(executionId: "e1", variables: [:]), at: t0)
        let data = try JSONEncoder().encode(state)
        #expect(try JSONDecoder().decode(PipelineState.self, from: data) == state)
    }
}
