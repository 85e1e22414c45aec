import Foundation

/// A command run on another thread while the test goes on (a `--follow` that ends with what it watches).
final class BackgroundCommand: @unchecked Sendable {
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)
    private var result: CommandResult?

    init(_ body: @escaping @Sendable () throws -> CommandResult) {
        Thread.detachNewThread { [self] in
            let outcome = try? body()
            lock.withLock { result = outcome }
            done.signal()
        }
    }

    /// The command's result once it ended, nil when it did not within `seconds` (or could not run).
    func wait(seconds: Double) -> CommandResult? {
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        return lock.withLock { result }
    }
}
