/// The action types Depot runs, each with the configuration keys it takes and how many artifacts it consumes
/// and produces (CodePipeline's action type "artifact details").
public enum ActionProvider: String, Sendable, Hashable, CaseIterable {
    case git = "Source/Git"
    case depotBuild = "Build/Depot"
    case depotTest = "Test/Depot"
    case manualApproval = "Approval/Manual"
    case promote = "Deploy/Promote"
    case appSpec = "Deploy/AppSpec"
    case shell = "Invoke/Shell"

    public static let categories = ["Source", "Build", "Test", "Deploy", "Approval", "Invoke"]

    public init?(_ type: ActionTypeId) {
        self.init(rawValue: type.description)
    }

    public var actionTypeId: ActionTypeId {
        let parts = rawValue.split(separator: "/").map(String.init)
        return ActionTypeId(category: parts[0], provider: parts[1])
    }

    public var category: String { actionTypeId.category }

    /// Keys that must be present; each entry lists alternatives of which exactly one (or, for
    /// `ProjectName`/`Buildspec`, at least one) is given.
    var requiredKeys: [[String]] {
        switch self {
        case .git: [["Repository"], ["Branch", "BranchName"]]
        case .depotBuild, .depotTest: [["ProjectName", "Buildspec"]]
        case .manualApproval: []
        case .promote: [["Format"], ["Package"], ["Versions"], ["SourceRepository"], ["DestinationRepository"]]
        case .appSpec: [["TargetDirectory"], ["ApplicationName"], ["DeploymentGroupName"]]
        case .shell: [["Command"]]
        }
    }

    var optionalKeys: Set<String> {
        switch self {
        case .git: ["PollForSourceChanges"]
        case .depotBuild, .depotTest: ["EnvironmentVariables", "PrimarySource"]
        case .manualApproval: ["CustomData", "ExternalEntityLink", "ExpiresInMinutes", "NotificationArn"]
        case .promote: ["Namespace"]
        case .appSpec: ["AppSpec"]
        case .shell: []
        }
    }

    var allowedKeys: Set<String> { optionalKeys.union(requiredKeys.flatMap { $0 }) }

    /// Keys whose alternatives may not be given together (the same setting spelled two ways).
    var exclusiveAlternatives: Bool { self == .git }

    var inputArtifactRange: ClosedRange<Int> {
        switch self {
        case .git, .manualApproval: 0...0
        case .depotBuild, .depotTest: 1...5
        case .promote: 0...1
        case .appSpec: 1...1
        case .shell: 0...5
        }
    }

    var outputArtifactRange: ClosedRange<Int> {
        switch self {
        case .git: 1...1
        case .depotBuild, .depotTest, .shell: 0...5
        case .manualApproval, .promote, .appSpec: 0...0
        }
    }
}
