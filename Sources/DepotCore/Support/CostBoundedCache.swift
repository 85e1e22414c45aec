import Synchronization

/// An in-memory cache bounded by the total cost of its values (their size in bytes), not by their count:
/// popular packuments run to tens of MB, so "N entries" says nothing about memory. Least recently used entries
/// go first; a value costlier than the whole budget is not kept at all.
public final class CostBoundedCache<Value: Sendable>: Sendable {
    struct Entry {
        var value: Value
        var cost: Int
        var lastUsed: UInt64
    }

    struct State {
        var entries: [String: Entry] = [:]
        var totalCost = 0
        var clock: UInt64 = 0
    }

    private let state = Mutex(State())
    /// Most bytes the values may hold together.
    public let budget: Int

    public init(budget: Int) {
        self.budget = budget
    }

    public func value(forKey key: String) -> Value? {
        state.withLock { state in
            guard var entry = state.entries[key] else { return nil }
            state.clock += 1
            entry.lastUsed = state.clock
            state.entries[key] = entry
            return entry.value
        }
    }

    public func set(_ value: Value, forKey key: String, cost: Int) {
        state.withLock { state in
            if let old = state.entries.removeValue(forKey: key) { state.totalCost -= old.cost }
            guard cost <= budget else { return }
            state.clock += 1
            state.entries[key] = Entry(value: value, cost: cost, lastUsed: state.clock)
            state.totalCost += cost
            if state.totalCost > budget { Self.evict(&state, downTo: budget - budget / 4) }
        }
    }

    /// Drops one entry (its value must not be served again).
    public func removeValue(forKey key: String) {
        state.withLock { state in
            if let old = state.entries.removeValue(forKey: key) { state.totalCost -= old.cost }
        }
    }

    public var totalCost: Int { state.withLock { $0.totalCost } }
    public var count: Int { state.withLock { $0.entries.count } }

    /// Drops least recently used entries until `target` is reached; evicting a quarter at once keeps the sort
    /// off the path of most insertions.
    private static func evict(_ state: inout State, downTo target: Int) {
        for (key, entry) in state.entries.sorted(by: { $0.value.lastUsed < $1.value.lastUsed }) {
            guard state.totalCost > target else { return }
            state.entries[key] = nil
            state.totalCost -= entry.cost
        }
    }
}
