/// Why a build ended before its phases did.
public enum BuildInterruption: Sendable, Equatable {
    case timedOut
    case stopped

    var status: BuildStatus { self == .timedOut ? .timedOut : .stopped }
}

/// Stops a running build from outside (a `stop` request, the timeout): records why and kills the build's
/// processes, which ends the command that is running.
public actor BuildControl {
    public private(set) var interruption: BuildInterruption?
    private var session: ShellSession?

    public init() {}

    public func stop() { interrupt(.stopped) }

    func timeOut() { interrupt(.timedOut) }

    private func interrupt(_ reason: BuildInterruption) {
        guard interruption == nil else { return }
        interruption = reason
        session?.killAll()
    }

    func attach(_ session: ShellSession) {
        self.session = session
        if interruption != nil { session.killAll() }
    }
}
