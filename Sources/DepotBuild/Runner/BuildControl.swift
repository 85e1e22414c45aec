/// Why a build ended before its phases did.
public enum BuildInterruption: Sendable, Equatable {
    case timedOut
    case stopped

    public var status: BuildStatus { self == .timedOut ? .timedOut : .stopped }
}

/// Stops a running build from outside (a `stop` request, the timeout): records why and kills the build's
/// processes (its shell, or the `git clone` fetching its source), which ends the step that is running.
public actor BuildControl {
    public private(set) var interruption: BuildInterruption?
    private var kill: (@Sendable () -> Void)?

    public init() {}

    public func stop() { interrupt(.stopped) }

    public func timeOut() { interrupt(.timedOut) }

    /// Times the build out after `duration` unless the returned task is cancelled first (when the work it
    /// bounds has ended).
    public nonisolated func timeOut(after duration: Duration) -> Task<Void, Never> {
        Task {
            guard (try? await Task.sleep(for: duration)) != nil else { return }
            await timeOut()
        }
    }

    private func interrupt(_ reason: BuildInterruption) {
        guard interruption == nil else { return }
        interruption = reason
        kill?()
    }

    func attach(_ session: ShellSession) {
        attach { session.killAll() }
    }

    /// `kill` ends the build's current step; it runs at once when the build was interrupted already.
    public func attach(_ kill: @escaping @Sendable () -> Void) {
        self.kill = kill
        if interruption != nil { kill() }
    }

    /// The step ended: its process must not be killed (its id may be reused).
    public func detach() {
        kill = nil
    }
}
