/// Checks a definition against CodePipeline's rules and Depot's action types, reporting every problem with its
/// path (and line, given the parser's source map): names and limits, providers and their configuration, the
/// first stage holding the source actions, and that every artifact, namespace and variable an action uses is
/// produced before it runs.
public enum PipelineDefinitionValidator {
    /// `gitSources`: the server's allow-list for Source/Git repositories (nil: only their form is checked).
    public static func validate(
        _ definition: PipelineDefinition, sourceMap: PipelineSourceMap = PipelineSourceMap(), gitSources: GitSourcePolicy? = nil
    ) -> [PipelineDefinitionProblem]
    {
        var problems = PipelineProblemList(sourceMap: sourceMap)
        if !PipelineLimits.isName(definition.name) { problems.add("name", nameMessage(definition.name)) }
        if let domain = definition.domain, !PipelineLimits.isName(domain) { problems.add("domain", nameMessage(domain)) }
        let declared = checkVariables(definition.variables, &problems)
        if definition.stages.count < PipelineLimits.minStages || definition.stages.count > PipelineLimits.maxStages {
            problems.add(
                "stages", "has \(definition.stages.count) stages; a pipeline has \(PipelineLimits.minStages) to \(PipelineLimits.maxStages)")
        }
        let producers = Producers(definition.stages)
        var stageNames = Set<String>()
        var namespaces = Set<String>()
        var outputs = Set<String>()
        for (stageIndex, stage) in definition.stages.enumerated() {
            let stagePath = "stages[\(stageIndex)]"
            if !PipelineLimits.isName(stage.name) { problems.add("\(stagePath).name", nameMessage(stage.name)) }
            if !stageNames.insert(stage.name).inserted { problems.add("\(stagePath).name", "another stage is named '\(stage.name)'") }
            if stage.actions.isEmpty || stage.actions.count > PipelineLimits.maxActionsPerStage {
                problems.add("\(stagePath).actions", "has \(stage.actions.count) actions; a stage has 1 to \(PipelineLimits.maxActionsPerStage)")
            }
            var actionNames = Set<String>()
            for (actionIndex, action) in stage.actions.enumerated() {
                let path = "\(stagePath).actions[\(actionIndex)]"
                let position = ActionPosition(stage: stageIndex, runOrder: action.runOrder, path: path)
                if !PipelineLimits.isName(action.name) { problems.add("\(path).name", nameMessage(action.name)) }
                if !actionNames.insert(action.name).inserted {
                    problems.add("\(path).name", "another action of stage '\(stage.name)' is named '\(action.name)'")
                }
                if !PipelineLimits.runOrderRange.contains(action.runOrder) {
                    problems.add("\(path).runOrder", "must be from 1 to 999, not \(action.runOrder)")
                }
                checkPlacement(action, stageIndex: stageIndex, path: path, &problems)
                if let namespace = action.namespace {
                    checkNamespace(namespace, path: "\(path).namespace", seen: &namespaces, &problems)
                }
                for (index, name) in action.outputArtifacts.enumerated() {
                    let itemPath = "\(path).outputArtifacts[\(index)]"
                    if !PipelineLimits.isArtifactName(name) { problems.add(itemPath, artifactMessage(name)) }
                    if !outputs.insert(name).inserted { problems.add(itemPath, "another action already outputs an artifact named '\(name)'") }
                }
                var inputs = Set<String>()
                for (index, name) in action.inputArtifacts.enumerated() {
                    let itemPath = "\(path).inputArtifacts[\(index)]"
                    if !PipelineLimits.isArtifactName(name) { problems.add(itemPath, artifactMessage(name)) }
                    if !inputs.insert(name).inserted { problems.add(itemPath, "artifact '\(name)' is listed twice") }
                    if let why = producers.artifact(name, before: position) { problems.add(itemPath, why) }
                }
                checkConfiguration(action, at: position, declared: declared, producers: producers, gitSources: gitSources, &problems)
            }
        }
        return problems.problems
    }

    private static func nameMessage(_ name: String) -> String {
        "'\(name.prefix(120))' is not a valid name (1 to \(PipelineLimits.maxNameLength) of A-Z a-z 0-9 . @ - _)"
    }

    private static func artifactMessage(_ name: String) -> String {
        "'\(name.prefix(120))' is not a valid artifact name (1 to \(PipelineLimits.maxNameLength) of A-Z a-z 0-9 - _)"
    }

    private static func checkVariables(_ variables: [PipelineVariableDeclaration], _ problems: inout PipelineProblemList) -> Set<String> {
        if variables.count > PipelineLimits.maxVariables {
            problems.add("variables", "has \(variables.count) variables; a pipeline has at most \(PipelineLimits.maxVariables)")
        }
        var names = Set<String>()
        for (index, variable) in variables.enumerated() {
            let path = "variables[\(index)]"
            if !PipelineLimits.isNamespace(variable.name, maxLength: PipelineLimits.maxVariableNameLength) {
                problems.add(
                    "\(path).name",
                    "'\(variable.name.prefix(140))' is not a valid variable name (1 to \(PipelineLimits.maxVariableNameLength) of A-Z a-z 0-9 @ - _)")
            }
            if !names.insert(variable.name).inserted { problems.add("\(path).name", "another variable is named '\(variable.name)'") }
            if let value = variable.defaultValue, value.count > PipelineLimits.maxConfigurationValueLength {
                problems.add("\(path).defaultValue", "is longer than \(PipelineLimits.maxConfigurationValueLength) characters")
            }
            if let description = variable.description, description.count > PipelineLimits.maxVariableDescriptionLength {
                problems.add("\(path).description", "is longer than \(PipelineLimits.maxVariableDescriptionLength) characters")
            }
        }
        return names
    }

    private static func checkPlacement(_ action: ActionDeclaration, stageIndex: Int, path: String, _ problems: inout PipelineProblemList) {
        let type = action.actionTypeId
        guard let provider = action.provider else {
            if !ActionProvider.categories.contains(type.category) {
                problems.add(
                    "\(path).actionTypeId.category",
                    "unknown category '\(type.category.prefix(60))' (expected one of: \(ActionProvider.categories.joined(separator: ", ")))")
            } else {
                let known = ActionProvider.allCases.filter { $0.category == type.category }.map { $0.actionTypeId.provider }
                problems.add(
                    "\(path).actionTypeId.provider",
                    "unknown provider '\(type.provider.prefix(60))' for category \(type.category) (expected: \(known.joined(separator: ", ")))")
            }
            return
        }
        if stageIndex == 0, provider != .git {
            problems.add("\(path).actionTypeId", "the first stage holds only Source actions, not \(type)")
        } else if stageIndex > 0, provider == .git {
            problems.add("\(path).actionTypeId", "a Source action belongs in the first stage only")
        }
        if !provider.inputArtifactRange.contains(action.inputArtifacts.count) {
            problems.add("\(path).inputArtifacts", "\(provider.rawValue) takes \(rangeText(provider.inputArtifactRange)) input artifacts, not \(action.inputArtifacts.count)")
        }
        if !provider.outputArtifactRange.contains(action.outputArtifacts.count) {
            problems.add(
                "\(path).outputArtifacts", "\(provider.rawValue) produces \(rangeText(provider.outputArtifactRange)) output artifacts, not \(action.outputArtifacts.count)")
        }
    }

    private static func rangeText(_ range: ClosedRange<Int>) -> String {
        range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)"
    }

    private static func checkNamespace(_ namespace: String, path: String, seen: inout Set<String>, _ problems: inout PipelineProblemList) {
        if !PipelineLimits.isNamespace(namespace) {
            problems.add(path, "'\(namespace.prefix(120))' is not a valid namespace (1 to \(PipelineLimits.maxNameLength) of A-Z a-z 0-9 @ - _)")
        } else if [PipelineVariableReference.codepipelineNamespace, PipelineVariableReference.variablesNamespace].contains(namespace) {
            problems.add(path, "'\(namespace)' is reserved")
        }
        if !seen.insert(namespace).inserted { problems.add(path, "another action already uses namespace '\(namespace)'") }
    }

    private static func checkConfiguration(
        _ action: ActionDeclaration, at position: ActionPosition, declared: Set<String>, producers: Producers,
        gitSources: GitSourcePolicy?, _ problems: inout PipelineProblemList
    ) {
        let path = "\(position.path).configuration"
        if action.configuration.count > PipelineLimits.maxConfigurationKeys {
            problems.add(path, "has \(action.configuration.count) keys; an action has at most \(PipelineLimits.maxConfigurationKeys)")
        }
        for (key, value) in action.configuration.sorted(by: { $0.key < $1.key }) {
            let keyPath = "\(path).\(key)"
            if key.isEmpty || key.count > PipelineLimits.maxConfigurationKeyLength {
                problems.add(keyPath, "configuration keys are 1 to \(PipelineLimits.maxConfigurationKeyLength) characters")
            }
            let limit = key == "Buildspec" ? PipelineLimits.maxBuildspecLength : PipelineLimits.maxConfigurationValueLength
            if value.count > limit { problems.add(keyPath, "is longer than \(limit) characters") }
            switch PipelineVariableReference.scan(value) {
            case .failure(let error): problems.add(keyPath, error.message)
            case .success(let references):
                for reference in Set(references).sorted(by: { $0.description < $1.description }) {
                    if let why = producers.reference(reference, declared: declared, before: position) { problems.add(keyPath, why) }
                }
            }
        }
        if let provider = action.provider {
            ActionConfigurationRules.check(action, provider: provider, path: path, gitSources: gitSources, &problems)
        }
    }
}

/// Where an action runs: its stage and run order, which decide what has been produced when it starts.
struct ActionPosition {
    var stage: Int
    var runOrder: Int
    var path: String

    func runsAfter(_ other: ActionPosition) -> Bool {
        other.stage < stage || (other.stage == stage && other.runOrder < runOrder)
    }
}

/// Which action outputs each artifact and declares each namespace, to tell whether a consumer runs after it.
private struct Producers {
    var artifacts: [String: ActionPosition] = [:]
    var namespaces: [String: ActionPosition] = [:]

    init(_ stages: [StageDeclaration]) {
        for (stageIndex, stage) in stages.enumerated() {
            for (actionIndex, action) in stage.actions.enumerated() {
                let position = ActionPosition(stage: stageIndex, runOrder: action.runOrder, path: "stages[\(stageIndex)].actions[\(actionIndex)]")
                for name in action.outputArtifacts where artifacts[name] == nil { artifacts[name] = position }
                if let namespace = action.namespace, namespaces[namespace] == nil { namespaces[namespace] = position }
            }
        }
    }

    /// Why `name` is not available to an action at `position`, nil when it is.
    func artifact(_ name: String, before position: ActionPosition) -> String? {
        guard let producer = artifacts[name] else { return "no action outputs an artifact named '\(name)'" }
        if producer.path == position.path { return "artifact '\(name)' is this action's own output (a cycle)" }
        if !position.runsAfter(producer) {
            return "artifact '\(name)' is output by \(producer.path), which does not run before this action (an earlier stage, or a lower runOrder)"
        }
        return nil
    }

    func reference(_ reference: PipelineVariableReference, declared: Set<String>, before position: ActionPosition) -> String? {
        switch reference.namespace {
        case PipelineVariableReference.codepipelineNamespace:
            return reference.name == PipelineVariableReference.executionIdVariable
                ? nil : "\(reference): codepipeline has only the variable \(PipelineVariableReference.executionIdVariable)"
        case PipelineVariableReference.variablesNamespace:
            return declared.contains(reference.name) ? nil : "\(reference): the pipeline declares no variable '\(reference.name)'"
        default:
            guard let producer = namespaces[reference.namespace] else {
                return "\(reference): no action declares namespace '\(reference.namespace)'"
            }
            if producer.path == position.path { return "\(reference) refers to this action's own namespace (a cycle)" }
            if !position.runsAfter(producer) {
                return "\(reference): namespace '\(reference.namespace)' belongs to \(producer.path), which does not run before this action"
            }
            return nil
        }
    }
}

/// Problems found on the model, each given the line of its path from the source map.
struct PipelineProblemList {
    let sourceMap: PipelineSourceMap
    private(set) var problems: [PipelineDefinitionProblem] = []

    init(sourceMap: PipelineSourceMap) {
        self.sourceMap = sourceMap
    }

    mutating func add(_ path: String, _ message: String) {
        problems.append(PipelineDefinitionProblem(path: path, line: sourceMap.line(for: path), message: message))
    }
}
