import DepotCore
import Foundation
import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Prometheus
import Testing

@testable import DepotHTTP

@Suite("Edge cache")
struct EdgeCacheTests {
    static func request(_ fields: [(String, String)] = [], path: String = "/acme/main/npm/pkg", method: HTTPRequest.Method = .get) -> HTTPRequest {
        var request = HTTPRequest(method: method, scheme: "http", authority: "depot.test", path: path)
        for (name, value) in fields { request.headerFields.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        return request
    }

    static func cache(budget: Int = 1 << 20, feed: InProcessChangeFeed = InProcessChangeFeed(), trusting: [String] = []) -> EdgeCache {
        EdgeCache(
            budget: budget, feed: feed, metrics: PrometheusCollectorRegistry(), accessLog: nil,
            trustedProxies: trusting.compactMap(IPAddressRange.init))
    }

    static func ok(_ body: String, etag: String = "\"e1\"") -> HTTPResponse {
        var head = HTTPResponse(status: .ok)
        head.headerFields[.contentType] = "application/json"
        head.headerFields[.contentLength] = String(body.utf8.count)
        head.headerFields[.eTag] = etag
        head.headerFields[.date] = "Thu, 01 Jan 2026 00:00:00 GMT"
        return head
    }

    @Test("the key holds what the answer depends on, and only plain GETs have one")
    func keys() {
        let plain = EdgeRequestKey(Self.request(), peerTrusted: false)
        #expect(plain != nil)
        #expect(EdgeRequestKey(Self.request([("Authorization", "Bearer a")]), peerTrusted: false)
            != EdgeRequestKey(Self.request([("Authorization", "Bearer b")]), peerTrusted: false))
        #expect(EdgeRequestKey(Self.request([("Accept", "application/vnd.npm.install-v1+json")]), peerTrusted: false) != plain)
        #expect(EdgeRequestKey(Self.request([("Accept-Encoding", "gzip")]), peerTrusted: false) != plain)
        #expect(EdgeRequestKey(Self.request(path: "/acme/main/npm/pkg?write=true"), peerTrusted: false) != plain)
        // If-None-Match is answered from the entry; User-Agent does not change the answer.
        #expect(EdgeRequestKey(Self.request([("If-None-Match", "\"x\""), ("User-Agent", "npm")]), peerTrusted: false) == plain)
        // Repeated fields are joined as the application sees them.
        #expect(EdgeRequestKey(Self.request([("Accept", "a"), ("Accept", "b")]), peerTrusted: false)?.accept == "a, b")
        for method in [HTTPRequest.Method.head, .put, .post, .delete] {
            #expect(EdgeRequestKey(Self.request(method: method), peerTrusted: false) == nil)
        }
        for field in [("Range", "bytes=0-1"), ("If-Range", "\"e\""), ("If-Modified-Since", "x"), ("Content-Length", "3"),
                      ("Transfer-Encoding", "chunked"), ("Expect", "100-continue"), ("Upgrade", "h2c"), ("Cookie", "s=1"),
                      ("Connection", "Close")] {
            #expect(EdgeRequestKey(Self.request([field]), peerTrusted: false) == nil, "\(field.0)")
        }
        #expect(EdgeRequestKey(Self.request([("Connection", "keep-alive")]), peerTrusted: false) == plain)
        // Forwarded host and scheme: only from a trusted proxy, and then part of the key.
        let forwarded = [("X-Forwarded-Host", "depot.example"), ("X-Forwarded-Proto", "https")]
        #expect(EdgeRequestKey(Self.request(forwarded), peerTrusted: false) == nil)
        let viaProxy = EdgeRequestKey(Self.request(forwarded), peerTrusted: true)
        #expect(viaProxy != nil && viaProxy != plain)
        #expect(viaProxy != EdgeRequestKey(Self.request([("X-Forwarded-Host", "other.example")]), peerTrusted: true))
    }

    @Test("the mark carries the route and the token's expiry")
    func marks() {
        for mark in [EdgeMark(route: "/{domain}/{repo}/npm/**", expiresAt: 1_900_000_000.5), EdgeMark(route: "/healthz", expiresAt: nil)] {
            #expect(EdgeMark(headerValue: mark.headerValue) == mark)
        }
        #expect(EdgeMark(headerValue: "1") == nil)
        #expect(EdgeMark(headerValue: "soon\t/x") == nil)
    }

    @Test("any change on the feed, and the token's expiry, end an entry")
    func invalidation() throws {
        let feed = InProcessChangeFeed()
        let cache = Self.cache(feed: feed)
        let key = try #require(EdgeRequestKey(Self.request(), peerTrusted: false))
        let mark = EdgeMark(route: "/r", expiresAt: 2000)
        cache.store(key: key, head: Self.ok("{}"), body: ByteBuffer(string: "{}"), generation: cache.generation, mark: mark)
        let entry = try #require(cache.entry(forKey: key, now: 1000))
        #expect(entry.head.headerFields[.date] == nil)
        #expect(entry.notModifiedHead.status == .notModified && entry.notModifiedHead.headerFields[.contentLength] == nil)
        #expect(entry.notModifiedHead.headerFields[.contentType] == nil)
        #expect(entry.notModifiedHead.headerFields[.eTag] == entry.head.headerFields[.eTag])
        #expect(cache.entry(forKey: key, now: 2000) == nil)
        #expect(cache.count == 0)

        cache.store(key: key, head: Self.ok("{}"), body: ByteBuffer(string: "{}"), generation: cache.generation, mark: mark)
        feed.publish(.tokensRevoked)
        #expect(cache.entry(forKey: key, now: 1000) == nil)
        // Made for a request that arrived before a change: never given.
        let before = cache.generation
        feed.publish(.domains)
        cache.store(key: key, head: Self.ok("{}"), body: ByteBuffer(string: "{}"), generation: before, mark: mark)
        #expect(cache.entry(forKey: key, now: 1000) == nil)
    }

    @Test("the budget bounds what is kept; least recently given go first")
    func budget() throws {
        let cache = Self.cache(budget: 8 * 1024)
        let body = ByteBuffer(repeating: 0x61, count: 1500)
        let mark = EdgeMark(route: "/r", expiresAt: nil)
        let keys = try (0..<10).map { try #require(EdgeRequestKey(Self.request(path: "/p\($0)"), peerTrusted: false)) }
        for key in keys.prefix(4) { cache.store(key: key, head: Self.ok(""), body: body, generation: cache.generation, mark: mark) }
        #expect(cache.entry(forKey: keys[0], now: 0) != nil)
        for key in keys.dropFirst(4) { cache.store(key: key, head: Self.ok(""), body: body, generation: cache.generation, mark: mark) }
        #expect(cache.count < 10)
        #expect(cache.entry(forKey: keys[9], now: 0) != nil)
        #expect(cache.entry(forKey: keys[1], now: 0) == nil)
        let huge = ByteBuffer(repeating: 0x61, count: 9 * 1024)
        cache.store(key: keys[1], head: Self.ok(""), body: huge, generation: cache.generation, mark: mark)
        #expect(cache.entry(forKey: keys[1], now: 0) == nil)
    }

    @Test("the handler answers a repeated marked GET itself, with a fresh Date and a 304 for the ETag")
    func handler() throws {
        let cache = Self.cache()
        let channel = EmbeddedChannel(handler: EdgeCacheHandler(cache: cache))
        defer { _ = try? channel.finish() }
        let auth = [("Authorization", "Bearer t")]
        // First request: passed on; the application's marked answer goes out without the mark and is kept.
        try channel.writeInbound(HTTPRequestPart.head(Self.request(auth)))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        #expect(try channel.readInbound(as: HTTPRequestPart.self) != nil)
        #expect(try channel.readInbound(as: HTTPRequestPart.self) != nil)
        var head = Self.ok("{}")
        head.headerFields[EdgeCache.marker] = EdgeMark(route: "/r", expiresAt: nil).headerValue
        try channel.writeOutbound(HTTPResponsePart.head(head))
        try channel.writeOutbound(HTTPResponsePart.body(ByteBuffer(string: "{}")))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        guard case .head(let sent) = try channel.readOutbound(as: HTTPResponsePart.self) else { Issue.record("no head"); return }
        #expect(sent.headerFields[EdgeCache.marker] == nil)
        _ = try channel.readOutbound(as: HTTPResponsePart.self)
        _ = try channel.readOutbound(as: HTTPResponsePart.self)
        #expect(cache.count == 1)

        // Second: answered here, nothing reaches the application.
        try channel.writeInbound(HTTPRequestPart.head(Self.request(auth)))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        #expect(try channel.readInbound(as: HTTPRequestPart.self) == nil)
        guard case .head(let kept) = try channel.readOutbound(as: HTTPResponsePart.self) else { Issue.record("no answer"); return }
        #expect(kept.status == .ok && kept.headerFields[.date] != nil && kept.headerFields[.date] != head.headerFields[.date])
        guard case .body(let body) = try channel.readOutbound(as: HTTPResponsePart.self) else { Issue.record("no body"); return }
        #expect(String(buffer: body) == "{}")
        _ = try channel.readOutbound(as: HTTPResponsePart.self)

        try channel.writeInbound(HTTPRequestPart.head(Self.request(auth + [("If-None-Match", "\"e1\"")])))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        guard case .head(let notModified) = try channel.readOutbound(as: HTTPResponsePart.self) else { Issue.record("no 304"); return }
        #expect(notModified.status == .notModified)
        guard case .end = try channel.readOutbound(as: HTTPResponsePart.self) else { Issue.record("a 304 has no body"); return }

        // A connection whose client does not read its answers is not written to from here: the application's
        // writer waits for the socket instead (and stops reading it).
        channel.isWritable = false
        try channel.writeInbound(HTTPRequestPart.head(Self.request(auth)))
        #expect(try channel.readInbound(as: HTTPRequestPart.self) != nil)
        #expect(try channel.readOutbound(as: HTTPResponsePart.self) == nil)
        try channel.writeInbound(HTTPRequestPart.end(nil))
        _ = try channel.readInbound(as: HTTPRequestPart.self)
        try channel.writeOutbound(HTTPResponsePart.head(Self.ok("{}")))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        while try channel.readOutbound(as: HTTPResponsePart.self) != nil {}
        channel.isWritable = true

        // Another credential: the application decides.
        try channel.writeInbound(HTTPRequestPart.head(Self.request([("Authorization", "Bearer other")])))
        #expect(try channel.readInbound(as: HTTPRequestPart.self) != nil)
    }

    @Test("an unmarked answer or one to a request still in flight behind another is not kept or given")
    func unmarkedAndPipelined() throws {
        let cache = Self.cache()
        let channel = EmbeddedChannel(handler: EdgeCacheHandler(cache: cache))
        defer { _ = try? channel.finish() }
        try channel.writeInbound(HTTPRequestPart.head(Self.request()))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        try channel.writeOutbound(HTTPResponsePart.head(Self.ok("{}")))
        try channel.writeOutbound(HTTPResponsePart.body(ByteBuffer(string: "{}")))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        #expect(cache.count == 0)

        // Kept from a first answer, but asked while an earlier request is unanswered: passed on, in order.
        let key = try #require(EdgeRequestKey(Self.request(path: "/kept"), peerTrusted: false))
        cache.store(key: key, head: Self.ok("{}"), body: ByteBuffer(string: "{}"), generation: cache.generation, mark: EdgeMark(route: "/r", expiresAt: nil))
        try channel.writeInbound(HTTPRequestPart.head(Self.request(path: "/slow")))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        try channel.writeInbound(HTTPRequestPart.head(Self.request(path: "/kept")))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        var passed = 0
        while let part = try channel.readInbound(as: HTTPRequestPart.self) { if case .head = part { passed += 1 } }
        #expect(passed == 3)
        var written = 0
        while try channel.readOutbound(as: HTTPResponsePart.self) != nil { written += 1 }
        #expect(written == 3)
    }

    @Test("Date values are IMF-fixdate")
    func dates() {
        #expect(HTTPDateText.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDateText.format(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
    }
}
