import Yams

/// Reads an AppSpec file, reporting every problem with its path and line; paths that climb out of the bundle or
/// the revision directory are refused.
public enum AppSpecParser {
    public static let maxDocumentBytes = 1 << 20
    public static let maxFiles = 1000
    public static let maxScriptsPerEvent = 20
    /// Events of other deployment kinds (blue/green, load balancers, ECS, Lambda) that a directory deploy has not.
    static let otherEvents: Set<String> = [
        "BeforeBlockTraffic", "AfterBlockTraffic", "BeforeAllowTraffic", "AfterAllowTraffic", "BeforeELBInstall", "AfterELBInstall",
        "BeforeAllowTestTraffic", "AfterAllowTestTraffic",
    ]

    public static func parse(_ text: String) throws(AppSpecError) -> AppSpec {
        let reader = PipelineNodeReader()
        guard let root = reader.compose(text, what: "AppSpec file", maxBytes: maxDocumentBytes) else {
            throw AppSpecError(problems: reader.problems)
        }
        var spec = AppSpec()
        var sawVersion = false, sawOS = false
        let keys: Set<String> = ["version", "os", "files", "hooks", "file_exists_behavior", "permissions"]
        for (key, keyNode, value) in reader.mapping(root, at: "", allowed: keys) {
            switch key {
            case "version":
                sawVersion = true
                if let version = reader.string(value, at: key), version != "0.0" { reader.report(value, key, "must be 0.0, not '\(version.prefix(20))'") }
            case "os":
                sawOS = true
                if let os = reader.string(value, at: key), os != "linux" { reader.report(value, key, "must be linux, not '\(os.prefix(20))'") }
            case "files":
                spec.files = readFiles(value, reader)
            case "hooks":
                spec.hooks = readHooks(value, reader)
            case "file_exists_behavior":
                guard let text = reader.string(value, at: key) else { continue }
                if let behavior = AppSpec.FileExistsBehavior(rawValue: text.uppercased()) {
                    spec.fileExistsBehavior = behavior
                } else {
                    reader.report(value, key, "must be DISALLOW, OVERWRITE or RETAIN, not '\(text.prefix(20))'")
                }
            default:
                reader.report(keyNode, key, "is not supported: files are installed as the Depot server's user")
            }
        }
        if case .mapping = root {
            if !sawVersion { reader.report(root, "version", "is missing (expected version: 0.0)") }
            if !sawOS { reader.report(root, "os", "is missing (expected os: linux)") }
        }
        guard reader.problems.isEmpty else { throw AppSpecError(problems: reader.problems) }
        return spec
    }

    private static func readFiles(_ node: Node, _ reader: PipelineNodeReader) -> [AppSpecFile] {
        return reader.sequence(node, at: "files", atMost: maxFiles, of: "entries").compactMap { path, item in
            var source: String?, destination: String?
            for (key, _, value) in reader.mapping(item, at: path, allowed: ["source", "destination"]) {
                let text = reader.string(value, at: "\(path).\(key)")
                if key == "source" { source = text } else { destination = text }
            }
            guard case .mapping = item else { return nil }
            if source == nil { reader.report(item, "\(path).source", "is missing") }
            if destination == nil { reader.report(item, "\(path).destination", "is missing") }
            guard let source, let destination else { return nil }
            if source != "/", !AppSpecPath.isRelative(source) {
                reader.report(item, "\(path).source", "must be a path inside the revision ('/' for all of it), without '..', not '\(source.prefix(80))'")
            }
            let inside = destination.hasPrefix("/") ? String(destination.drop { $0 == "/" }) : destination
            if !inside.isEmpty, !AppSpecPath.isRelative(inside) {
                reader.report(item, "\(path).destination", "must not contain '..' ('\(destination.prefix(80))')")
            }
            return AppSpecFile(source: source, destination: destination)
        }
    }

    private static func readHooks(_ node: Node, _ reader: PipelineNodeReader) -> [LifecycleEventName: [AppSpecHook]] {
        var hooks: [LifecycleEventName: [AppSpecHook]] = [:]
        for (key, keyNode, value) in reader.mapping(node, at: "hooks") {
            let path = "hooks.\(key)"
            guard let event = LifecycleEventName(rawValue: key) else {
                let known = LifecycleEventName.allCases.map(\.rawValue).joined(separator: ", ")
                let why = otherEvents.contains(key) ? "is not an event of an in-place deployment to a directory" : "is not a lifecycle event"
                reader.report(keyNode, path, "\(why) (expected: \(known))")
                continue
            }
            hooks[event] = reader.sequence(value, at: path, atMost: maxScriptsPerEvent, of: "scripts").compactMap { readHook($0.node, at: $0.path, reader) }
        }
        return hooks
    }

    private static func readHook(_ node: Node, at path: String, _ reader: PipelineNodeReader) -> AppSpecHook? {
        var hook = AppSpecHook(location: "")
        var sawLocation = false
        for (key, _, value) in reader.mapping(node, at: path, allowed: ["location", "timeout", "runas"]) {
            let child = "\(path).\(key)"
            switch key {
            case "location":
                sawLocation = true
                hook.location = reader.string(value, at: child) ?? ""
                if !AppSpecPath.isRelative(hook.location) {
                    reader.report(value, child, "must be a path inside the revision, without '..', not '\(hook.location.prefix(80))'")
                }
            case "timeout":
                guard let seconds = reader.integer(value, at: child) else { continue }
                if (1...AppSpecHook.maxTimeoutSeconds).contains(seconds) {
                    hook.timeoutSeconds = seconds
                } else {
                    reader.report(value, child, "must be from 1 to \(AppSpecHook.maxTimeoutSeconds) seconds, not \(seconds)")
                }
            default:
                hook.runAs = reader.string(value, at: child)
            }
        }
        guard case .mapping = node else { return nil }
        if !sawLocation { reader.report(node, "\(path).location", "is missing") }
        return hook
    }
}

/// An AppSpec file that cannot be deployed, with every problem found.
public struct AppSpecError: Error, Sendable, Hashable, CustomStringConvertible {
    public var problems: [PipelineDefinitionProblem]

    public init(problems: [PipelineDefinitionProblem]) {
        self.problems = problems
    }

    public var description: String {
        "invalid AppSpec file:\n" + problems.map { "  " + $0.description }.joined(separator: "\n")
    }
}
