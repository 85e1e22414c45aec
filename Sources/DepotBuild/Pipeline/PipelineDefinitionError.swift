/// One thing wrong with a pipeline definition: where (a path such as `stages[1].actions[0].configuration.Branch`,
/// and the line for a YAML or JSON file) and what.
public struct PipelineDefinitionProblem: Sendable, Hashable, Codable, CustomStringConvertible {
    public var path: String
    public var line: Int?
    public var message: String

    public init(path: String, line: Int? = nil, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String {
        let place = path.isEmpty ? "" : "\(path): "
        return (line.map { "line \($0): " } ?? "") + place + message
    }
}

/// A pipeline definition that cannot be saved, with every problem found (not just the first).
public struct PipelineDefinitionError: Error, Sendable, Hashable, CustomStringConvertible {
    public var problems: [PipelineDefinitionProblem]

    public init(problems: [PipelineDefinitionProblem]) {
        self.problems = problems
    }

    public var description: String {
        "invalid pipeline definition (\(problems.count) problem\(problems.count == 1 ? "" : "s")):\n"
            + problems.map { "  " + $0.description }.joined(separator: "\n")
    }
}
