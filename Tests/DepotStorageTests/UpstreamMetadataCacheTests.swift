import DepotCore
import DepotStorage
import Foundation
import Logging
import Testing

// MARK: Test doubles shared by the upstream tests

/// A scripted public registry: records every request and answers what the test queued for its URL
/// (the last queued answer repeats). GETs and downloads of a gated URL stop until the test releases the gate.
/// Like the real client it refuses URLs off the hosts it is given, the first and those it is redirected to.
final class FakeUpstreamHTTP: UpstreamHTTPClient, @unchecked Sendable {
    enum Reply {
        case response(UpstreamResponse)
        case failure(DepotError)

        static func ok(_ body: String, etag: String? = nil, lastModified: String? = nil) -> Reply {
            var headers: [String: String] = [:]
            headers["etag"] = etag
            headers["last-modified"] = lastModified
            return .response(UpstreamResponse(status: 200, headers: headers, body: Data(body.utf8)))
        }

        static func status(_ status: Int) -> Reply { .response(UpstreamResponse(status: status, headers: [:], body: Data())) }
    }

    struct Request: Sendable {
        var method: String
        var url: URL
        var headers: [String: String]
        var hosts: UpstreamHosts? = nil
    }

    private let lock = NSLock()
    private var replies: [URL: [Reply]] = [:]
    private var files: [URL: (status: Int, bytes: [UInt8])] = [:]
    private var gates: [URL: Gate] = [:]
    private var redirects: [URL: URL] = [:]
    private var recorded: [Request] = []

    struct Gate {
        let arrived = Signal()
        let release = Signal()
    }

    var requests: [Request] { lock.withLock { recorded } }
    func requests(to url: URL) -> [Request] { requests.filter { $0.url == url } }

    /// Queues answers for GETs of `url`; the last one keeps being answered.
    func reply(_ url: URL, _ answers: Reply...) {
        lock.withLock { replies[url, default: []] = answers }
    }

    /// GETs and downloads of `url` are redirected to `target`.
    func redirect(_ url: URL, to target: URL) {
        lock.withLock { redirects[url] = target }
    }

    /// The URL a request ends at after redirects, each hop checked against `hosts` as the real client does.
    private func follow(_ url: URL, hosts: UpstreamHosts) throws -> URL {
        var target = url
        for _ in 0...5 {
            guard hosts.permits(target) else { throw DepotError.upstreamHostRefused(target, connection: "fake", hosts: hosts) }
            guard let next = lock.withLock({ redirects[target] }) else { return target }
            target = next
        }
        throw DepotError.badGateway("too many redirects", code: "UpstreamInvalid")
    }

    func serveFile(_ url: URL, _ bytes: [UInt8], status: Int = 200) {
        lock.withLock { files[url] = (status, bytes) }
    }

    /// GETs and downloads of `url` wait until the returned gate is released.
    func gate(_ url: URL) -> Gate {
        lock.withLock {
            let gate = Gate()
            gates[url] = gate
            return gate
        }
    }

    func get(_ url: URL, headers: [String: String], maxBytes: Int, hosts: UpstreamHosts) async throws -> UpstreamResponse {
        let gate = lock.withLock {
            recorded.append(Request(method: "GET", url: url, headers: headers, hosts: hosts))
            return gates[url]
        }
        let url = try follow(url, hosts: hosts)
        if let gate {
            gate.arrived.signal()
            await gate.release.wait()
        }
        let reply: Reply = lock.withLock {
            guard var queue = replies[url], !queue.isEmpty else { return .status(404) }
            let next = queue.removeFirst()
            replies[url] = queue.isEmpty ? [next] : queue
            return next
        }
        switch reply {
        case .response(let response): return response
        case .failure(let error): throw error
        }
    }

    func post(_ url: URL, headers: [String: String], body: Data, maxBytes: Int, hosts: UpstreamHosts) async throws -> UpstreamResponse {
        lock.withLock { recorded.append(Request(method: "POST", url: url, headers: headers, hosts: hosts)) }
        return UpstreamResponse(status: 404, headers: [:], body: Data())
    }

    func download(_ url: URL, maxBytes: Int, hosts: UpstreamHosts, into sink: UpstreamSink) async throws -> Int {
        let gate = lock.withLock {
            recorded.append(Request(method: "DOWNLOAD", url: url, headers: [:], hosts: hosts))
            return gates[url]
        }
        let url = try follow(url, hosts: hosts)
        if let gate {
            gate.arrived.signal()
            await gate.release.wait()
        }
        let file = lock.withLock { files[url] }
        guard let file else { return 404 }
        guard file.status == 200 else { return file.status }
        try file.bytes.withUnsafeBytes { try sink.write($0) }
        return 200
    }
}

/// Remembers every metric event.
final class RecordingUpstreamMetrics: UpstreamMetrics, @unchecked Sendable {
    private let lock = NSLock()
    private var cacheResults: [String] = []
    private var requestOutcomes: [String] = []

    var cache: [String] { lock.withLock { cacheResults } }
    var outcomes: [String] { lock.withLock { requestOutcomes } }

    func upstreamRequest(connection: String, kind: String, outcome: String) {
        lock.withLock { requestOutcomes.append("\(kind):\(outcome)") }
    }

    func metadataCache(connection: String, result: String) {
        lock.withLock { cacheResults.append(result) }
    }

    func bytesFetched(connection: String, count: Int64) {}
}

/// A clock the test moves by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_790_000_000)

    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
}

/// Forwards to the real store; optionally holds every read until `count` readers have arrived, so that
/// concurrent lookups all miss together.
final class BarrierDocumentStore: UpstreamDocumentStore, @unchecked Sendable {
    let inner: any UpstreamDocumentStore
    private let lock = NSLock()
    private var arrivals = 0
    private let count: Int
    let allArrived = Signal()

    init(inner: any UpstreamDocumentStore, count: Int) {
        self.inner = inner
        self.count = count
    }

    func upstreamDocument(cacheKey: String) async throws -> CachedUpstreamDocument? {
        let document = try await inner.upstreamDocument(cacheKey: cacheKey)
        let arrived = lock.withLock {
            arrivals += 1
            return arrivals
        }
        if arrived == count { allArrived.signal() }
        await allArrived.wait()
        return document
    }

    func saveUpstreamDocument(_ document: CachedUpstreamDocument) async throws { try await inner.saveUpstreamDocument(document) }
    func listUpstreamDocuments(prefix: String, after: String?, limit: Int) async throws -> [CachedUpstreamDocument] {
        try await inner.listUpstreamDocuments(prefix: prefix, after: after, limit: limit)
    }
}

// MARK: Tests

@Suite("UpstreamMetadataCache")
struct UpstreamMetadataCacheTests {
    let fixture: StorageFixture
    let http = FakeUpstreamHTTP()
    let metrics = RecordingUpstreamMetrics()
    let clock = TestClock()
    let url = URL(string: "https://registry.test/left-pad")!
    let key = "public:npmjs|npm:left-pad"

    init() throws {
        fixture = try StorageFixture()
    }

    func cache(ttl: TimeInterval = 300, store: (any UpstreamDocumentStore)? = nil) -> UpstreamMetadataCache {
        let clock = self.clock
        return UpstreamMetadataCache(
            store: store ?? fixture.store, http: http, metrics: metrics, ttl: ttl, logger: Logger(label: "depot.tests"),
            now: { clock.now })
    }

    func lookup(_ cache: UpstreamMetadataCache, validate: @Sendable @escaping (Data) throws -> Void = { _ in }) async throws
        -> UpstreamMetadataCache.Lookup
    {
        try await cache.document(connection: "public:npmjs", cacheKey: key, url: url, accept: "application/json", validate: validate)
    }

    func body(_ lookup: UpstreamMetadataCache.Lookup) -> String? {
        guard case .found(let document) = lookup else { return nil }
        return String(decoding: document.body, as: UTF8.self)
    }

    func isNotFound(_ lookup: UpstreamMetadataCache.Lookup) -> Bool {
        if case .notFound = lookup { true } else { false }
    }

    /// Caches `v1` with validators, then moves the clock past the TTL.
    func cacheFirstCopyAndExpire(_ cache: UpstreamMetadataCache) async throws {
        http.reply(url, .ok("v1", etag: "\"e1\"", lastModified: "Sat, 21 Nov 2026 10:00:00 GMT"))
        #expect(body(try await lookup(cache)) == "v1")
        clock.advance(301)
    }

    @Test("a fresh copy is served without asking the upstream")
    func freshHit() async throws {
        let cache = cache()
        http.reply(url, .ok("v1", etag: "\"e1\""))
        #expect(body(try await lookup(cache)) == "v1")
        clock.advance(299)
        #expect(body(try await lookup(cache)) == "v1")
        #expect(http.requests.count == 1)
        #expect(http.requests.first?.headers["Accept"] == "application/json")
        #expect(http.requests.first?.headers["If-None-Match"] == nil)
        #expect(metrics.cache == ["miss", "hit"])
        let stored = try #require(try await fixture.store.upstreamDocument(cacheKey: key))
        #expect(stored.status == 200)
        #expect(stored.etag == "\"e1\"")
        #expect(stored.fetchedAt == clock.now.addingTimeInterval(-299))
    }

    @Test("an expired copy is revalidated with If-None-Match and If-Modified-Since; 304 renews it")
    func revalidateNotModified() async throws {
        let cache = cache()
        try await cacheFirstCopyAndExpire(cache)
        http.reply(url, .status(304))
        #expect(body(try await lookup(cache)) == "v1")

        #expect(http.requests.count == 2)
        let conditional = try #require(http.requests.last)
        #expect(conditional.headers["If-None-Match"] == "\"e1\"")
        #expect(conditional.headers["If-Modified-Since"] == "Sat, 21 Nov 2026 10:00:00 GMT")
        let stored = try #require(try await fixture.store.upstreamDocument(cacheKey: key))
        #expect(stored.fetchedAt == clock.now)
        #expect(String(decoding: stored.body, as: UTF8.self) == "v1")
        #expect(stored.etag == "\"e1\"")
        #expect(metrics.cache == ["miss", "revalidated"])

        // Renewed: fresh again for a whole TTL.
        clock.advance(299)
        #expect(body(try await lookup(cache)) == "v1")
        #expect(http.requests.count == 2)
    }

    @Test("an expired copy answered with 200 is replaced")
    func revalidateReplaced() async throws {
        let cache = cache()
        try await cacheFirstCopyAndExpire(cache)
        http.reply(url, .ok("v2", etag: "\"e2\""))
        #expect(body(try await lookup(cache)) == "v2")
        let stored = try #require(try await fixture.store.upstreamDocument(cacheKey: key))
        #expect(String(decoding: stored.body, as: UTF8.self) == "v2")
        #expect(stored.etag == "\"e2\"")
        #expect(stored.lastModified == nil)
        #expect(stored.fetchedAt == clock.now)
        #expect(try await fixture.store.listUpstreamDocuments(prefix: "public:npmjs|", after: nil, limit: 100).map(\.cacheKey) == [key])
    }

    @Test(
        "a failing upstream gets the stale copy served, counted, and asked again next time",
        arguments: [
            FakeUpstreamHTTP.Reply.failure(.badGateway("connection refused")),
            .failure(.gatewayTimeout("timed out")),
            .status(500),
            .status(503),
        ])
    func staleOnFailure(failure: FakeUpstreamHTTP.Reply) async throws {
        let cache = cache()
        try await cacheFirstCopyAndExpire(cache)
        let fetchedAt = try #require(try await fixture.store.upstreamDocument(cacheKey: key)).fetchedAt
        http.reply(url, failure)
        #expect(body(try await lookup(cache)) == "v1")
        #expect(metrics.cache == ["miss", "stale"])
        // Not renewed: the next lookup tries the upstream again.
        #expect(try #require(try await fixture.store.upstreamDocument(cacheKey: key)).fetchedAt == fetchedAt)
        #expect(body(try await lookup(cache)) == "v1")
        #expect(http.requests.count == 3)
    }

    @Test(
        "a failing upstream with nothing cached is a 502/504 and stores nothing",
        arguments: [
            (FakeUpstreamHTTP.Reply.failure(.badGateway("connection refused")), DepotError.Kind.badGateway),
            (.failure(.gatewayTimeout("timed out")), .gatewayTimeout),
            (.status(500), .badGateway),
        ])
    func failureWithoutCopy(failure: FakeUpstreamHTTP.Reply, kind: DepotError.Kind) async throws {
        let cache = cache()
        http.reply(url, failure)
        let error = await #expect(throws: DepotError.self) { try await lookup(cache) }
        #expect(error?.kind == kind)
        #expect(try await fixture.store.upstreamDocument(cacheKey: key) == nil)
        #expect(!metrics.cache.contains("stale"))
        #expect(metrics.outcomes.count == 1)
    }

    @Test("a body the format rejects is a 502 UpstreamInvalid and is never stored")
    func invalidBody() async throws {
        let cache = cache()
        struct Malformed: Error {}
        http.reply(url, .ok("<html>oops</html>", etag: "\"bad\""))
        let error = await #expect(throws: DepotError.self) {
            try await lookup(cache) { body in
                if body.first != UInt8(ascii: "{") { throw Malformed() }
            }
        }
        #expect(error?.kind == .badGateway)
        #expect(error?.code == "UpstreamInvalid")
        #expect(try await fixture.store.upstreamDocument(cacheKey: key) == nil)
        #expect(try await fixture.store.listUpstreamDocuments(prefix: "", after: nil, limit: 100).isEmpty)
    }

    @Test("a body the format rejects does not replace a good cached copy, which is served stale")
    func invalidBodyKeepsCopy() async throws {
        let cache = cache()
        struct Malformed: Error {}
        let validate: @Sendable (Data) throws -> Void = { body in
            if body.first != UInt8(ascii: "{") { throw Malformed() }
        }
        http.reply(url, .ok("{\"v\":1}", etag: "\"e1\""))
        #expect(body(try await lookup(cache, validate: validate)) == "{\"v\":1}")
        clock.advance(301)
        http.reply(url, .ok("<html>oops</html>", etag: "\"bad\""))
        #expect(body(try await lookup(cache, validate: validate)) == "{\"v\":1}")
        let stored = try #require(try await fixture.store.upstreamDocument(cacheKey: key))
        #expect(String(decoding: stored.body, as: UTF8.self) == "{\"v\":1}")
        #expect(stored.etag == "\"e1\"")
        #expect(metrics.cache == ["miss", "stale"])
    }

    @Test("a 404 is remembered for 60 s when the TTL is longer, then asked again")
    func notFoundRememberedBriefly() async throws {
        let cache = cache(ttl: 300)
        http.reply(url, .status(404))
        #expect(isNotFound(try await lookup(cache)))
        clock.advance(59)
        #expect(isNotFound(try await lookup(cache)))
        #expect(http.requests.count == 1)
        let remembered = try #require(try await fixture.store.upstreamDocument(cacheKey: key))
        #expect(remembered.status == 404)

        clock.advance(2)
        http.reply(url, .ok("published since", etag: "\"e1\""))
        #expect(body(try await lookup(cache)) == "published since")
        #expect(http.requests.count == 2)
        // A remembered 404 carries no validators.
        #expect(http.requests.last?.headers["If-None-Match"] == nil)
        #expect(http.requests.last?.headers["If-Modified-Since"] == nil)
    }

    @Test("a 404 is remembered for the TTL when the TTL is shorter than 60 s; 410 counts as 404")
    func notFoundShortTTL() async throws {
        let cache = cache(ttl: 20)
        http.reply(url, .status(410))
        #expect(isNotFound(try await lookup(cache)))
        clock.advance(19)
        #expect(isNotFound(try await lookup(cache)))
        #expect(http.requests.count == 1)
        clock.advance(2)
        #expect(isNotFound(try await lookup(cache)))
        #expect(http.requests.count == 2)
    }

    @Test("50 concurrent lookups of one missing key make exactly one upstream request")
    func singleFlight() async throws {
        let barrier = BarrierDocumentStore(inner: fixture.store, count: 50)
        let cache = cache(store: barrier)
        http.reply(url, .ok("shared", etag: "\"e1\""))
        let gate = http.gate(url)
        let results = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<50 {
                group.addTask { body(try await lookup(cache)) }
            }
            // Every caller has found nothing cached; the first is at the upstream. Let the others reach the
            // flight before the answer arrives.
            await barrier.allArrived.wait()
            await gate.arrived.wait()
            for _ in 0..<500 { await Task.yield() }
            gate.release.signal()
            var bodies: [String?] = []
            for try await body in group { bodies.append(body) }
            return bodies
        }
        #expect(results.count == 50)
        #expect(results.allSatisfy { $0 == "shared" })
        #expect(http.requests(to: url).count == 1)
        #expect(metrics.outcomes == ["metadata:200"])
    }
}
