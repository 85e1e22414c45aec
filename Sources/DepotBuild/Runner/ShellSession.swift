import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One bash process for a whole build: commands are sourced one at a time from files, so `cd` and `export`
/// carry across commands and phases, and after each one the shell prints a marker line with its exit status.
/// bash runs in its own process group (Foundation's Process puts children in one), so killing that group ends
/// everything the build started, bar processes that left the group: those are found by their build id.
final class ShellSession: @unchecked Sendable {
    /// How long output may still come after bash exited: a process that escaped every kill and holds the pipe
    /// open must not keep the build from ending.
    static let outputGrace: Duration = .seconds(3)

    let events: AsyncStream<ShellEvent>
    private let continuation: AsyncStream<ShellEvent>.Continuation
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let scriptDirectory: URL
    private let marker = "__DEPOT_\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))__"
    private let lock = NSLock()
    private var commandCount = 0
    /// `3>&- ...` for the descriptors bash has beyond 0-2: Foundation's socket that tells it bash exited is
    /// one, and a command's process that escaped the kills while holding it would keep bash from being reaped.
    private var closeExtraDescriptors = ""

    /// In a sandbox the shell writes only to `writable` (the source and the build's scratch directory, which holds
    /// `scriptDirectory`); stopping kills the sandbox and with it every process inside.
    init(
        shell: String = "/bin/bash", workingDirectory: URL, environment: [String: String], scriptDirectory: URL,
        sandbox: BuildSandbox = .none, writable: [URL] = []
    ) throws {
        (events, continuation) = AsyncStream.makeStream(of: ShellEvent.self)
        self.scriptDirectory = scriptDirectory
        let launch = try sandbox.command(
            shell: shell, arguments: ["--noprofile", "--norc"], writable: writable, scratch: scriptDirectory,
            workingDirectory: workingDirectory, environment: environment)
        process.executableURL = URL(fileURLWithPath: launch.executable)
        process.arguments = launch.arguments
        process.currentDirectoryURL = workingDirectory
        process.environment = environment
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
    }

    func start() throws {
        // A write to the stdin of a shell that already died must fail with EPIPE, not kill the server.
        signal(SIGPIPE, SIG_IGN)
        try FileManager.default.createDirectory(at: scriptDirectory, withIntermediateDirectories: true)
        let continuation = continuation
        let splitter = ShellOutputSplitter(marker: marker + " ") { continuation.yield($0) }
        process.terminationHandler = { _ in
            Task {
                try? await Task.sleep(for: Self.outputGrace)
                // Ends the stream unless EOF did already (then these do nothing).
                continuation.yield(.shellEnded)
                continuation.finish()
            }
        }
        try process.run()
        closeExtraDescriptors = Self.extraDescriptors(of: process.processIdentifier).map { " \($0)>&-" }.joined()
        // Blocking reads on a thread of its own: corelibs' readabilityHandler (a dispatch source) has crashed in
        // libdispatch's event loop when the shell's group was killed.
        let reader = output.fileHandleForReading
        Thread {
            while case let chunk = reader.availableData, !chunk.isEmpty { splitter.consume(chunk) }
            splitter.finish()
            continuation.yield(.shellEnded)
            continuation.finish()
        }.start()
        // Only the shell (and its children) may hold the write end, or EOF would never come.
        try output.fileHandleForWriting.close()
        try input.fileHandleForReading.close()
    }

    /// Sends one command (any number of lines); its exit status arrives as `.commandExited`.
    func send(command: String) throws {
        let file = scriptDirectory.appendingPathComponent("command-\(nextNumber()).sh")
        try Data((command + "\n").utf8).write(to: file)
        try write(". \(Self.quoted(file.path)) < /dev/null\(closeExtraDescriptors)\nprintf '%s exit %d\\n' '\(marker)' \"$?\"\n")
    }

    /// Sets a variable in the session without a log line (e.g. CODEBUILD_BUILD_SUCCEEDING=0).
    func send(export name: String, value: String) throws {
        try write("export \(name)=\(Self.quoted(value))\nprintf '%s exit %d\\n' '\(marker)' \"$?\"\n")
    }

    /// Asks for the current values of variables; each arrives as `.variable`, then `.commandExited(0)`.
    func requestVariables(_ names: [String]) throws {
        let list = names.map(Self.quoted).joined(separator: " ")
        try write(
            "for __depot_name in \(list); do printf '%s var %s %s\\n' '\(marker)' \"$__depot_name\" \"$(printf '%s' \"${!__depot_name}\" | base64 -w0)\"; done\nprintf '%s exit %d\\n' '\(marker)' 0\n"
        )
    }

    /// Ends the shell: no more input; it exits after the command it is running.
    func closeInput() {
        try? input.fileHandleForWriting.close()
    }

    /// Kills the shell, every process of its group and every other process of its build.
    func killAll() {
        let group = process.processIdentifier
        guard group > 0 else { return }
        kill(-group, SIGKILL)
        if let buildID = process.environment?["CODEBUILD_BUILD_ID"], !buildID.isEmpty {
            _ = BuildProcesses.kill(buildIDs: [buildID])
        }
    }

    /// Waits for the shell to exit, then returns its status.
    func waitForExit() async -> Int32 {
        while process.isRunning {
            do {
                try await Task.sleep(for: .milliseconds(20))
            } catch {
                // Cancelled: the sleep returns at once, so wait without it rather than spin a core.
                usleep(20_000)
            }
        }
        return process.terminationStatus
    }

    private func write(_ text: String) throws {
        try input.fileHandleForWriting.write(contentsOf: Data(text.utf8))
    }

    private func nextNumber() -> Int {
        lock.lock()
        defer { lock.unlock() }
        commandCount += 1
        return commandCount
    }

    /// The open descriptors of a process above stderr.
    static func extraDescriptors(of pid: Int32) -> [Int] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []).compactMap(Int.init).filter { $0 > 2 }.sorted()
    }

    static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
