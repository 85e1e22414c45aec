/// A `#{Namespace.NAME}` reference inside a configuration value: `codepipeline`, `variables` or an action's namespace.
public struct PipelineVariableReference: Sendable, Hashable, CustomStringConvertible {
    public static let codepipelineNamespace = "codepipeline"
    public static let variablesNamespace = "variables"
    /// The only variable CodePipeline itself defines.
    public static let executionIdVariable = "PipelineExecutionId"

    public var namespace: String
    public var name: String
    /// Where the reference sits in the value (its `#`), for substitution.
    var range: Range<String.Index>

    public var description: String { "#{\(namespace).\(name)}" }

    /// The references in `value`, or why they cannot be read (an unterminated `#{`, one without a dot).
    static func scan(_ value: String) -> Result<[PipelineVariableReference], ScanError> {
        var references: [PipelineVariableReference] = []
        var index = value.startIndex
        while let start = value[index...].range(of: "#{") {
            guard let end = value[start.upperBound...].firstIndex(of: "}") else {
                return .failure(ScanError(message: "has a '#{' without its '}'"))
            }
            let body = value[start.upperBound..<end]
            guard let dot = body.firstIndex(of: "."), dot != body.startIndex, body.index(after: dot) != body.endIndex else {
                return .failure(ScanError(message: "has a reference '#{\(body)}' that is not #{Namespace.Name}"))
            }
            references.append(
                PipelineVariableReference(
                    namespace: String(body[..<dot]), name: String(body[body.index(after: dot)...]),
                    range: start.lowerBound..<value.index(after: end)))
            index = value.index(after: end)
        }
        return .success(references)
    }

    struct ScanError: Error {
        var message: String
    }

    public static func == (a: Self, b: Self) -> Bool { a.namespace == b.namespace && a.name == b.name }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(namespace)
        hasher.combine(name)
    }
}
