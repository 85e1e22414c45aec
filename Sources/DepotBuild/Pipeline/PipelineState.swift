import Foundation

/// The executions of one pipeline and the stages they hold: the pure state machine the server's orchestrator
/// drives. Each input returns the actions to start; the orchestrator starts them, reports how each ended as
/// another input, and persists the state. A stage holds one execution at a time. In SUPERSEDED mode an
/// execution waiting to enter a stage is replaced by a newer one that reaches the same point; in QUEUED mode
/// executions run one at a time, in the order they started.
public struct PipelineState: Sendable, Hashable, Codable {
    public private(set) var plan: PipelineExecutionPlan
    /// Oldest first.
    public private(set) var executions: [PipelineExecution] = []
    /// For each stage, the execution that entered it last: only that one may retry it.
    private var lastEntrant: [String?]

    public init(plan: PipelineExecutionPlan) {
        self.plan = plan
        lastEntrant = Array(repeating: nil, count: plan.stages.count)
    }

    public func execution(_ id: String) -> PipelineExecution? {
        executions.first { $0.id == id }
    }

    /// Approvals still waiting whose time is up: the orchestrator reports each as `.expired`.
    public func expiredApprovals(at now: Date) -> [(executionId: String, stageName: String, actionName: String, attempt: Int)] {
        executions.flatMap { execution in
            execution.stages.flatMap { stage in
                stage.actions.compactMap { action in
                    guard action.status == .waitingForApproval, let expiry = action.approvalExpiresAt, expiry <= now else { return nil }
                    return (execution.id, stage.name, action.name, action.attempt)
                }
            }
        }
    }

    /// Drops a finished execution the server has archived (it can no longer be retried here).
    public mutating func forget(_ executionId: String) {
        executions.removeAll { $0.id == executionId && $0.status.isFinished }
    }

    /// Applies one input; throws, changing nothing, when it does not apply to the current state.
    public mutating func apply(_ input: PipelineExecutionInput, at now: Date) throws(PipelineExecutionError) -> [ActionInvocation] {
        var next = self
        var invocations = try next.applyChecked(input, at: now)
        invocations += next.admit(at: now)
        self = next
        return invocations
    }

    private mutating func applyChecked(_ input: PipelineExecutionInput, at now: Date) throws(PipelineExecutionError) -> [ActionInvocation] {
        switch input {
        case .start(let id, let overrides):
            guard execution(id) == nil else { throw .executionExists(id) }
            let variables: [String: String]
            do {
                variables = try PipelineVariableResolver.effectiveVariables(declared: plan.variables, overrides: overrides)
            } catch {
                throw .invalidVariables(error)
            }
            executions.append(PipelineExecution(id: id, plan: plan, variables: variables, at: now))
            return []
        case .actionCompleted(let id, let stageName, let actionName, let attempt, let result):
            let (index, stage) = try locate(id, stageName)
            return try executions[index].complete(stage: stage, action: actionName, attempt: attempt, result: result, plan: plan, at: now)
        case .stop(let id, let abandon, let reason):
            guard let index = executions.firstIndex(where: { $0.id == id }) else { throw .executionNotFound(id) }
            return try executions[index].stop(abandon: abandon, reason: reason, plan: plan, at: now)
        case .retryStage(let id, let stageName, let mode):
            let (index, stage) = try locate(id, stageName)
            if let holder = holder(of: stage), holder != id {
                throw .conflict("stage \(stageName) is running execution \(holder)")
            }
            if lastEntrant[stage] != id {
                throw .conflict("a newer execution has entered stage \(stageName) since; only the latest can be retried")
            }
            if plan.executionMode == .queued, let active = executions.first(where: { !$0.status.isFinished && $0.id != id }) {
                throw .conflict("execution \(active.id) is running and the pipeline runs one execution at a time")
            }
            return try executions[index].retry(stage: stage, mode: mode, plan: plan, at: now)
        }
    }

    private func locate(_ id: String, _ stageName: String) throws(PipelineExecutionError) -> (execution: Int, stage: Int) {
        guard let index = executions.firstIndex(where: { $0.id == id }) else { throw .executionNotFound(id) }
        guard let stage = plan.stageIndex(stageName) else { throw .stageNotFound(stageName) }
        return (index, stage)
    }

    private func holder(of stage: Int) -> String? {
        executions.first { $0.holdsStage && $0.currentStageIndex == stage }?.id
    }

    /// Lets waiting executions into the stages that are free, superseding or queueing the others, until nothing
    /// moves (an execution that enters a stage may leave it at once, as when every action fails to resolve).
    private mutating func admit(at now: Date) -> [ActionInvocation] {
        var invocations: [ActionInvocation] = []
        var moved = true
        while moved {
            moved = false
            for stage in plan.stages.indices {
                let waiting = executions.indices.filter { !executions[$0].status.isFinished && executions[$0].waitingForStageIndex == stage }
                guard let newest = waiting.last else { continue }
                switch plan.executionMode {
                case .superseded:
                    for older in waiting.dropLast() { executions[older].supersede(by: executions[newest].id, at: now) }
                    guard holder(of: stage) == nil else { continue }
                    invocations += enter(newest, stage, at: now)
                    moved = true
                case .queued:
                    // Only the oldest unfinished execution moves; the others wait their turn.
                    guard let oldest = executions.indices.first(where: { !executions[$0].status.isFinished }), waiting.contains(oldest) else { continue }
                    invocations += enter(oldest, stage, at: now)
                    moved = true
                }
            }
        }
        return invocations
    }

    private mutating func enter(_ index: Int, _ stage: Int, at now: Date) -> [ActionInvocation] {
        lastEntrant[stage] = executions[index].id
        return executions[index].enterStage(stage, plan: plan, at: now)
    }
}
