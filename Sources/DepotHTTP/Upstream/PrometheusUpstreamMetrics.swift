import DepotCore
import Prometheus

/// Upstream proxy counters on the server's Prometheus registry.
public struct PrometheusUpstreamMetrics: UpstreamMetrics {
    let registry: PrometheusCollectorRegistry

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    public func upstreamRequest(connection: String, kind: String, outcome: String) {
        registry.makeCounter(
            name: "depot_upstream_requests_total", labels: [("connection", connection), ("kind", kind), ("outcome", outcome)]
        ).increment()
    }

    public func metadataCache(connection: String, result: String) {
        registry.makeCounter(name: "depot_upstream_metadata_cache_total", labels: [("connection", connection), ("result", result)])
            .increment()
    }

    public func bytesFetched(connection: String, count: Int64) {
        registry.makeCounter(name: "depot_upstream_bytes_fetched_total", labels: [("connection", connection)]).increment(by: count)
    }
}
