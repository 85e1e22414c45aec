/// Substitutes `#{codepipeline.PipelineExecutionId}`, `#{variables.NAME}` and `#{Namespace.NAME}` in an
/// action's configuration when it starts. Pure: everything it reads is given to it.
public struct PipelineVariableResolver: Sendable, Equatable {
    public var executionId: String
    /// The execution's pipeline variables (overrides, else defaults): see `effectiveVariables`.
    public var variables: [String: String]
    /// Output variables of the actions that ran, by the namespace of the action.
    public var namespaces: [String: [String: String]]

    public init(executionId: String, variables: [String: String], namespaces: [String: [String: String]] = [:]) {
        self.executionId = executionId
        self.variables = variables
        self.namespaces = namespaces
    }

    /// The pipeline variables of an execution: each declared variable's override, else its default. An override
    /// of an undeclared variable, or a declared variable with neither, is an error (CodePipeline's rules).
    public static func effectiveVariables(declared: [PipelineVariableDeclaration], overrides: [String: String]) throws(PipelineVariableError)
        -> [String: String]
    {
        var problems: [String] = []
        let names = Set(declared.map(\.name))
        for name in overrides.keys.sorted() where !names.contains(name) {
            problems.append("the pipeline declares no variable '\(name)'")
        }
        for (name, value) in overrides.sorted(by: { $0.key < $1.key }) where value.count > PipelineLimits.maxConfigurationValueLength {
            problems.append("the value of variable '\(name)' is longer than \(PipelineLimits.maxConfigurationValueLength) characters")
        }
        var values: [String: String] = [:]
        for declaration in declared {
            if let value = overrides[declaration.name] ?? declaration.defaultValue {
                values[declaration.name] = value
            } else {
                problems.append("variable '\(declaration.name)' has no default value and the execution gives none")
            }
        }
        guard problems.isEmpty else { throw PipelineVariableError(problems: problems) }
        return values
    }

    /// `value` with every reference replaced; a reference that has no value yet is an error naming it.
    public func resolve(_ value: String) throws(PipelineVariableError) -> String {
        let references: [PipelineVariableReference]
        switch PipelineVariableReference.scan(value) {
        case .success(let found): references = found
        case .failure(let error): throw PipelineVariableError(problems: ["the value \(error.message)"])
        }
        var result = ""
        var index = value.startIndex
        var missing: [String] = []
        for reference in references {
            result += value[index..<reference.range.lowerBound]
            index = reference.range.upperBound
            if let resolved = lookUp(reference) {
                result += resolved
            } else {
                missing.append("\(reference) has no value")
            }
        }
        guard missing.isEmpty else { throw PipelineVariableError(problems: missing) }
        return result + value[index...]
    }

    /// Every value resolved; the problems of all keys are reported together, each with its key.
    public func resolve(configuration: [String: String]) throws(PipelineVariableError) -> [String: String] {
        var resolved: [String: String] = [:]
        var problems: [String] = []
        for (key, value) in configuration.sorted(by: { $0.key < $1.key }) {
            do {
                resolved[key] = try resolve(value)
            } catch {
                problems += error.problems.map { "configuration.\(key): \($0)" }
            }
        }
        guard problems.isEmpty else { throw PipelineVariableError(problems: problems) }
        return resolved
    }

    private func lookUp(_ reference: PipelineVariableReference) -> String? {
        switch reference.namespace {
        case PipelineVariableReference.codepipelineNamespace:
            reference.name == PipelineVariableReference.executionIdVariable ? executionId : nil
        case PipelineVariableReference.variablesNamespace:
            variables[reference.name]
        default:
            namespaces[reference.namespace]?[reference.name]
        }
    }
}

/// Variables that cannot be resolved when an execution starts or an action begins.
public struct PipelineVariableError: Error, Sendable, Hashable, CustomStringConvertible {
    public var problems: [String]

    public init(problems: [String]) {
        self.problems = problems
    }

    public var description: String { problems.joined(separator: "; ") }
}
