import DepotCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Prometheus
import Synchronization

/// Finished answers to repeatable reads, kept per exact request so the connection can answer the next identical
/// request itself (`EdgeCacheHandler`), without the router, the middlewares, the token lookup or a task hop.
///
/// What may be kept is decided by the application, never here: a route marks a response with `EdgeCache.marker`
/// only when its bytes are a function of the request's key and of the metadata store (documents built from local
/// packages, stored files), and `EdgeMiddleware` turns the mark into the route and the token's expiry. The one
/// authorization policy has then already allowed exactly this `Authorization` value this exact request.
///
/// Every answer is tagged with the change feed's count when its request arrived; any change (publish, delete,
/// status, tags, origin controls, repositories, token revocation) moves the count, so an answer that a change
/// may affect is never served after the change's own response was sent. Expiry is checked on every hit.
public final class EdgeCache: Sendable {
    /// The response header a route sets on a response that may be kept; never sent to a client. On a request, set
    /// by the edge handler only (a client's is removed), it asks for `wantsWholeAnswer`.
    public static let marker = HTTPField.Name("X-Depot-Edge-Cache")!
    /// A revalidation the edge could not answer: a route whose answer is repeatable gives the whole 200 rather than
    /// its 304, and the edge keeps the 200 and sends the client the 304. Without this, after a change only a
    /// client without the document would refill the edge, while a fleet with warm caches only revalidates.
    static let wantsWholeAnswer = "whole"
    /// Answers bigger than this are not kept (the blob memory cache holds files up to the same size).
    public static let maxBodySize = 1 << 20

    public struct Entry: Sendable {
        /// The response head without `Date` (set per answer), and the 304 made from it.
        var head: HTTPResponse
        var notModifiedHead: HTTPResponse
        var body: ByteBuffer
        var etag: String?
        var generation: UInt64
        /// Seconds since 1970 after which the token that was allowed has expired (nil: never).
        var expiresAt: Double?
        /// The route's metrics for a 200 and for a 304 answered from this entry.
        var ok: RouteMetrics.Handles
        var notModified: RouteMetrics.Handles
    }

    /// An entry and when it was last given, updated without touching the table.
    final class Slot: Sendable {
        let entry: Entry
        let cost: Int
        let lastUsed: Atomic<UInt64>

        init(entry: Entry, cost: Int, clock: UInt64) {
            self.entry = entry
            self.cost = cost
            lastUsed = Atomic(clock)
        }
    }

    struct Table {
        var slots: [EdgeRequestKey: Slot] = [:]
        var totalCost = 0
    }

    private let table = Mutex(Table())
    /// Moves by two on every store: a new slot takes the odd value between, and a hit stamps its slot with the
    /// current (even) value, newer than every slot stored before it. A hit only reads the clock, and writes its
    /// slot only the first time after a store, so the two event loops do not fight over one cache line per hit.
    private let clock = Atomic<UInt64>(0)
    /// Most bytes the kept answers may hold together.
    let budget: Int
    private let changes: ChangeCounter
    let metrics: RouteMetrics
    private let hits: Counter
    let accessLog: AccessLog?
    /// Only requests whose forwarded headers the application would use may be answered from here.
    let trustedProxies: [IPAddressRange]

    /// `budget` bytes of kept answers (0 turns the cache off); `feed` is the store's change feed.
    public init(
        budget: Int, feed: any ChangeFeed, metrics: PrometheusCollectorRegistry, accessLog: AccessLog?, trustedProxies: [IPAddressRange]
    ) {
        self.budget = budget
        changes = ChangeCounter(feed: feed)
        self.metrics = RouteMetrics(registry: metrics)
        hits = metrics.makeCounter(descriptor: MetricNameDescriptor(
            namespace: "depot", metricName: "edge_cache_hits", unitName: "total",
            helpText: "Requests answered by the connection's edge cache (no router, no store)"))
        self.accessLog = accessLog
        self.trustedProxies = trustedProxies
    }

    public var isEnabled: Bool { budget > 0 }
    var generation: UInt64 { changes.value }

    /// The answer kept for `key`, if no change happened since it was made and its token has not expired.
    func entry(forKey key: EdgeRequestKey, now: Double) -> Entry? {
        guard let slot = table.withLock({ $0.slots[key] }) else { return nil }
        let entry = slot.entry
        guard entry.generation == generation, entry.expiresAt.map({ now < $0 }) ?? true else {
            table.withLock { table in
                if table.slots[key] === slot {
                    table.slots[key] = nil
                    table.totalCost -= slot.cost
                }
            }
            return nil
        }
        let tick = clock.load(ordering: .relaxed)
        if slot.lastUsed.load(ordering: .relaxed) != tick { slot.lastUsed.store(tick, ordering: .relaxed) }
        return entry
    }

    var count: Int { table.withLock { $0.slots.count } }

    func recordHit() { hits.increment() }

    /// Keeps an answer made for a request that arrived at `generation`, with the mark's route and expiry.
    func store(key: EdgeRequestKey, head: HTTPResponse, body: ByteBuffer, generation: UInt64, mark: EdgeMark) {
        var head = head
        head.headerFields[.date] = nil
        let notModified = head.notModified
        let entry = Entry(
            head: head, notModifiedHead: notModified, body: body, etag: head.headerFields[.eTag], generation: generation,
            expiresAt: mark.expiresAt,
            ok: metrics.handles(route: mark.route, method: "GET", status: 200),
            notModified: metrics.handles(route: mark.route, method: "GET", status: 304))
        let cost = body.readableBytes + key.cost + 512
        guard cost <= budget else { return }
        let slot = Slot(entry: entry, cost: cost, clock: clock.wrappingAdd(2, ordering: .relaxed).newValue - 1)
        table.withLock { table in
            if let old = table.slots.updateValue(slot, forKey: key) { table.totalCost -= old.cost }
            table.totalCost += cost
            // Least recently given first, a quarter of the budget at once so the sort stays off most stores.
            guard table.totalCost > budget else { return }
            for (key, old) in table.slots.sorted(by: { $0.value.lastUsed.load(ordering: .relaxed) < $1.value.lastUsed.load(ordering: .relaxed) }) {
                guard table.totalCost > budget - budget / 4 else { break }
                table.slots[key] = nil
                table.totalCost -= old.cost
            }
        }
    }

    func isTrusted(_ peer: SocketAddress?) -> Bool {
        ForwardedHeadersMiddleware.isTrusted(peer, among: trustedProxies)
    }
}

/// What `EdgeMiddleware` writes into the marker: the route (for metrics) and when the allowed token expires.
struct EdgeMark: Equatable {
    var route: String
    var expiresAt: Double?

    var headerValue: String { expiresAt.map { "\($0)\t\(route)" } ?? "-\t\(route)" }

    init(route: String, expiresAt: Double?) {
        self.route = route
        self.expiresAt = expiresAt
    }

    init?(headerValue: String) {
        guard let tab = headerValue.firstIndex(of: "\t") else { return nil }
        let expiry = headerValue[..<tab]
        route = String(headerValue[headerValue.index(after: tab)...])
        if expiry == "-" {
            expiresAt = nil
        } else if let seconds = Double(expiry) {
            expiresAt = seconds
        } else {
            return nil
        }
    }
}

/// The key of a request that may be answered from the edge cache: everything the application reads to make a
/// repeatable answer (target, host, credentials, content negotiation and, from trusted proxies only, the forwarded
/// host and scheme). Compared field by field: nothing is concatenated per request.
struct EdgeRequestKey: Hashable, Sendable {
    var target: String
    var authority: String?
    var authorization: String?
    var accept: String?
    var acceptEncoding: String?
    var forwarded: [String] = []

    /// Requests that are never answered from the cache: a body, a range, conditions other than `If-None-Match`
    /// (answered from the entry's ETag), an upgrade, cookies (the console).
    static let excluding: Set<HTTPField.Name> = [
        .range, .ifRange, .ifModifiedSince, .ifUnmodifiedSince, .ifMatch, .expect, .contentLength, .transferEncoding,
        .upgrade, .cookie,
    ]
    /// The headers the application takes from trusted proxies only.
    static let forwardedNames = Set(ForwardedHeadersMiddleware.names)

    /// The key of a plain `GET`, or nil when the request must go the whole way.
    init?(_ request: HTTPRequest, peerTrusted: Bool) {
        guard request.method == .get, let path = request.path else { return nil }
        target = path
        authority = request.authority
        // One pass over the fields; repeated fields are joined as `HTTPFields` joins them for the application.
        for field in request.headerFields {
            let name = field.name
            if name == .authorization {
                authorization = Self.joined(authorization, field.value)
            } else if name == .accept {
                accept = Self.joined(accept, field.value)
            } else if name == .acceptEncoding {
                acceptEncoding = Self.joined(acceptEncoding, field.value)
            } else if name == .connection {
                if field.value.lowercased().includes("close") { return nil }
            } else if Self.excluding.contains(name) {
                return nil
            } else if Self.forwardedNames.contains(name) {
                // The application drops an untrusted peer's forwarded headers; such a request goes the whole way.
                guard peerTrusted else { return nil }
                forwarded.append("\(name.canonicalName)=\(field.value)")
            }
        }
    }

    private static func joined(_ earlier: String?, _ value: String) -> String {
        earlier.map { "\($0), \(value)" } ?? value
    }

    var cost: Int {
        target.utf8.count + (authority?.utf8.count ?? 0) + (authorization?.utf8.count ?? 0) + (accept?.utf8.count ?? 0)
            + (acceptEncoding?.utf8.count ?? 0) + forwarded.reduce(0) { $0 + $1.utf8.count }
    }
}

/// `Date` header values, made once per second.
struct HTTPDateText {
    private var second = -1
    private var text = ""

    mutating func now() -> (seconds: Double, text: String) {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        let current = spec.tv_sec
        if current != second {
            second = current
            text = Self.format(current)
        }
        return (Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9, text)
    }

    static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// RFC 9110 IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
    static func format(_ seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}

extension Request {
    /// Whether this request's `If-None-Match` names `etag`, so the answer is 304; false when the answer is
    /// `repeatable` and the connection's edge cache asked for it whole (it sends the client the 304 itself).
    public func isNotModified(etag: String, repeatable: Bool) -> Bool {
        guard EntityTag.matches(headers[.ifNoneMatch], etag) else { return false }
        return !(repeatable && headers[EdgeCache.marker] == EdgeCache.wantsWholeAnswer)
    }
}

extension Response {
    /// Marks an answer whose bytes are a function of the request's key (`EdgeRequestKey`) and the metadata store
    /// alone, so that the connection may give it again until the next change: documents built from this server's
    /// packages, stored files. Nothing fetched from outside or depending on the clock may be marked.
    public func repeatable(_ condition: Bool = true) -> Response {
        guard condition else { return self }
        var response = self
        response.headers[EdgeCache.marker] = "1"
        return response
    }
}
