import Foundation

/// Runs hook scripts with the build runner's shell session: in the server's sandbox when it has one, killed at
/// the timeout. An executable script runs itself (its `#!` line decides), any other through `/bin/sh`.
public struct ShellLifecycleHookRunner: LifecycleHookRunner {
    /// Most output kept per script (its end: where the error is).
    public static let maxOutputBytes = 64 * 1024

    public var sandbox: BuildSandbox
    /// PATH and the like for the script; the lifecycle variables are added to it.
    public var baseEnvironment: [String: String]
    /// Where the session writes its command files (removed after each script).
    public var scratchDirectory: URL

    public init(sandbox: BuildSandbox = .none, baseEnvironment: [String: String], scratchDirectory: URL) {
        self.sandbox = sandbox
        self.baseEnvironment = baseEnvironment
        self.scratchDirectory = scratchDirectory
    }

    public func run(_ hook: LifecycleHookInvocation) async -> LifecycleHookResult {
        let scratch = scratchDirectory.appendingPathComponent("hook-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let command = FileManager.default.isExecutableFile(atPath: hook.script.path)
            ? ShellSession.quoted(hook.script.path) : "/bin/sh " + ShellSession.quoted(hook.script.path)
        let runner = PhaseRunner(
            buildspec: Buildspec(phases: [.build: BuildspecPhase(commands: [command])]), workingDirectory: hook.workingDirectory,
            environment: baseEnvironment.merging(hook.environment) { $1 }, scriptDirectory: scratch, timeout: hook.timeout, sandbox: sandbox,
            writableDirectories: [scratch, hook.workingDirectory] + hook.writableDirectories)
        let output = OutputTail(limit: Self.maxOutputBytes)
        // The runner's own "[Container] ..." notes are left out: the deployment log wants the script's lines.
        let logger = BuildLogger(masker: LogMasker(secrets: [])) { line in
            if !line.hasPrefix("[Container] ") { await output.append(line) }
        }
        let outcome = await runner.run(logger: logger, control: BuildControl())
        let text = await output.text
        switch outcome.status {
        case .succeeded: return LifecycleHookResult(status: .succeeded, output: text)
        case .timedOut: return LifecycleHookResult(status: .timedOut, output: text)
        case .failed:
            let status = outcome.phases.compactMap(\.message).first.flatMap { message in
                message.split(separator: " ").last.flatMap { Int32($0) }
            }
            return LifecycleHookResult(status: .failed(exitStatus: status ?? 1), output: text)
        default:
            return LifecycleHookResult(status: .error(outcome.phases.compactMap(\.message).first ?? outcome.status.rawValue), output: text)
        }
    }
}

/// The last `limit` bytes of a script's output, whole lines.
private actor OutputTail {
    let limit: Int
    private var lines: [String] = []
    private var size = 0

    init(limit: Int) {
        self.limit = limit
    }

    func append(_ line: String) {
        lines.append(line)
        size += line.utf8.count + 1
        while size > limit, !lines.isEmpty { size -= lines.removeFirst().utf8.count + 1 }
    }

    var text: String { lines.joined(separator: "\n") }
}
