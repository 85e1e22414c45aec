import DepotBuild
import Foundation

/// Collects a build's log lines.
actor LogLines {
    private(set) var lines: [String] = []
    func append(_ line: String) { lines.append(line) }
    var text: String { lines.joined(separator: "\n") }
}

/// A temporary directory removed when the test ends.
final class TemporaryDirectory: @unchecked Sendable {
    let url: URL

    convenience init() throws {
        try self.init(at: FileManager.default.temporaryDirectory.appendingPathComponent("depot-build-test-\(UUID().uuidString)"))
    }

    init(at url: URL) throws {
        self.url = url
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func write(_ relative: String, _ text: String) throws {
        let file = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Runs a buildspec's phases in `directory` and returns the outcome and the log.
func runPhases(
    _ yaml: String, in directory: TemporaryDirectory, environment: [String: String] = [:], timeout: Duration = .seconds(120),
    secrets: [String] = [], control: BuildControl = BuildControl(), sandbox: BuildSandbox = .none
) async throws -> (PhaseOutcome, String) {
    let spec = try BuildspecParser.parse(yaml)
    var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": directory.url.path]
    env.merge(environment) { $1 }
    let runner = PhaseRunner(
        buildspec: spec, workingDirectory: directory.url, environment: env,
        scriptDirectory: directory.url.appendingPathComponent(".commands"), timeout: timeout, sandbox: sandbox,
        writableDirectories: [directory.url])
    let log = LogLines()
    let outcome = await runner.run(logger: BuildLogger(masker: LogMasker(secrets: secrets)) { await log.append($0) }, control: control)
    return (outcome, await log.text)
}

/// Whether any process has `needle` in its command line.
func processRunning(withArgument needle: String) -> Bool {
    !processes(withArgument: needle).isEmpty
}

/// Kills the processes a test left behind on purpose.
func killProcesses(withArgument needle: String) {
    for pid in processes(withArgument: needle) { kill(pid, SIGKILL) }
}

/// The live processes with `needle` in their command line.
func processes(withArgument needle: String) -> [Int32] {
    var found: [Int32] = []
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    for pid in entries {
        guard let id = Int32(pid) else { continue }
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { continue }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        // Zombies are gone already; only their record waits for the parent.
        if stat.contains(") Z ") { continue }
        if String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self).contains(needle) { found.append(id) }
    }
    return found
}
