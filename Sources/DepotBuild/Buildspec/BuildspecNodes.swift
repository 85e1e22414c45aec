import Yams

/// Reads typed values out of Yams nodes, recording a line-numbered problem for every wrong type or unknown key.
final class BuildspecNodes {
    private(set) var problems: [BuildspecProblem] = []

    func report(_ node: Node?, _ message: String) {
        problems.append(BuildspecProblem(line: node?.mark?.line, message: message))
    }

    /// The pairs of a mapping, reporting keys outside `allowed` (and non-mapping nodes).
    func mapping(_ node: Node, at path: String, allowed: Set<String>? = nil) -> [(key: String, keyNode: Node, value: Node)] {
        guard case .mapping(let mapping) = node else {
            report(node, "\(path) must be a mapping, not \(kind(node))")
            return []
        }
        var pairs: [(key: String, keyNode: Node, value: Node)] = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else {
                report(keyNode, "\(path) has a key that is not a string")
                continue
            }
            if let allowed, !allowed.contains(key) {
                report(keyNode, "unknown key '\(key)' in \(path) (expected one of: \(allowed.sorted().joined(separator: ", ")))")
                continue
            }
            pairs.append((key, keyNode, value))
        }
        return pairs
    }

    func string(_ node: Node, at path: String) -> String? {
        guard case .scalar(let scalar) = node else {
            report(node, "\(path) must be a string, not \(kind(node))")
            return nil
        }
        return scalar.string
    }

    /// A list of strings; a single string is accepted where CodeBuild accepts one (e.g. `exclude-paths`).
    func strings(_ node: Node, at path: String, allowSingle: Bool = false, hint: String = "") -> [String] {
        if case .scalar(let scalar) = node, allowSingle { return [scalar.string] }
        guard case .sequence(let sequence) = node else {
            report(node, "\(path) must be a list, not \(kind(node))")
            return []
        }
        return sequence.compactMap { item in
            guard case .scalar(let scalar) = item else {
                report(item, "each entry of \(path) must be a string, not \(kind(item))\(hint)")
                return nil
            }
            return scalar.string
        }
    }

    /// CodeBuild's booleans: `yes`/`no` as well as `true`/`false`.
    func bool(_ node: Node, at path: String) -> Bool {
        guard let text = string(node, at: path) else { return false }
        switch text.lowercased() {
        case "yes", "true", "on": return true
        case "no", "false", "off": return false
        default:
            report(node, "\(path) must be yes or no, not '\(text)'")
            return false
        }
    }

    func kind(_ node: Node) -> String {
        switch node {
        case .scalar: "a string"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }
}
