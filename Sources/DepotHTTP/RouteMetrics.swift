import Prometheus
import Synchronization

/// The request metrics of each (route, method, status), looked up without a lock: the registry's own lookup locks
/// and allocates label arrays on every call, so handles are made once and kept in a fixed open-addressed table of
/// set-once slots. Counters are atomic; the duration histogram's own short per-route lock is all that is left.
final class RouteMetrics: Sendable {
    final class Handles: Sendable {
        let key: String
        let requests: Counter
        let bytes: Counter
        let duration: DurationHistogram

        init(key: String, route: String, method: String, status: Int, registry: PrometheusCollectorRegistry) {
            self.key = key
            requests = registry.makeCounter(
                descriptor: EdgeMiddleware.requests, labels: [("route", route), ("method", method), ("status", String(status))])
            bytes = registry.makeCounter(descriptor: EdgeMiddleware.bytesServed, labels: [("route", route)])
            duration = registry.makeDurationHistogram(
                descriptor: EdgeMiddleware.duration, labels: [("route", route)], buckets: EdgeMiddleware.buckets)
        }
    }

    final class Slot: Sendable {
        let handles = AtomicLazyReference<Handles>()
    }

    private let registry: PrometheusCollectorRegistry
    private let slots: [Slot]

    /// Routes x methods x statuses seen stay far below this; past it, lookups go to the registry.
    init(registry: PrometheusCollectorRegistry, capacity: Int = 4096) {
        self.registry = registry
        slots = (0..<capacity).map { _ in Slot() }
    }

    func handles(route: String, method: String, status: Int) -> Handles {
        let key = "\(route)|\(method)|\(status)"
        var index = Int(UInt(bitPattern: key.hashValue) % UInt(slots.count))
        for _ in 0..<16 {
            let slot = slots[index]
            if let found = slot.handles.load() {
                if found.key == key { return found }
            } else {
                let stored = slot.handles.storeIfNil(Handles(key: key, route: route, method: method, status: status, registry: registry))
                if stored.key == key { return stored }
            }
            index = (index + 1) % slots.count
        }
        return Handles(key: key, route: route, method: method, status: status, registry: registry)
    }
}
