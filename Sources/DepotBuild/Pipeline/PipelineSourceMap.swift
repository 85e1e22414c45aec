/// The line of each path read from a definition file, so that a problem found later (by the validator, on the
/// model) still points at the file. A path that was not read takes the line of its nearest parent.
public struct PipelineSourceMap: Sendable, Hashable {
    private var lines: [String: Int] = [:]

    public init() {}

    mutating func record(_ path: String, line: Int?) {
        if let line, lines[path] == nil { lines[path] = line }
    }

    public func line(for path: String) -> Int? {
        var current = Substring(path)
        while true {
            if let line = lines[String(current)] { return line }
            guard let cut = current.lastIndex(where: { $0 == "." || $0 == "[" }) else { return lines[""] }
            current = current[..<cut]
        }
    }
}
