import Foundation
import Yams

/// Reads a pipeline definition from YAML or JSON (CodePipeline's own JSON, `{"pipeline": {...}}` included) and
/// validates it, throwing a `PipelineDefinitionError` with every problem, each with its path and line.
public enum PipelineDefinitionParser {
    /// CodePipeline fields that Depot has no use for; a definition exported from CodePipeline still reads.
    static let ignoredPipelineKeys: Set<String> = ["roleArn", "artifactStore", "artifactStores", "version", "pipelineType"]
    static let ignoredActionKeys: Set<String> = ["region", "roleArn", "timeoutInMinutes"]

    /// `gitSources`: the server's allow-list, when a definition is being saved (a stored one is read without it, so
    /// that a narrower list later refuses its runs, not its reading).
    public static func parse(_ text: String, gitSources: GitSourcePolicy? = nil) throws(PipelineDefinitionError) -> PipelineDefinition {
        let reader = PipelineNodeReader()
        guard let root = reader.compose(text, what: "pipeline definition", maxBytes: PipelineLimits.maxDocumentBytes) else {
            throw PipelineDefinitionError(problems: reader.problems)
        }
        let definition = read(unwrapped(root), reader)
        let problems = reader.problems + PipelineDefinitionValidator.validate(definition, sourceMap: reader.sourceMap, gitSources: gitSources)
        guard problems.isEmpty else { throw PipelineDefinitionError(problems: reported(ordered(problems))) }
        return definition
    }

    /// The first `maxReportedProblems`, then how many more: a hostile definition must not make a huge answer.
    private static func reported(_ problems: [PipelineDefinitionProblem]) -> [PipelineDefinitionProblem] {
        guard problems.count > PipelineLimits.maxReportedProblems else { return problems }
        return problems.prefix(PipelineLimits.maxReportedProblems)
            + [PipelineDefinitionProblem(path: "", message: "and \(problems.count - PipelineLimits.maxReportedProblems) more problems")]
    }

    /// By line, then in the order found; problems without a line last.
    private static func ordered(_ problems: [PipelineDefinitionProblem]) -> [PipelineDefinitionProblem] {
        var seen = Set<PipelineDefinitionProblem>()
        let unique = problems.filter { seen.insert($0).inserted }
        return unique.enumerated().sorted { a, b in
            (a.element.line ?? Int.max, a.offset) < (b.element.line ?? Int.max, b.offset)
        }.map(\.element)
    }

    /// The `pipeline` object of `aws codepipeline get-pipeline` output, or the root itself.
    private static func unwrapped(_ root: Node) -> Node {
        guard case .mapping(let mapping) = root, let inner = mapping["pipeline"], case .mapping = inner else { return root }
        return inner
    }

    private static func read(_ root: Node, _ reader: PipelineNodeReader) -> PipelineDefinition {
        var definition = PipelineDefinition(name: "", stages: [])
        let keys: Set<String> = ["name", "domain", "executionMode", "variables", "stages"]
        var sawName = false, sawStages = false
        for (key, _, value) in reader.mapping(root, at: "", allowed: keys, ignored: ignoredPipelineKeys.union(["metadata"])) {
            switch key {
            case "name":
                sawName = true
                definition.name = reader.string(value, at: key) ?? ""
            case "domain":
                definition.domain = reader.optionalString(value, at: key)
            case "executionMode":
                guard let text = reader.optionalString(value, at: key) else { continue }
                if let mode = PipelineExecutionMode(rawValue: text.uppercased()) {
                    definition.executionMode = mode
                } else {
                    reader.report(value, key, "must be QUEUED or SUPERSEDED, not '\(text.prefix(40))'")
                }
            case "variables":
                definition.variables = reader.sequence(value, at: key, atMost: PipelineLimits.maxVariables, of: "variables").map { readVariable($0.node, at: $0.path, reader) }
            default:
                sawStages = true
                definition.stages = reader.sequence(value, at: key, atMost: PipelineLimits.maxStages, of: "stages").map { readStage($0.node, at: $0.path, reader) }
            }
        }
        if case .mapping = root {
            if !sawName { reader.report(root, "name", "is missing") }
            if !sawStages { reader.report(root, "stages", "is missing") }
        }
        return definition
    }

    private static func readVariable(_ node: Node, at path: String, _ reader: PipelineNodeReader) -> PipelineVariableDeclaration {
        var variable = PipelineVariableDeclaration(name: "")
        var sawName = false
        for (key, _, value) in reader.mapping(node, at: path, allowed: ["name", "defaultValue", "description"]) {
            switch key {
            case "name":
                sawName = true
                variable.name = reader.string(value, at: "\(path).name") ?? ""
            case "defaultValue": variable.defaultValue = reader.optionalString(value, at: "\(path).defaultValue")
            default: variable.description = reader.optionalString(value, at: "\(path).description")
            }
        }
        if !sawName, case .mapping = node { reader.report(node, "\(path).name", "is missing") }
        return variable
    }

    private static func readStage(_ node: Node, at path: String, _ reader: PipelineNodeReader) -> StageDeclaration {
        var stage = StageDeclaration(name: "", actions: [])
        var sawName = false, sawActions = false
        // blockers, beforeEntry, onFailure...: CodePipeline V2 stage features Depot does not have, reported as unknown.
        for (key, _, value) in reader.mapping(node, at: path, allowed: ["name", "actions"]) {
            if key == "name" {
                sawName = true
                stage.name = reader.string(value, at: "\(path).name") ?? ""
            } else {
                sawActions = true
                stage.actions = reader.sequence(value, at: "\(path).actions", atMost: PipelineLimits.maxActionsPerStage, of: "actions").map { readAction($0.node, at: $0.path, reader) }
            }
        }
        if case .mapping = node {
            if !sawName { reader.report(node, "\(path).name", "is missing") }
            if !sawActions { reader.report(node, "\(path).actions", "is missing") }
        }
        return stage
    }

    private static func readAction(_ node: Node, at path: String, _ reader: PipelineNodeReader) -> ActionDeclaration {
        var action = ActionDeclaration(name: "", actionTypeId: ActionTypeId(category: "", provider: ""))
        let keys: Set<String> = [
            "name", "actionTypeId", "category", "provider", "runOrder", "configuration", "inputArtifacts", "outputArtifacts", "namespace",
        ]
        var sawName = false, sawCategory = false, sawProvider = false
        for (key, _, value) in reader.mapping(node, at: path, allowed: keys, ignored: ignoredActionKeys) {
            let child = "\(path).\(key)"
            switch key {
            case "name":
                sawName = true
                action.name = reader.string(value, at: child) ?? ""
            case "actionTypeId":
                for (field, _, item) in reader.mapping(value, at: child, allowed: ["category", "provider", "owner", "version"]) {
                    guard let text = reader.string(item, at: "\(child).\(field)") else { continue }
                    if field == "category" {
                        sawCategory = true
                        action.actionTypeId.category = text
                    } else if field == "provider" {
                        sawProvider = true
                        action.actionTypeId.provider = text
                    }
                }
            case "category":
                sawCategory = true
                action.actionTypeId.category = reader.string(value, at: child) ?? ""
            case "provider":
                sawProvider = true
                action.actionTypeId.provider = reader.string(value, at: child) ?? ""
            case "runOrder":
                if let runOrder = reader.integer(value, at: child) { action.runOrder = runOrder }
            case "configuration":
                action.configuration = readConfiguration(value, at: child, reader)
            case "inputArtifacts":
                action.inputArtifacts = readArtifacts(value, at: child, reader)
            case "outputArtifacts":
                action.outputArtifacts = readArtifacts(value, at: child, reader)
            default:
                action.namespace = reader.optionalString(value, at: child)
            }
        }
        if case .mapping = node {
            if !sawName { reader.report(node, "\(path).name", "is missing") }
            if !sawCategory { reader.report(node, "\(path).actionTypeId.category", "is missing") }
            if !sawProvider { reader.report(node, "\(path).actionTypeId.provider", "is missing") }
        }
        return action
    }

    /// A string map; `EnvironmentVariables` may also be written as a list or mapping, stored as CodeBuild's JSON.
    private static func readConfiguration(_ node: Node, at path: String, _ reader: PipelineNodeReader) -> [String: String] {
        var configuration: [String: String] = [:]
        for (key, _, value) in reader.mapping(node, at: path) {
            let child = "\(path).\(key)"
            if key == "EnvironmentVariables", let json = environmentVariablesJSON(value, at: child, reader) {
                configuration[key] = json
            } else if let text = reader.string(value, at: child) {
                configuration[key] = text
            }
        }
        return configuration
    }

    private static func environmentVariablesJSON(_ node: Node, at path: String, _ reader: PipelineNodeReader) -> String? {
        var variables: [BuildActionEnvironmentVariable] = []
        switch node {
        case .scalar: return nil
        case .mapping:
            for (name, _, value) in reader.mapping(node, at: path) {
                if let text = reader.string(value, at: "\(path).\(name)") { variables.append(.init(name: name, value: text)) }
            }
        default:
            for (itemPath, item) in reader.sequence(node, at: path, atMost: BuildActionEnvironmentVariable.maxCount, of: "variables") {
                var variable = BuildActionEnvironmentVariable(name: "", value: "")
                for (key, _, value) in reader.mapping(item, at: itemPath, allowed: ["name", "value", "type"]) {
                    let text = reader.string(value, at: "\(itemPath).\(key)") ?? ""
                    switch key {
                    case "name": variable.name = text
                    case "value": variable.value = text
                    default: variable.type = text
                    }
                }
                variables.append(variable)
            }
        }
        return BuildActionEnvironmentVariable.json(variables)
    }

    /// Names, as plain strings or as CodePipeline's `{name: ...}` objects.
    private static func readArtifacts(_ node: Node, at path: String, _ reader: PipelineNodeReader) -> [String] {
        reader.sequence(node, at: path, atMost: PipelineLimits.maxArtifactsPerAction, of: "artifacts").compactMap { itemPath, item in
            if case .mapping = item {
                var name: String?
                for (_, _, value) in reader.mapping(item, at: itemPath, allowed: ["name"]) { name = reader.string(value, at: "\(itemPath).name") }
                if name == nil { reader.report(item, "\(itemPath).name", "is missing") }
                return name
            }
            return reader.string(item, at: itemPath)
        }
    }
}
