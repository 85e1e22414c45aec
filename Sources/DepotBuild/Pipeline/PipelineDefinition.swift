/// A pipeline as CodePipeline declares one: ordered stages of actions, pipeline-level variables and how a new
/// execution treats the ones in flight. Built by `PipelineDefinitionParser` (which validates it) or by hand,
/// then checked with `PipelineDefinitionValidator`.
public struct PipelineDefinition: Sendable, Hashable, Codable {
    public var name: String
    /// The Depot domain the pipeline belongs to; the API supplies it when the file does not.
    public var domain: String?
    public var executionMode: PipelineExecutionMode
    public var variables: [PipelineVariableDeclaration]
    public var stages: [StageDeclaration]

    public init(
        name: String, domain: String? = nil, executionMode: PipelineExecutionMode = .superseded,
        variables: [PipelineVariableDeclaration] = [], stages: [StageDeclaration]
    ) {
        self.name = name
        self.domain = domain
        self.executionMode = executionMode
        self.variables = variables
        self.stages = stages
    }
}

/// What a new execution does to those already running (CodePipeline's `executionMode`).
public enum PipelineExecutionMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// An execution waiting to enter a stage is replaced by a newer one that reaches the same point.
    case superseded = "SUPERSEDED"
    /// Executions run one at a time, in the order they started.
    case queued = "QUEUED"
}

/// A pipeline-level variable, referenced as `#{variables.NAME}`; an execution may override its default.
public struct PipelineVariableDeclaration: Sendable, Hashable, Codable {
    public var name: String
    public var defaultValue: String?
    public var description: String?

    public init(name: String, defaultValue: String? = nil, description: String? = nil) {
        self.name = name
        self.defaultValue = defaultValue
        self.description = description
    }
}
