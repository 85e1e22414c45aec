import Foundation

/// Runs the command phases of a buildspec in one shell session, with CodeBuild's rules: a failing command fails
/// its phase and skips the rest of its commands, `finally` still runs; after an `install` or `pre_build` failure
/// later phases are skipped; `post_build` runs after a `build` failure; `on-failure: CONTINUE` goes on to the next
/// phase. `CODEBUILD_BUILD_SUCCEEDING` turns 0 at the first failing command (so `finally` and later phases see
/// it). The timeout and `stop` kill the shell's process group.
public struct PhaseRunner: Sendable {
    public var buildspec: Buildspec
    public var workingDirectory: URL
    public var environment: [String: String]
    /// Where the command files go (outside the source tree).
    public var scriptDirectory: URL
    public var timeout: Duration
    /// Where the shell runs; in a sandbox it writes only to `writableDirectories`.
    public var sandbox: BuildSandbox
    public var writableDirectories: [URL]

    public init(
        buildspec: Buildspec, workingDirectory: URL, environment: [String: String], scriptDirectory: URL, timeout: Duration,
        sandbox: BuildSandbox = .none, writableDirectories: [URL] = []
    ) {
        self.sandbox = sandbox
        self.writableDirectories = writableDirectories
        self.buildspec = buildspec
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.scriptDirectory = scriptDirectory
        self.timeout = timeout
    }

    public func run(logger: BuildLogger, control: BuildControl) async -> PhaseOutcome {
        let watchdog = control.timeOut(after: timeout)
        defer { watchdog.cancel() }
        let driver = ShellDriver(
            workingDirectory: workingDirectory, environment: environment, scriptDirectory: scriptDirectory, logger: logger,
            control: control, sandbox: sandbox, writable: writableDirectories)
        var records: [BuildPhaseRecord] = []
        var succeeding = true
        var skipRest = false
        for name in BuildPhaseName.commandPhases {
            guard let phase = buildspec.phases[name], !skipRest else { continue }
            if await control.interruption != nil { break }
            let start = Date()
            await logger.phaseHeader(name)
            let result: (status: BuildStatus, message: String?)
            do {
                result = try await run(phase, driver: driver, logger: logger, control: control)
            } catch {
                result = (.fault, "cannot start the build shell: \(error)")
            }
            await logger.note("Phase complete: \(name.rawValue) State: \(result.status.rawValue)")
            records.append(BuildPhaseRecord(phase: name, status: result.status, startTime: start, endTime: Date(), message: result.message))
            guard result.status == .succeeded else {
                if result.status != .failed { break }
                succeeding = false
                if phase.onFailure == .abort && (name == .install || name == .preBuild) { skipRest = true }
                continue
            }
        }
        let exported = await driver.variables(buildspec.env.exportedVariables)
        await driver.finish()
        let status: BuildStatus
        if let interruption = await control.interruption {
            status = interruption.status
        } else if let fault = records.first(where: { $0.status == .fault }) {
            status = fault.status
        } else {
            status = succeeding ? .succeeded : .failed
        }
        return PhaseOutcome(status: status, phases: records, exportedVariables: exported)
    }

    /// A phase's commands, then its `finally` commands; the first failure is the phase's.
    private func run(_ phase: BuildspecPhase, driver: ShellDriver, logger: BuildLogger, control: BuildControl) async throws
        -> (status: BuildStatus, message: String?)
    {
        var failure: String?
        for block in [phase.commands, phase.finally] {
            for command in block {
                await logger.note("Running command \(command)")
                guard let status = try await driver.run(command) else {
                    let interruption = await control.interruption ?? .stopped
                    let why = interruption == .timedOut ? "the build timed out" : "the build was stopped"
                    return (interruption.status, "Command did not finish: \(command). Reason: \(why)")
                }
                if status != 0 {
                    if failure == nil { try await Self.markFailing(driver) }
                    failure = failure ?? "Error while executing command: \(command). Reason: exit status \(status)"
                    await logger.note("Command did not exit successfully \(command) exit status \(status)")
                    break
                }
            }
        }
        return failure.map { (.failed, $0) } ?? (.succeeded, nil)
    }

    /// As in CodeBuild, the build reads as failing from its first failure on (its `finally`, later phases).
    private static func markFailing(_ driver: ShellDriver) async throws {
        for name in ["CODEBUILD_BUILD_SUCCEEDING", "DEPOT_BUILD_SUCCEEDING"] { try await driver.export(name, "0") }
    }
}
