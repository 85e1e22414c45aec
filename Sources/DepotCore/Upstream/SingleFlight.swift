/// Runs one operation per key at a time: callers arriving while it runs share its result
/// (so 50 concurrent misses make one upstream request).
public actor SingleFlight<Value: Sendable> {
    private var running: [String: Task<Value, any Error>] = [:]

    public init() {}

    public func run(_ key: String, _ operation: @Sendable @escaping () async throws -> Value) async throws -> Value {
        if let task = running[key] { return try await task.value }
        let task = Task { try await operation() }
        running[key] = task
        defer { running[key] = nil }
        return try await task.value
    }
}
