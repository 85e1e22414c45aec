/// The order a definition runs in: stages one after another; within a stage, groups of actions by ascending
/// `runOrder`, the actions of a group in parallel.
public struct PipelineExecutionPlan: Sendable, Hashable, Codable {
    public var pipelineName: String
    public var executionMode: PipelineExecutionMode
    public var variables: [PipelineVariableDeclaration]
    public var stages: [StagePlan]

    /// Expects a valid definition (see `PipelineDefinitionValidator`).
    public init(_ definition: PipelineDefinition) {
        pipelineName = definition.name
        executionMode = definition.executionMode
        variables = definition.variables
        stages = definition.stages.map { stage in
            let orders = Set(stage.actions.map(\.runOrder)).sorted()
            return StagePlan(
                name: stage.name,
                runOrderGroups: orders.map { order in RunOrderGroup(runOrder: order, actions: stage.actions.filter { $0.runOrder == order }) })
        }
    }

    func stageIndex(_ name: String) -> Int? {
        stages.firstIndex { $0.name == name }
    }
}

public struct StagePlan: Sendable, Hashable, Codable {
    public var name: String
    public var runOrderGroups: [RunOrderGroup]

    /// Every action of the stage, group by group.
    public var actions: [ActionDeclaration] { runOrderGroups.flatMap(\.actions) }
}

/// The actions of a stage that share a run order and so start together.
public struct RunOrderGroup: Sendable, Hashable, Codable {
    public var runOrder: Int
    public var actions: [ActionDeclaration]
}
