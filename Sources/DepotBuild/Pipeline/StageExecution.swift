/// A stage within one execution: nil status until the execution enters it.
public struct StageExecution: Sendable, Hashable, Codable {
    public var name: String
    public var status: StageExecutionStatus?
    /// In the plan's order (group by group).
    public var actions: [ActionExecution]

    init(_ plan: StagePlan) {
        name = plan.name
        actions = plan.actions.map { ActionExecution(name: $0.name) }
    }

    func action(_ name: String) -> ActionExecution? {
        actions.first { $0.name == name }
    }

    var hasRunningActions: Bool { actions.contains { $0.status?.isRunning == true } }
}
