import Yams

/// Reads typed values out of Yams nodes for a pipeline definition or an AppSpec, recording a problem (path and
/// line) for every wrong type or unknown key, and the line of every path it reads.
final class PipelineNodeReader {
    private(set) var problems: [PipelineDefinitionProblem] = []
    private(set) var sourceMap = PipelineSourceMap()

    func report(_ node: Node?, _ path: String, _ message: String) {
        problems.append(PipelineDefinitionProblem(path: path, line: node?.mark?.line, message: message))
    }

    func record(_ node: Node, _ path: String) {
        sourceMap.record(path, line: node.mark?.line)
    }

    /// The pairs of a mapping, in file order, reporting keys outside `allowed` (and a node that is no mapping).
    /// Keys in `ignored` (CodePipeline fields that mean nothing to Depot) are skipped silently.
    func mapping(_ node: Node, at path: String, allowed: Set<String>? = nil, ignored: Set<String> = [])
        -> [(key: String, keyNode: Node, value: Node)]
    {
        record(node, path)
        guard case .mapping(let mapping) = node else {
            report(node, path, "must be a mapping, not \(kind(node))")
            return []
        }
        var pairs: [(key: String, keyNode: Node, value: Node)] = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else {
                report(keyNode, path, "has a key that is not a string")
                continue
            }
            if ignored.contains(key) { continue }
            let child = path.isEmpty ? key : "\(path).\(key)"
            if let allowed, !allowed.contains(key) {
                report(keyNode, child, "unknown key (expected one of: \(allowed.sorted().joined(separator: ", ")))")
                continue
            }
            record(keyNode, child)
            pairs.append((key, keyNode, value))
        }
        return pairs
    }

    func sequence(_ node: Node, at path: String) -> [(path: String, node: Node)] {
        record(node, path)
        guard case .sequence(let sequence) = node else {
            report(node, path, "must be a list, not \(kind(node))")
            return []
        }
        return sequence.enumerated().map { index, item in
            let child = "\(path)[\(index)]"
            record(item, child)
            return (child, item)
        }
    }

    /// At most `limit` items: more are reported once ("has 51 stages; at most 50") and not read, so an oversized list
    /// costs no more work (nor problems) than the limit.
    func sequence(_ node: Node, at path: String, atMost limit: Int, of what: String) -> ArraySlice<(path: String, node: Node)> {
        let items = sequence(node, at: path)
        if items.count > limit { report(node, path, "has \(items.count) \(what); at most \(limit)") }
        return items.prefix(limit)
    }

    func string(_ node: Node, at path: String) -> String? {
        guard case .scalar(let scalar) = node else {
            report(node, path, "must be a string, not \(kind(node))")
            return nil
        }
        return scalar.string
    }

    /// nil for YAML's null (`~`, `null`, nothing), so that JSON's `"domain": null` reads as absent.
    func optionalString(_ node: Node, at path: String) -> String? {
        if case .scalar(let scalar) = node, scalar.style == .plain, ["", "~", "null", "Null", "NULL"].contains(scalar.string) {
            return nil
        }
        return string(node, at: path)
    }

    func integer(_ node: Node, at path: String) -> Int? {
        guard let text = string(node, at: path) else { return nil }
        guard text.count <= 18, let value = Int(text) else {
            report(node, path, "must be a whole number, not '\(text.prefix(40))'")
            return nil
        }
        return value
    }

    func kind(_ node: Node) -> String {
        switch node {
        case .scalar: "a string"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    /// Reads `text` (YAML, or JSON which YAML reads too) into a node, within the document and alias budgets.
    func compose(_ text: String, what: String, maxBytes: Int) -> Node? {
        guard text.utf8.count <= maxBytes else {
            report(nil, "", "the \(what) is larger than \(maxBytes) bytes")
            return nil
        }
        guard YAMLAliasBudget.allows(text, limit: PipelineLimits.maxExpandedNodes) else {
            report(nil, "", "the \(what) expands to more than \(PipelineLimits.maxExpandedNodes) values through YAML aliases")
            return nil
        }
        do {
            guard let root = try Yams.compose(yaml: text) else {
                report(nil, "", "the \(what) is empty")
                return nil
            }
            return root
        } catch let error as YamlError {
            switch error {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
                problems.append(PipelineDefinitionProblem(path: "", line: mark.line, message: "not valid YAML or JSON: \(problem)"))
            case .duplicatedKeysInMapping(let duplicates, let context):
                problems.append(
                    PipelineDefinitionProblem(path: "", line: context.mark.line, message: "duplicate keys: \(duplicates.joined(separator: ", "))"))
            default:
                report(nil, "", "not valid YAML or JSON: \(error)")
            }
            return nil
        } catch {
            report(nil, "", "not valid YAML or JSON: \(error)")
            return nil
        }
    }
}
