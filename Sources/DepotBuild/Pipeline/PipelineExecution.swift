import Foundation

/// One run of a pipeline: its status, each stage's and action's status, the variables it resolved and the
/// events of every change. Changed only through `PipelineState`, which decides when it may enter a stage.
public struct PipelineExecution: Sendable, Hashable, Codable {
    public var id: String
    public private(set) var status: PipelineExecutionStatus = .inProgress
    public private(set) var startTime: Date
    public private(set) var lastUpdateTime: Date
    /// The pipeline variables (overrides, else defaults).
    public private(set) var variables: [String: String]
    /// Output variables by action namespace.
    public private(set) var namespaces: [String: [String: String]] = [:]
    public private(set) var stages: [StageExecution]
    /// The stage it is in (or last was in); nil before the first.
    public private(set) var currentStageIndex: Int?
    /// The stage it waits to enter (stages hold one execution at a time).
    public private(set) var waitingForStageIndex: Int?
    public private(set) var stopReason: String?
    public private(set) var events: [PipelineExecutionEvent] = []

    init(id: String, plan: PipelineExecutionPlan, variables: [String: String], at now: Date) {
        self.id = id
        self.variables = variables
        startTime = now
        lastUpdateTime = now
        stages = plan.stages.map(StageExecution.init)
        waitingForStageIndex = 0
        record(.executionStarted, at: now, detail: variables.isEmpty ? "" : "variables " + variables.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
    }

    /// True while it is inside a stage (holding it) rather than waiting or finished.
    var holdsStage: Bool { !status.isFinished && waitingForStageIndex == nil && currentStageIndex != nil }

    // MARK: - Transitions

    mutating func enterStage(_ index: Int, plan: PipelineExecutionPlan, at now: Date) -> [ActionInvocation] {
        waitingForStageIndex = nil
        currentStageIndex = index
        stages[index].status = .inProgress
        record(.stageStarted, stage: index, at: now)
        return settle(index, plan: plan, at: now)
    }

    mutating func wait(for index: Int, at now: Date) {
        waitingForStageIndex = index
        record(.waitingForStage, stage: index, at: now, detail: "waiting for stage \(stages[index].name) to be free")
    }

    mutating func supersede(by newer: String, at now: Date) {
        status = .superseded
        waitingForStageIndex = nil
        record(.executionSuperseded, at: now, detail: "replaced by the newer execution \(newer)")
    }

    mutating func complete(
        stage index: Int, action name: String, attempt: Int, result: ActionResult, plan: PipelineExecutionPlan, at now: Date
    ) throws(PipelineExecutionError) -> [ActionInvocation] {
        guard let actionIndex = stages[index].actions.firstIndex(where: { $0.name == name }),
            let declaration = plan.stages[index].actions.first(where: { $0.name == name })
        else { throw .actionNotFound(name) }
        let action = stages[index].actions[actionIndex]
        // A late result of an abandoned or superseded attempt changes nothing.
        guard !status.isFinished, currentStageIndex == index, action.attempt == attempt, let current = action.status, current.isRunning else {
            return []
        }
        let isApproval = declaration.provider == .manualApproval
        let outcome: (status: ActionExecutionStatus, summary: String?)
        switch result {
        case .succeeded(let outputs, let summary):
            guard !isApproval else { throw .conflict("\(name) is an approval: approve or reject it") }
            if let problem = Self.outputProblem(outputs) {
                outcome = (.failed, problem)
            } else {
                outcome = (.succeeded, summary)
                stages[index].actions[actionIndex].outputVariables = outputs
                if let namespace = declaration.namespace { namespaces[namespace] = outputs }
            }
        case .failed(let summary):
            outcome = (.failed, summary)
        case .approved(let summary), .rejected(let summary):
            guard isApproval else { throw .conflict("\(name) is not an approval action") }
            if case .approved = result { outcome = (.succeeded, summary ?? "Approved") } else { outcome = (.failed, summary ?? "Rejected") }
        case .expired:
            guard isApproval else { throw .conflict("\(name) is not an approval action") }
            outcome = (.failed, "The approval request expired")
        }
        finishAction(index, actionIndex, outcome.status, summary: outcome.summary.map(Self.bounded), at: now)
        return settle(index, plan: plan, at: now)
    }

    /// Stops a waiting execution at once; inside a stage, abandons its running actions or lets them finish.
    mutating func stop(abandon: Bool, reason: String?, plan: PipelineExecutionPlan, at now: Date) throws(PipelineExecutionError) -> [ActionInvocation] {
        guard !status.isFinished else { throw .conflict("execution \(id) is \(status.rawValue) and cannot be stopped") }
        if status == .stopping, !abandon { throw .conflict("execution \(id) is stopping already") }
        stopReason = reason.map(Self.bounded) ?? stopReason
        guard holdsStage, let index = currentStageIndex else {
            waitingForStageIndex = nil
            status = .stopped
            record(.executionStopped, at: now, detail: stopReason ?? "")
            return []
        }
        status = .stopping
        record(.executionStopping, at: now, detail: (abandon ? "abandoning running actions" : "letting running actions finish") + (stopReason.map { ": \($0)" } ?? ""))
        for (actionIndex, action) in stages[index].actions.enumerated() {
            // An approval never finishes on its own, so even "stop and wait" abandons it.
            if action.status == .waitingForApproval || (abandon && action.status == .inProgress) {
                finishAction(index, actionIndex, .abandoned, summary: "abandoned by a stop", at: now)
            }
        }
        return settle(index, plan: plan, at: now)
    }

    mutating func retry(stage index: Int, mode: RetryStageMode, plan: PipelineExecutionPlan, at now: Date) throws(PipelineExecutionError)
        -> [ActionInvocation]
    {
        guard status == .failed || status == .stopped, currentStageIndex == index,
            let stageStatus = stages[index].status, stageStatus == .failed || stageStatus == .stopped
        else { throw .conflict("stage \(stages[index].name) of execution \(id) did not fail or stop, so it cannot be retried") }
        for actionIndex in stages[index].actions.indices where mode == .allActions || stages[index].actions[actionIndex].status != .succeeded {
            stages[index].actions[actionIndex].status = nil
        }
        status = .inProgress
        stopReason = nil
        stages[index].status = .inProgress
        record(.stageRetried, stage: index, at: now, detail: mode.rawValue)
        return settle(index, plan: plan, at: now)
    }

    /// After any change in stage `index`: once nothing runs there, start the next run-order group, or end the
    /// stage (succeeded, failed or stopped) and with it, perhaps, the execution.
    private mutating func settle(_ index: Int, plan: PipelineExecutionPlan, at now: Date) -> [ActionInvocation] {
        var invocations: [ActionInvocation] = []
        // Each pass starts one group or ends the stage, so it ends within the number of groups.
        while !stages[index].hasRunningActions && stages[index].status == .inProgress {
            if status == .stopping {
                stages[index].status = .stopped
                record(.stageStopped, stage: index, at: now)
                status = .stopped
                record(.executionStopped, at: now, detail: stopReason ?? "")
            } else if stages[index].actions.contains(where: { $0.status == .failed || $0.status == .abandoned }) {
                stages[index].status = .failed
                record(.stageFailed, stage: index, at: now)
                status = .failed
                record(.executionFailed, at: now, detail: "stage \(stages[index].name) failed")
            } else if let group = plan.stages[index].runOrderGroups.first(where: { group in
                group.actions.contains { stages[index].action($0.name)?.status == nil }
            }) {
                for declaration in group.actions where stages[index].action(declaration.name)?.status == nil {
                    if let invocation = start(declaration, stage: index, at: now) { invocations.append(invocation) }
                }
            } else {
                stages[index].status = .succeeded
                record(.stageSucceeded, stage: index, at: now)
                if index + 1 == stages.count {
                    status = .succeeded
                    record(.executionSucceeded, at: now)
                } else {
                    wait(for: index + 1, at: now)
                }
            }
        }
        lastUpdateTime = now
        return invocations
    }

    /// Marks the action started with its configuration resolved; an unresolvable reference fails it at once.
    private mutating func start(_ declaration: ActionDeclaration, stage index: Int, at now: Date) -> ActionInvocation? {
        guard let actionIndex = stages[index].actions.firstIndex(where: { $0.name == declaration.name }) else { return nil }
        stages[index].actions[actionIndex].attempt += 1
        stages[index].actions[actionIndex].startTime = now
        stages[index].actions[actionIndex].endTime = nil
        stages[index].actions[actionIndex].summary = nil
        stages[index].actions[actionIndex].outputVariables = [:]
        stages[index].actions[actionIndex].approvalExpiresAt = nil
        let resolver = PipelineVariableResolver(executionId: id, variables: variables, namespaces: namespaces)
        guard let provider = declaration.provider else {
            finishAction(index, actionIndex, .failed, summary: "unknown action type \(declaration.actionTypeId)", at: now)
            return nil
        }
        let configuration: [String: String]
        do {
            configuration = try resolver.resolve(configuration: declaration.configuration)
        } catch {
            stages[index].actions[actionIndex].status = .inProgress
            finishAction(index, actionIndex, .failed, summary: "cannot resolve variables: \(error)", at: now)
            return nil
        }
        stages[index].actions[actionIndex].resolvedConfiguration = configuration
        var expiry: Date?
        if provider == .manualApproval {
            expiry = ApprovalConfiguration(configuration).expiry(from: now)
            stages[index].actions[actionIndex].status = .waitingForApproval
            stages[index].actions[actionIndex].approvalExpiresAt = expiry
            record(.approvalRequested, stage: index, action: declaration.name, at: now, detail: configuration["CustomData"] ?? "")
        } else {
            stages[index].actions[actionIndex].status = .inProgress
            record(.actionStarted, stage: index, action: declaration.name, at: now, detail: "attempt \(stages[index].actions[actionIndex].attempt)")
        }
        return ActionInvocation(
            executionId: id, stageName: stages[index].name, actionName: declaration.name, attempt: stages[index].actions[actionIndex].attempt,
            provider: provider, configuration: configuration, inputArtifacts: declaration.inputArtifacts,
            outputArtifacts: declaration.outputArtifacts, namespace: declaration.namespace, approvalExpiresAt: expiry)
    }

    private mutating func finishAction(_ index: Int, _ actionIndex: Int, _ status: ActionExecutionStatus, summary: String?, at now: Date) {
        stages[index].actions[actionIndex].status = status
        stages[index].actions[actionIndex].endTime = now
        stages[index].actions[actionIndex].summary = summary
        let type: PipelineExecutionEventType =
            switch status {
            case .succeeded: .actionSucceeded
            case .abandoned: .actionAbandoned
            default: .actionFailed
            }
        record(type, stage: index, action: stages[index].actions[actionIndex].name, at: now, detail: summary ?? "")
    }

    private mutating func record(_ type: PipelineExecutionEventType, stage: Int? = nil, action: String? = nil, at now: Date, detail: String = "") {
        events.append(
            PipelineExecutionEvent(
                id: events.count + 1, time: now, type: type, stageName: stage.map { stages[$0].name }, actionName: action, detail: detail))
        lastUpdateTime = now
    }

    /// Why a job's output variables are refused, nil when they are fine.
    private static func outputProblem(_ outputs: [String: String]) -> String? {
        if outputs.count > ActionResult.maxOutputVariables {
            return "the action output \(outputs.count) variables; at most \(ActionResult.maxOutputVariables) are kept"
        }
        for (name, value) in outputs.sorted(by: { $0.key < $1.key }) {
            if !PipelineLimits.isNamespace(name, maxLength: PipelineLimits.maxVariableNameLength) {
                return "output variable '\(name.prefix(60))' is not a valid variable name"
            }
            if value.count > PipelineLimits.maxConfigurationValueLength {
                return "output variable \(name) is longer than \(PipelineLimits.maxConfigurationValueLength) characters"
            }
        }
        return nil
    }

    private static func bounded(_ text: String) -> String {
        text.count <= ActionResult.maxSummaryLength ? text : String(text.prefix(ActionResult.maxSummaryLength)) + "…"
    }
}
