/// A Source/Git action's resolved configuration.
public struct GitSourceConfiguration: Sendable, Hashable {
    public var repository: String
    public var branch: String

    /// nil when a required key is missing or a value is malformed (only possible after variable resolution).
    public init?(_ configuration: [String: String]) {
        guard let repository = configuration["Repository"], GitSourcePolicy.formRefusal(repository) == nil,
            let branch = configuration["Branch"] ?? configuration["BranchName"], ActionConfigurationRules.isBranchName(branch)
        else { return nil }
        self.repository = repository
        self.branch = branch
    }
}
