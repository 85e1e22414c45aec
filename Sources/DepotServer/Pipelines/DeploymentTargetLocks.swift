import Foundation

/// One deployment at a time per target directory: a second waits for the first to end.
actor DeploymentTargetLocks {
    private var busy: Set<String> = []
    private var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]

    func withLock<T: Sendable>(_ target: String, _ body: @Sendable () async -> T) async -> T {
        while busy.contains(target) {
            await withCheckedContinuation { waiters[target, default: []].append($0) }
        }
        busy.insert(target)
        let result = await body()
        busy.remove(target)
        if var queue = waiters[target], !queue.isEmpty {
            queue.removeFirst().resume()
            waiters[target] = queue.isEmpty ? nil : queue
        }
        return result
    }
}
