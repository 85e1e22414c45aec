import Foundation

/// Drives the build's shell from the runner's task: sends a command, relays its output to the log and returns
/// its exit status. A shell that exits (a command ran `exit`) is replaced by a new one for the commands after.
final class ShellDriver {
    private let workingDirectory: URL
    private let environment: [String: String]
    private let scriptDirectory: URL
    private let logger: BuildLogger
    private let control: BuildControl
    private let sandbox: BuildSandbox
    private let writable: [URL]
    private var session: ShellSession?
    private var events: AsyncStream<ShellEvent>.Iterator?

    init(
        workingDirectory: URL, environment: [String: String], scriptDirectory: URL, logger: BuildLogger, control: BuildControl,
        sandbox: BuildSandbox = .none, writable: [URL] = []
    ) {
        self.sandbox = sandbox
        self.writable = writable
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.scriptDirectory = scriptDirectory
        self.logger = logger
        self.control = control
    }

    /// The command's exit status, or nil when the build was interrupted while it ran.
    func run(_ command: String) async throws -> Int32? {
        try await ensureSession()
        guard let session else { return nil }
        do {
            try session.send(command: command)
        } catch {
            return await shellEnded(session)
        }
        return await collect(until: session)
    }

    /// Sets a variable in the shell for the commands after.
    func export(_ name: String, _ value: String) async throws {
        try await ensureSession()
        guard let session else { return }
        try? session.send(export: name, value: value)
        _ = await collect(until: session)
    }

    /// The values of `names` in the shell now (empty when it is gone).
    func variables(_ names: [String]) async -> [String: String] {
        guard !names.isEmpty, let session, await control.interruption == nil else { return [:] }
        guard (try? session.requestVariables(names)) != nil else { return [:] }
        var values: [String: String] = [:]
        while let event = await events?.next() {
            switch event {
            case .variable(let name, let value): values[name] = value
            case .output(let line): await logger.line(line)
            case .commandExited, .shellEnded: return values
            }
        }
        return values
    }

    /// Ends the shell and kills whatever the build left running in its process group.
    func finish() async {
        guard let session else { return }
        session.closeInput()
        session.killAll()
        _ = await session.waitForExit()
        while let event = await events?.next() {
            if case .output(let line) = event { await logger.line(line) }
        }
        self.session = nil
    }

    private func ensureSession() async throws {
        guard session == nil, await control.interruption == nil else { return }
        let session = try ShellSession(
            workingDirectory: workingDirectory, environment: environment, scriptDirectory: scriptDirectory, sandbox: sandbox,
            writable: writable)
        try session.start()
        self.session = session
        events = session.events.makeAsyncIterator()
        await control.attach(session)
    }

    private func collect(until session: ShellSession) async -> Int32? {
        while let event = await events?.next() {
            switch event {
            case .output(let line): await logger.line(line)
            case .commandExited(let status): return status
            case .variable: continue
            case .shellEnded: return await shellEnded(session)
            }
        }
        return await shellEnded(session)
    }

    private func shellEnded(_ ended: ShellSession) async -> Int32? {
        let status = await ended.waitForExit()
        ended.killAll()
        session = nil
        events = nil
        if await control.interruption != nil { return nil }
        await logger.note("The shell exited with status \(status); later commands run in a new shell")
        return status
    }
}
