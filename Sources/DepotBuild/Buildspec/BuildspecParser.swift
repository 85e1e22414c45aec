import Yams

/// Parses buildspec v0.2 text into a `Buildspec`, or throws a `BuildspecError` listing every problem with its line.
public enum BuildspecParser {
    static let unsupportedReportFormats: Set<String> = [
        "CUCUMBERJSON", "NUNITXML", "NUNIT3XML", "TESTNGXML", "VISUALSTUDIOTRX", "CLOVERXML", "COBERTURAXML", "JACOCOXML",
        "SIMPLECOV",
    ]

    /// Most nodes a buildspec may stand for with its YAML aliases expanded (real ones have a few hundred).
    static let maxExpandedNodes = 100_000

    public static func parse(_ text: String, file: String = "buildspec.yml") throws -> Buildspec {
        guard YAMLAliasBudget.allows(text, limit: maxExpandedNodes) else {
            let message = "the buildspec expands to more than \(maxExpandedNodes) values through YAML aliases"
            throw BuildspecError(file: file, problems: [BuildspecProblem(line: nil, message: message)])
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw BuildspecError(file: file, problems: [yamlProblem(error)])
        }
        guard let root else { throw BuildspecError(file: file, problems: [BuildspecProblem(line: 1, message: "the buildspec is empty")]) }
        let nodes = BuildspecNodes()
        let spec = read(root, nodes)
        if spec.phases.isEmpty && nodes.problems.isEmpty {
            nodes.report(root, "the buildspec has no phases")
        }
        guard nodes.problems.isEmpty else {
            throw BuildspecError(file: file, problems: nodes.problems.sorted { ($0.line ?? 0) < ($1.line ?? 0) })
        }
        return spec
    }

    private static func yamlProblem(_ error: YamlError) -> BuildspecProblem {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            BuildspecProblem(line: mark.line, message: "not valid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            BuildspecProblem(line: context.mark.line, message: "duplicate keys: \(duplicates.joined(separator: ", "))")
        default:
            BuildspecProblem(line: nil, message: "not valid YAML: \(error)")
        }
    }

    private static func read(_ root: Node, _ nodes: BuildspecNodes) -> Buildspec {
        var spec = Buildspec()
        var sawVersion = false
        let topKeys: Set<String> = ["version", "env", "phases", "reports", "artifacts", "cache", "run-as"]
        for (key, keyNode, value) in nodes.mapping(root, at: "the buildspec", allowed: topKeys) {
            switch key {
            case "version":
                sawVersion = true
                let version = nodes.string(value, at: "version")
                if let version, version != "0.2" {
                    nodes.report(value, "version must be 0.2, not \(version)")
                }
            case "env": spec.env = readEnvironment(value, nodes)
            case "phases": spec.phases = readPhases(value, nodes)
            case "reports": spec.reports = readReports(value, nodes)
            case "artifacts": spec.artifacts = readArtifacts(value, at: "artifacts", nodes, allowSecondary: true)
            case "cache": spec.cache = readCache(value, nodes)
            default: nodes.report(keyNode, "run-as is not supported: builds run as the user of the Depot server")
            }
        }
        if !sawVersion { nodes.report(root, "version is missing (expected version: 0.2)") }
        return spec
    }

    private static func readEnvironment(_ node: Node, _ nodes: BuildspecNodes) -> BuildspecEnvironment {
        var env = BuildspecEnvironment()
        let keys: Set<String> = ["shell", "variables", "secrets", "parameter-store", "secrets-manager", "exported-variables", "git-credential-helper"]
        for (key, keyNode, value) in nodes.mapping(node, at: "env", allowed: keys) {
            switch key {
            case "shell":
                if let shell = nodes.string(value, at: "env.shell"), shell != "bash" {
                    nodes.report(value, "env.shell '\(shell)' is not supported (only bash)")
                }
            case "variables":
                for (name, nameNode, item) in nodes.mapping(value, at: "env.variables") {
                    checkName(name, nameNode, nodes)
                    if let text = nodes.string(item, at: "env.variables.\(name)") { env.variables.append((name, text)) }
                }
            case "secrets", "parameter-store", "secrets-manager":
                for (name, nameNode, item) in nodes.mapping(value, at: "env.\(key)") {
                    checkName(name, nameNode, nodes)
                    // secrets-manager values look like `secret-id:json-key:...`; Depot secrets are plain, so the id is what counts.
                    if let text = nodes.string(item, at: "env.\(key).\(name)") {
                        let secret = key == "secrets-manager" ? String(text.split(separator: ":").first ?? Substring(text)) : text
                        env.secrets.append((name, secret))
                    }
                }
            case "exported-variables":
                env.exportedVariables = nodes.strings(value, at: "env.exported-variables")
                for name in env.exportedVariables { checkName(name, value, nodes) }
            default:
                _ = keyNode  // git-credential-helper: accepted and ignored, builds use the server's git setup.
            }
        }
        return env
    }

    private static func checkName(_ name: String, _ node: Node, _ nodes: BuildspecNodes) {
        let valid = name.first.map { $0 == "_" || $0.isLetter } == true && name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
        if !valid { nodes.report(node, "'\(name)' is not a valid environment variable name") }
    }

    private static func readPhases(_ node: Node, _ nodes: BuildspecNodes) -> [BuildPhaseName: BuildspecPhase] {
        var phases: [BuildPhaseName: BuildspecPhase] = [:]
        let names = Set(BuildPhaseName.commandPhases.compactMap(\.buildspecKey))
        for (key, keyNode, value) in nodes.mapping(node, at: "phases") {
            guard let phaseName = BuildPhaseName(buildspecKey: key) else {
                nodes.report(keyNode, "unknown phase '\(key)' (expected one of: \(names.sorted().joined(separator: ", ")))")
                continue
            }
            var phase = BuildspecPhase()
            let hint = " (quote a command that contains ': ')"
            for (field, fieldNode, item) in nodes.mapping(value, at: "phases.\(key)", allowed: ["commands", "finally", "on-failure", "run-as"]) {
                switch field {
                case "commands": phase.commands = nodes.strings(item, at: "phases.\(key).commands", hint: hint)
                case "finally": phase.finally = nodes.strings(item, at: "phases.\(key).finally", hint: hint)
                case "on-failure":
                    if let text = nodes.string(item, at: "phases.\(key).on-failure") {
                        if let mode = BuildspecPhase.OnFailure(rawValue: text) {
                            phase.onFailure = mode
                        } else {
                            nodes.report(item, "phases.\(key).on-failure must be ABORT or CONTINUE, not '\(text)'")
                        }
                    }
                default: nodes.report(fieldNode, "run-as is not supported: builds run as the user of the Depot server")
                }
            }
            phases[phaseName] = phase
        }
        return phases
    }

    private static func readReports(_ node: Node, _ nodes: BuildspecNodes) -> [BuildspecReportGroup] {
        var groups: [BuildspecReportGroup] = []
        for (name, nameNode, value) in nodes.mapping(node, at: "reports") {
            let path = "reports.\(name)"
            var group = BuildspecReportGroup(name: name, files: [])
            var sawFiles = false
            for (key, _, item) in nodes.mapping(value, at: path, allowed: ["files", "base-directory", "discard-paths", "file-format"]) {
                switch key {
                case "files":
                    sawFiles = true
                    group.files = nodes.strings(item, at: "\(path).files")
                case "base-directory": group.baseDirectory = nodes.string(item, at: "\(path).base-directory")
                case "discard-paths": group.discardPaths = nodes.bool(item, at: "\(path).discard-paths")
                default:
                    guard let format = nodes.string(item, at: "\(path).file-format")?.uppercased() else { continue }
                    if format == "JUNITXML" {
                        group.fileFormat = format
                    } else if unsupportedReportFormats.contains(format) {
                        nodes.report(item, "\(path).file-format \(format) is not supported yet (only JUNITXML)")
                    } else {
                        nodes.report(item, "\(path).file-format '\(format)' is not a report format (use JUNITXML)")
                    }
                }
            }
            if !sawFiles, case .mapping = value { nodes.report(nameNode, "\(path).files is missing") }
            groups.append(group)
        }
        return groups
    }

    private static func readArtifacts(_ node: Node, at path: String, _ nodes: BuildspecNodes, allowSecondary: Bool) -> BuildspecArtifacts? {
        var keys: Set<String> = ["files", "name", "base-directory", "discard-paths", "exclude-paths"]
        if allowSecondary { keys.insert("secondary-artifacts") }
        var artifacts = BuildspecArtifacts(files: [])
        var sawFiles = false
        let pairs = nodes.mapping(node, at: path, allowed: keys)
        for (key, _, item) in pairs {
            switch key {
            case "files":
                sawFiles = true
                artifacts.files = nodes.strings(item, at: "\(path).files")
                if artifacts.files.isEmpty, case .sequence = item { nodes.report(item, "\(path).files is empty") }
            case "name": artifacts.name = nodes.string(item, at: "\(path).name")
            case "base-directory": artifacts.baseDirectory = nodes.string(item, at: "\(path).base-directory")
            case "discard-paths": artifacts.discardPaths = nodes.bool(item, at: "\(path).discard-paths")
            case "exclude-paths": artifacts.excludePaths = nodes.strings(item, at: "\(path).exclude-paths", allowSingle: true)
            default:
                for (id, _, value) in nodes.mapping(item, at: "\(path).secondary-artifacts") {
                    if let secondary = readArtifacts(value, at: "\(path).secondary-artifacts.\(id)", nodes, allowSecondary: false) {
                        artifacts.secondary[id] = secondary
                    }
                }
            }
        }
        if !sawFiles, case .mapping = node { nodes.report(node, "\(path).files is missing") }
        return artifacts
    }

    private static func readCache(_ node: Node, _ nodes: BuildspecNodes) -> BuildspecCache? {
        var cache = BuildspecCache(paths: [])
        var sawPaths = false
        for (key, _, item) in nodes.mapping(node, at: "cache", allowed: ["paths", "key", "fallback-keys"]) {
            switch key {
            case "paths":
                sawPaths = true
                cache.paths = nodes.strings(item, at: "cache.paths")
            case "key": cache.key = nodes.string(item, at: "cache.key")
            default: cache.fallbackKeys = nodes.strings(item, at: "cache.fallback-keys")
            }
        }
        if !sawPaths, case .mapping = node { nodes.report(node, "cache.paths is missing") }
        return cache
    }
}
