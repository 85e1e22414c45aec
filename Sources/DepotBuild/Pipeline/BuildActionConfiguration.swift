/// A Build/Depot or Test/Depot action's resolved configuration: a project, an inline buildspec, or both (the
/// buildspec then replaces the project's, as CodeBuild's buildspec override does).
public struct BuildActionConfiguration: Sendable, Equatable {
    public var projectName: String?
    public var buildspec: Buildspec?
    public var environmentVariables: [BuildActionEnvironmentVariable]
    /// The input artifact that is the build's source; the others become secondary sources.
    public var primarySource: String?

    public init(_ configuration: [String: String], inputArtifacts: [String]) throws {
        projectName = configuration["ProjectName"]
        buildspec = try configuration["Buildspec"].map { try BuildspecParser.parse($0, file: "Buildspec") }
        environmentVariables = try configuration["EnvironmentVariables"].map { text throws in try BuildActionEnvironmentVariable.parse(text) } ?? []
        primarySource = configuration["PrimarySource"] ?? inputArtifacts.first
        guard projectName != nil || buildspec != nil else { throw PipelineVariableError(problems: ["ProjectName or Buildspec is required"]) }
    }
}
