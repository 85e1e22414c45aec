/// One thing wrong with a buildspec, at a line of the file when known.
public struct BuildspecProblem: Sendable, Equatable, CustomStringConvertible {
    public var line: Int?
    public var message: String

    public init(line: Int?, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { line.map { "line \($0): \(message)" } ?? message }
}

/// A buildspec that cannot run, with every problem found (not just the first), reported before any command runs.
public struct BuildspecError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var problems: [BuildspecProblem]

    public init(file: String, problems: [BuildspecProblem]) {
        self.file = file
        self.problems = problems
    }

    public var description: String {
        "invalid buildspec \(file):\n" + problems.map { "  \(file):\($0.line.map(String.init) ?? "-"): \($0.message)" }.joined(separator: "\n")
    }
}
