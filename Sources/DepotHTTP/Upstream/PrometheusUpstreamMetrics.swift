import DepotCore
import Prometheus

/// Upstream proxy counters on the server's Prometheus registry.
public struct PrometheusUpstreamMetrics: UpstreamMetrics {
    let registry: PrometheusCollectorRegistry

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    public func upstreamRequest(connection: String, kind: String, outcome: String) {
        registry.makeCounter(descriptor: Self.requests, labels: [("connection", connection), ("kind", kind), ("outcome", outcome)])
            .increment()
    }

    public func metadataCache(connection: String, result: String) {
        registry.makeCounter(descriptor: Self.metadataCache, labels: [("connection", connection), ("result", result)])
            .increment()
    }

    public func bytesFetched(connection: String, count: Int64) {
        registry.makeCounter(descriptor: Self.bytesFetched, labels: [("connection", connection)]).increment(by: count)
    }
}

extension PrometheusUpstreamMetrics {
    static var requests: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "depot", subsystem: "upstream", metricName: "requests", unitName: "total",
        helpText: "Requests to external connections by kind and outcome")
    }
    static var metadataCache: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "depot", subsystem: "upstream", metricName: "metadata_cache", unitName: "total",
        helpText: "Upstream metadata lookups by result: hit, miss, revalidated, stale")
    }
    static var bytesFetched: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "depot", subsystem: "upstream", metricName: "bytes_fetched", unitName: "total",
        helpText: "Bytes downloaded from external connections")
    }
}
