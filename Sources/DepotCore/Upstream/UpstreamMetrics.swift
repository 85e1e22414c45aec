/// Counters for the upstream proxy; the server backs them with Prometheus.
public protocol UpstreamMetrics: Sendable {
    /// `outcome`: the HTTP status, `timeout` or `error`.
    func upstreamRequest(connection: String, kind: String, outcome: String)
    /// `result`: `hit`, `miss`, `revalidated`, `stale`.
    func metadataCache(connection: String, result: String)
    func bytesFetched(connection: String, count: Int64)
}

/// Metrics that go nowhere (unit tests).
public struct NoUpstreamMetrics: UpstreamMetrics {
    public init() {}
    public func upstreamRequest(connection: String, kind: String, outcome: String) {}
    public func metadataCache(connection: String, result: String) {}
    public func bytesFetched(connection: String, count: Int64) {}
}
