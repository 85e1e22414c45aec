/// CodePipeline's quotas and name patterns, applied to every definition before anything runs.
public enum PipelineLimits {
    public static let maxDocumentBytes = 1 << 20
    public static let maxStages = 50
    /// CodePipeline needs a source stage and at least one stage after it.
    public static let minStages = 2
    public static let maxActionsPerStage = 50
    public static let maxVariables = 50
    /// Input or output artifacts of one action (CodePipeline's providers take at most 5 inputs or outputs).
    public static let maxArtifactsPerAction = 10
    /// Problems a refused definition reports (then how many more there were).
    public static let maxReportedProblems = 100
    public static let maxConfigurationKeys = 50
    public static let maxConfigurationKeyLength = 50
    public static let maxConfigurationValueLength = 1000
    /// An inline buildspec is Depot's addition; a real one is longer than CodePipeline's 1000 characters.
    public static let maxBuildspecLength = 65_536
    public static let maxNameLength = 100
    public static let maxVariableNameLength = 128
    public static let maxVariableDescriptionLength = 200
    public static let maxCustomDataLength = 500
    public static let runOrderRange = 1...999
    /// Most nodes a definition may stand for once YAML aliases are expanded (real ones have a few hundred).
    static let maxExpandedNodes = 100_000

    /// Pipeline, stage and action names.
    static func isName(_ text: String) -> Bool {
        matches(text, extra: ".@-_", maxLength: maxNameLength)
    }

    /// Namespaces and variable names (no dot: it separates the namespace from the variable in a reference).
    static func isNamespace(_ text: String, maxLength: Int = maxNameLength) -> Bool {
        matches(text, extra: "@-_", maxLength: maxLength)
    }

    static func isArtifactName(_ text: String) -> Bool {
        matches(text, extra: "-_", maxLength: maxNameLength)
    }

    private static func matches(_ text: String, extra: String, maxLength: Int) -> Bool {
        !text.isEmpty && text.count <= maxLength
            && text.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || extra.unicodeScalars.contains($0)) }
    }
}
