import DepotCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1
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
    /// Any other request the edge could keep the answer to.
    static let mayKeep = "keep"
    /// Answers bigger than this are not kept (the blob memory cache holds files up to the same size).
    public static let maxBodySize = 1 << 20

    public struct Entry: Sendable {
        /// The response head as the encoder takes it, without `Date` (added per answer), and the 304 made from it.
        var head: HTTPResponseHead
        var notModifiedHead: HTTPResponseHead
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

        /// Made after the last change (`generation` is the current count) for a token not yet expired.
        func isCurrent(generation: UInt64, now: Double) -> Bool {
            entry.generation == generation && entry.expiresAt.map { now < $0 } ?? true
        }
    }

    struct Table {
        var slots: [EdgeRequestKey: Slot] = [:]
        var totalCost = 0
    }

    private let table = Mutex(Table())
    /// Each event loop's own slots in front of the table (`EdgeLoopSlots`), made once per loop.
    private let loops = Mutex<[ObjectIdentifier: NIOLoopBound<EdgeLoopSlots>]>([:])
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
        slot(forKey: key, now: now)?.entry
    }

    /// The slot kept for `key` in the shared table, if current (a stale one is dropped).
    func slot(forKey key: EdgeRequestKey, now: Double) -> Slot? {
        guard let slot = table.withLock({ $0.slots[key] }) else { return nil }
        guard slot.isCurrent(generation: generation, now: now) else {
            table.withLock { table in
                if table.slots[key] === slot {
                    table.slots[key] = nil
                    table.totalCost -= slot.cost
                }
            }
            return nil
        }
        touch(slot)
        return slot
    }

    /// Stamps a slot as just given, for the least-recently-given eviction.
    func touch(_ slot: Slot) {
        let tick = clock.load(ordering: .relaxed)
        if slot.lastUsed.load(ordering: .relaxed) != tick { slot.lastUsed.store(tick, ordering: .relaxed) }
    }

    /// The slots of the event loop `loop`, to be used on that loop only.
    func loopSlots(on loop: any EventLoop) -> NIOLoopBound<EdgeLoopSlots> {
        loops.withLock { loops in
            if let existing = loops[ObjectIdentifier(loop)] { return existing }
            // Together at most an eighth of the budget more than the table (their slots may outlive the table's).
            let made = NIOLoopBound(EdgeLoopSlots(budget: budget / 8 / max(1, System.coreCount)), eventLoop: loop)
            loops[ObjectIdentifier(loop)] = made
            return made
        }
    }

    var count: Int { table.withLock { $0.slots.count } }

    func recordHit() { hits.increment() }

    /// Keeps an answer made for a request that arrived at `generation`, with the mark's route and expiry.
    func store(key: EdgeRequestKey, head: HTTPResponseHead, body: ByteBuffer, generation: UInt64, mark: EdgeMark) {
        var head = head
        head.headers.remove(name: "date")
        // Framed by its length: the answer is whole, and a kept chunked head would not match the body written.
        head.headers.remove(name: "transfer-encoding")
        head.headers.replaceOrAdd(name: "content-length", value: String(body.readableBytes))
        guard let notModified = head.notModified else { return }
        let entry = Entry(
            head: head, notModifiedHead: notModified, body: body, etag: head.headers.first(name: "etag"), generation: generation,
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

/// One event loop's view of the edge cache: the slots it gave lately, with their heads dated for the current second,
/// read and written on that loop alone. Every hit used to take the shared table's mutex, and with both loops
/// answering at once a contended `Mutex` is a PI futex in the kernel: they spent their time waiting on each other.
/// Now a hit takes no lock and, within a second, copies no head. The slots are the table's own (no body is kept
/// twice); a change empties this at the next request, and it holds at most `capacity` slots and `budget` bytes.
final class EdgeLoopSlots {
    /// A slot as this loop gives it: its heads with `Date` for `second`.
    struct Given {
        let slot: EdgeCache.Slot
        var second: Int
        var head: HTTPResponseHead
        var notModifiedHead: HTTPResponseHead
    }

    static let capacity = 512
    private let budget: Int
    private var given: [EdgeRequestKey: Given] = [:]
    private var cost = 0
    private var generation: UInt64 = 0

    init(budget: Int) {
        self.budget = budget
    }

    /// The answer for `key` with `date` (the text of `second`) in its heads, from this loop's slots or else from
    /// the shared table; nil on a miss.
    func answer(forKey key: EdgeRequestKey, cache: EdgeCache, now: Double, second: Int, date: String) -> Given? {
        let current = cache.generation
        if current != generation {
            given.removeAll(keepingCapacity: true)
            cost = 0
            generation = current
        }
        if var hit = given[key] {
            guard hit.slot.isCurrent(generation: current, now: now) else {
                forget(key)
                return nil
            }
            cache.touch(hit.slot)
            if hit.second != second {
                hit.date(second: second, text: date)
                given[key] = hit
            }
            return hit
        }
        guard let slot = cache.slot(forKey: key, now: now) else { return nil }
        var made = Given(slot: slot, second: -1, head: slot.entry.head, notModifiedHead: slot.entry.notModifiedHead)
        made.date(second: second, text: date)
        guard slot.cost <= budget else { return made }
        while !given.isEmpty && (given.count >= Self.capacity || cost + slot.cost > budget) {
            forget(given.keys[given.startIndex])  // hash order: an arbitrary one, which is fair enough here
        }
        given[key] = made
        cost += slot.cost
        return made
    }

    private func forget(_ key: EdgeRequestKey) {
        if let old = given.removeValue(forKey: key) { cost -= old.slot.cost }
    }

    var count: Int { given.count }
}

extension EdgeLoopSlots.Given {
    fileprivate mutating func date(second: Int, text: String) {
        self.second = second
        head.headers.replaceOrAdd(name: "date", value: text)
        notModifiedHead.headers.replaceOrAdd(name: "date", value: text)
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

    /// What a request field means to the key. Requests with a body, a range, conditions other than `If-None-Match`
    /// (answered from the entry's ETag), an upgrade, an `Expect` or cookies (the console) are never answered here.
    enum Field {
        case host, authorization, accept, acceptEncoding, connection, forwarded, marker, excluding, other

        /// Names compared without regard to ASCII case and without allocating: this runs for every field of every
        /// request the connection reads.
        init(_ name: String) {
            let utf8 = name.utf8
            func `is`(_ lowercase: StaticString) -> Bool {
                guard utf8.count == lowercase.utf8CodeUnitCount else { return false }
                return lowercase.withUTF8Buffer { expected in
                    zip(utf8, expected).allSatisfy { byte, wanted in (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) == wanted }
                }
            }
            switch utf8.count {
            case 4 where `is`("host"): self = .host
            case 5 where `is`("range"): self = .excluding
            case 6 where `is`("accept"): self = .accept
            case 6 where `is`("expect") || `is`("cookie"): self = .excluding
            case 7 where `is`("upgrade"): self = .excluding
            case 8 where `is`("if-range") || `is`("if-match"): self = .excluding
            case 9 where `is`("forwarded"): self = .forwarded
            case 10 where `is`("connection"): self = .connection
            case 13 where `is`("authorization"): self = .authorization
            case 14 where `is`("content-length"): self = .excluding
            case 15 where `is`("accept-encoding"): self = .acceptEncoding
            case 16 where `is`("x-forwarded-host"): self = .forwarded
            case 17 where `is`("x-forwarded-proto"): self = .forwarded
            case 17 where `is`("if-modified-since") || `is`("transfer-encoding"): self = .excluding
            case 18 where `is`("x-depot-edge-cache"): self = .marker
            case 19 where `is`("if-unmodified-since"): self = .excluding
            default: self = .other
            }
        }
    }

    /// The key of a plain HTTP/1.1 `GET` in origin form, or nil when the request must go the whole way.
    init?(_ request: HTTPRequestHead, peerTrusted: Bool) {
        guard request.method == .GET, request.version == .http1_1, request.uri.utf8.first == UInt8(ascii: "/") else { return nil }
        target = request.uri
        // One pass over the fields; repeated fields are joined as `HTTPFields` joins them for the application.
        for (name, value) in request.headers {
            switch Field(name) {
            case .host:
                guard authority == nil else { return nil }
                authority = value
            case .authorization: authorization = Self.joined(authorization, value)
            case .accept: accept = Self.joined(accept, value)
            case .acceptEncoding: acceptEncoding = Self.joined(acceptEncoding, value)
            case .connection:
                if value.lowercased().includes("close") { return nil }
            case .excluding: return nil
            case .forwarded:
                // The application drops an untrusted peer's forwarded headers; such a request goes the whole way.
                guard peerTrusted else { return nil }
                forwarded.append("\(name.lowercased())=\(value)")
            case .marker, .other: break
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

extension HTTPResponseHead {
    /// The 304 of this 200 (`HTTPResponse.notModified`: the fields RFC 9110 keeps), as the encoder takes it.
    var notModified: HTTPResponseHead? {
        (try? HTTPResponse(self)).map { HTTPResponseHead($0.notModified) }
    }
}

/// `Date` header values, made once per second.
struct HTTPDateText {
    private var second = -1
    private var text = ""

    mutating func now() -> (seconds: Double, second: Int, text: String) {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        let current = spec.tv_sec
        if current != second {
            second = current
            text = Self.format(current)
        }
        return (Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9, current, text)
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
