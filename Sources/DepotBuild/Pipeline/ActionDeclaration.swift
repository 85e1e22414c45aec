/// One action of a stage, with CodePipeline's fields. `configuration` values may hold `#{Namespace.NAME}`
/// references, resolved when the action starts.
public struct ActionDeclaration: Sendable, Hashable, Codable {
    public var name: String
    public var actionTypeId: ActionTypeId
    public var runOrder: Int
    public var configuration: [String: String]
    public var inputArtifacts: [String]
    public var outputArtifacts: [String]
    /// Where the action publishes its output variables, for later actions to reference.
    public var namespace: String?

    public init(
        name: String, actionTypeId: ActionTypeId, runOrder: Int = 1, configuration: [String: String] = [:],
        inputArtifacts: [String] = [], outputArtifacts: [String] = [], namespace: String? = nil
    ) {
        self.name = name
        self.actionTypeId = actionTypeId
        self.runOrder = runOrder
        self.configuration = configuration
        self.inputArtifacts = inputArtifacts
        self.outputArtifacts = outputArtifacts
        self.namespace = namespace
    }

    /// The provider Depot runs the action with, nil when the category/provider pair is unknown.
    public var provider: ActionProvider? { ActionProvider(actionTypeId) }
}

/// CodePipeline's `actionTypeId` (owner and version are implied: every Depot action is Depot's own, version 1).
public struct ActionTypeId: Sendable, Hashable, Codable, CustomStringConvertible {
    public var category: String
    public var provider: String

    public init(category: String, provider: String) {
        self.category = category
        self.provider = provider
    }

    public var description: String { "\(category)/\(provider)" }
}
