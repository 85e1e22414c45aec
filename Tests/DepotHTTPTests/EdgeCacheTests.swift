import DepotCore
import Foundation
import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOHTTPTypes
import Prometheus
import Testing

@testable import DepotHTTP

@Suite("Edge cache")
struct EdgeCacheTests {
    static func request(_ fields: [(String, String)] = [], path: String = "/acme/main/npm/pkg", method: HTTPMethod = .GET) -> HTTPRequestHead {
        HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: HTTPHeaders([("Host", "depot.test")] + fields))
    }

    static func cache(budget: Int = 1 << 20, feed: InProcessChangeFeed = InProcessChangeFeed(), trusting: [String] = []) -> EdgeCache {
        EdgeCache(
            budget: budget, feed: feed, metrics: PrometheusCollectorRegistry(), accessLog: nil,
            trustedProxies: trusting.compactMap(IPAddressRange.init))
    }

    static func ok(_ body: String, etag: String = "\"e1\"") -> HTTPResponseHead {
        HTTPResponseHead(version: .http1_1, status: .ok, headers: HTTPHeaders([
            ("Content-Type", "application/json"), ("Content-Length", String(body.utf8.count)), ("ETag", etag),
            ("Date", "Thu, 01 Jan 2026 00:00:00 GMT"),
        ]))
    }

    static func bytes(_ part: HTTPServerResponsePart?) -> String? {
        guard case .body(.byteBuffer(let buffer)) = part else { return nil }
        return String(buffer: buffer)
    }

    /// The application's answer `{}`, marked repeatable, written into the handler; returns its head.
    static func answerMarked(_ channel: EmbeddedChannel) throws -> HTTPResponseHead {
        var head = ok("{}")
        head.headers.add(name: "X-Depot-Edge-Cache", value: EdgeMark(route: "/r", expiresAt: nil).headerValue)
        try channel.writeOutbound(HTTPServerResponsePart.head(head))
        try channel.writeOutbound(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: "{}"))))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
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
        for method in [HTTPMethod.HEAD, .PUT, .POST, .DELETE] {
            #expect(EdgeRequestKey(Self.request(method: method), peerTrusted: false) == nil)
        }
        for field in [("Range", "bytes=0-1"), ("If-Range", "\"e\""), ("If-Modified-Since", "x"), ("Content-Length", "3"),
                      ("Transfer-Encoding", "chunked"), ("Expect", "100-continue"), ("Upgrade", "h2c"), ("Cookie", "s=1"),
                      ("Connection", "Close")] {
            #expect(EdgeRequestKey(Self.request([field]), peerTrusted: false) == nil, "\(field.0)")
        }
        #expect(EdgeRequestKey(Self.request([("Connection", "keep-alive")]), peerTrusted: false) == plain)
        // Every header the forwarded-headers middleware takes from a trusted proxy is part of the key.
        for name in ForwardedHeadersMiddleware.names {
            #expect(EdgeRequestKey.Field(name.rawName) == .forwarded, "\(name)")
            #expect(EdgeRequestKey(Self.request([(name.rawName, "x")]), peerTrusted: false) == nil, "\(name)")
        }
        // Names in any case; only HTTP/1.1 requests in origin form, with one Host.
        #expect(EdgeRequestKey(Self.request([("AUTHORIZATION", "Bearer a")]), peerTrusted: false)?.authorization == "Bearer a")
        #expect(EdgeRequestKey(Self.request([("rAnGe", "bytes=0-1")]), peerTrusted: false) == nil)
        var old = Self.request()
        old.version = .http1_0
        #expect(EdgeRequestKey(old, peerTrusted: false) == nil)
        #expect(EdgeRequestKey(Self.request(path: "http://depot.test/acme/main/npm/pkg"), peerTrusted: false) == nil)
        #expect(EdgeRequestKey(Self.request([("Host", "other.test")]), peerTrusted: false) == nil)
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
        #expect(entry.head.headers["date"].isEmpty)
        #expect(entry.notModifiedHead.status == .notModified && entry.notModifiedHead.headers["content-length"].isEmpty)
        #expect(entry.notModifiedHead.headers["content-type"].isEmpty)
        #expect(entry.notModifiedHead.headers["etag"] == entry.head.headers["etag"])
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

    @Test("a loop's own slots give the table's answers dated per second, and forget them at a change, expiry or bound")
    func loopSlots() throws {
        let feed = InProcessChangeFeed()
        let cache = Self.cache(budget: 64 * 1024, feed: feed)
        let loop = EmbeddedEventLoop()
        let slots = cache.loopSlots(on: loop).value
        #expect(cache.loopSlots(on: loop).value === slots)
        let key = try #require(EdgeRequestKey(Self.request(), peerTrusted: false))
        #expect(slots.answer(forKey: key, cache: cache, now: 10, second: 10, date: "ten") == nil)
        cache.store(key: key, head: Self.ok("{}"), body: ByteBuffer(string: "{}"), generation: cache.generation,
                    mark: EdgeMark(route: "/r", expiresAt: 100))
        let first = try #require(slots.answer(forKey: key, cache: cache, now: 10, second: 10, date: "ten"))
        #expect(first.head.headers["date"] == ["ten"] && first.notModifiedHead.headers["date"] == ["ten"])
        #expect(slots.count == 1)
        let later = try #require(slots.answer(forKey: key, cache: cache, now: 11, second: 11, date: "eleven"))
        #expect(later.slot === first.slot && later.head.headers["date"] == ["eleven"])
        // The token's expiry is checked on every hit, also from the loop's own slots.
        #expect(slots.answer(forKey: key, cache: cache, now: 100, second: 100, date: "late") == nil)
        #expect(slots.count == 0)

        cache.store(key: key, head: Self.ok("{}"), body: ByteBuffer(string: "{}"), generation: cache.generation,
                    mark: EdgeMark(route: "/r", expiresAt: nil))
        #expect(slots.answer(forKey: key, cache: cache, now: 12, second: 12, date: "d") != nil)
        feed.publish(.domains)
        #expect(slots.answer(forKey: key, cache: cache, now: 12, second: 12, date: "d") == nil)
        #expect(slots.count == 0)

        // At most an eighth of the budget shared by the loops (this machine's cores), and `capacity` slots.
        let body = ByteBuffer(repeating: 0x61, count: 3000)
        for index in 0..<20 {
            let other = try #require(EdgeRequestKey(Self.request(path: "/p\(index)"), peerTrusted: false))
            cache.store(key: other, head: Self.ok(""), body: body, generation: cache.generation, mark: EdgeMark(route: "/r", expiresAt: nil))
            #expect(slots.answer(forKey: other, cache: cache, now: 12, second: 12, date: "d") != nil)
        }
        #expect(slots.count >= 1 && slots.count <= 8 * 1024 / 3512)
    }

    @Test("the handler answers a repeated marked GET itself, with a fresh Date and a 304 for the ETag")
    func handler() throws {
        let cache = Self.cache()
        let channel = EmbeddedChannel(handler: EdgeCacheHandler(cache: cache))
        defer { _ = try? channel.finish() }
        let auth = [("Authorization", "Bearer t")]
        // First request: passed on; the application's marked answer goes out without the mark and is kept.
        try channel.writeInbound(HTTPServerRequestPart.head(Self.request(auth)))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) != nil)
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) != nil)
        let head = try Self.answerMarked(channel)
        guard case .head(let sent) = try channel.readOutbound(as: HTTPServerResponsePart.self) else { Issue.record("no head"); return }
        #expect(sent.headers["x-depot-edge-cache"].isEmpty)
        _ = try channel.readOutbound(as: HTTPServerResponsePart.self)
        _ = try channel.readOutbound(as: HTTPServerResponsePart.self)
        #expect(cache.count == 1)

        // Second: answered here, nothing reaches the application.
        try channel.writeInbound(HTTPServerRequestPart.head(Self.request(auth)))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) == nil)
        guard case .head(let kept) = try channel.readOutbound(as: HTTPServerResponsePart.self) else { Issue.record("no answer"); return }
        #expect(kept.status == .ok && kept.headers["date"].count == 1 && kept.headers["date"] != head.headers["date"])
        #expect(Self.bytes(try channel.readOutbound(as: HTTPServerResponsePart.self)) == "{}")
        _ = try channel.readOutbound(as: HTTPServerResponsePart.self)

        try channel.writeInbound(HTTPServerRequestPart.head(Self.request(auth + [("If-None-Match", "\"e1\"")])))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        guard case .head(let notModified) = try channel.readOutbound(as: HTTPServerResponsePart.self) else { Issue.record("no 304"); return }
        #expect(notModified.status == .notModified)
        guard case .end = try channel.readOutbound(as: HTTPServerResponsePart.self) else { Issue.record("a 304 has no body"); return }

        // A connection whose client does not read its answers is not written to from here: the application's
        // writer waits for the socket instead (and stops reading it).
        channel.isWritable = false
        try channel.writeInbound(HTTPServerRequestPart.head(Self.request(auth)))
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) != nil)
        #expect(try channel.readOutbound(as: HTTPServerResponsePart.self) == nil)
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        _ = try channel.readInbound(as: HTTPServerRequestPart.self)
        try channel.writeOutbound(HTTPServerResponsePart.head(Self.ok("{}")))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        while try channel.readOutbound(as: HTTPServerResponsePart.self) != nil {}
        channel.isWritable = true

        // Another credential: the application decides.
        try channel.writeInbound(HTTPServerRequestPart.head(Self.request([("Authorization", "Bearer other")])))
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) != nil)
    }

    @Test("a revalidation it cannot answer asks the application for the whole answer, keeps it and sends the 304")
    func revalidationRefills() throws {
        let cache = Self.cache()
        let channel = EmbeddedChannel(handler: EdgeCacheHandler(cache: cache))
        defer { _ = try? channel.finish() }
        let conditional = [("Authorization", "Bearer t"), ("If-None-Match", "\"e1\"")]
        // A client's own marker never reaches the application.
        try channel.writeInbound(HTTPServerRequestPart.head(Self.request([("X-Depot-Edge-Cache", "whole")])))
        guard case .head(let plain) = try channel.readInbound(as: HTTPServerRequestPart.self) else { Issue.record("not passed"); return }
        #expect(plain.headers["x-depot-edge-cache"] == ["keep"])
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        _ = try channel.readInbound(as: HTTPServerRequestPart.self)
        try channel.writeOutbound(HTTPServerResponsePart.head(Self.ok("{}")))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        while try channel.readOutbound(as: HTTPServerResponsePart.self) != nil {}

        try channel.writeInbound(HTTPServerRequestPart.head(Self.request(conditional)))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        guard case .head(let asked) = try channel.readInbound(as: HTTPServerRequestPart.self) else { Issue.record("not passed"); return }
        #expect(asked.headers["x-depot-edge-cache"] == ["whole"] && asked.headers["if-none-match"] == ["\"e1\""])
        _ = try channel.readInbound(as: HTTPServerRequestPart.self)
        _ = try Self.answerMarked(channel)
        guard case .head(let sent) = try channel.readOutbound(as: HTTPServerResponsePart.self) else { Issue.record("no head"); return }
        #expect(sent.status == .notModified && sent.headers["etag"] == ["\"e1\""] && sent.headers["content-length"].isEmpty)
        guard case .end = try channel.readOutbound(as: HTTPServerResponsePart.self) else { Issue.record("a 304 has no body"); return }
        #expect(cache.count == 1)

        // The next revalidation, and a plain GET, are answered here from what was kept.
        try channel.writeInbound(HTTPServerRequestPart.head(Self.request(conditional)))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) == nil)
        guard case .head(let kept) = try channel.readOutbound(as: HTTPServerResponsePart.self) else { Issue.record("no 304"); return }
        #expect(kept.status == .notModified)
        _ = try channel.readOutbound(as: HTTPServerResponsePart.self)
        try channel.writeInbound(HTTPServerRequestPart.head(Self.request([("Authorization", "Bearer t")])))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        guard case .head(let whole) = try channel.readOutbound(as: HTTPServerResponsePart.self) else { Issue.record("no 200"); return }
        #expect(whole.status == .ok)
        #expect(Self.bytes(try channel.readOutbound(as: HTTPServerResponsePart.self)) == "{}")
    }

    @Test("an unmarked answer or one to a request still in flight behind another is not kept or given")
    func unmarkedAndPipelined() throws {
        let cache = Self.cache()
        let channel = EmbeddedChannel(handler: EdgeCacheHandler(cache: cache))
        defer { _ = try? channel.finish() }
        try channel.writeInbound(HTTPServerRequestPart.head(Self.request()))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        try channel.writeOutbound(HTTPServerResponsePart.head(Self.ok("{}")))
        try channel.writeOutbound(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: "{}"))))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        #expect(cache.count == 0)

        // Kept from a first answer, but asked while an earlier request is unanswered: passed on, in order.
        let key = try #require(EdgeRequestKey(Self.request(path: "/kept"), peerTrusted: false))
        cache.store(key: key, head: Self.ok("{}"), body: ByteBuffer(string: "{}"), generation: cache.generation, mark: EdgeMark(route: "/r", expiresAt: nil))
        try channel.writeInbound(HTTPServerRequestPart.head(Self.request(path: "/slow")))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        try channel.writeInbound(HTTPServerRequestPart.head(Self.request(path: "/kept")))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        var passed = 0
        while let part = try channel.readInbound(as: HTTPServerRequestPart.self) { if case .head = part { passed += 1 } }
        #expect(passed == 3)
        var written = 0
        while try channel.readOutbound(as: HTTPServerResponsePart.self) != nil { written += 1 }
        #expect(written == 3)
    }

    @Test("an answer cut short of its Content-Length, or ending in trailers, is passed on but not kept")
    func onlyWholeAnswersKept() throws {
        let cache = Self.cache()
        let channel = EmbeddedChannel(handler: EdgeCacheHandler(cache: cache))
        defer { _ = try? channel.finish() }
        for trailers in [nil, HTTPHeaders([("x-checksum", "1")])] as [HTTPHeaders?] {
            try channel.writeInbound(HTTPServerRequestPart.head(Self.request()))
            try channel.writeInbound(HTTPServerRequestPart.end(nil))
            var head = Self.ok(trailers == nil ? "{}-and-more" : "{}")
            head.headers.add(name: "X-Depot-Edge-Cache", value: EdgeMark(route: "/r", expiresAt: nil).headerValue)
            try channel.writeOutbound(HTTPServerResponsePart.head(head))
            try channel.writeOutbound(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: "{}"))))
            try channel.writeOutbound(HTTPServerResponsePart.end(trailers))
            #expect(cache.count == 0)
            while try channel.readOutbound(as: HTTPServerResponsePart.self) != nil {}
            while try channel.readInbound(as: HTTPServerRequestPart.self) != nil {}
        }
    }

    @Test("Date values are IMF-fixdate")
    func dates() {
        #expect(HTTPDateText.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDateText.format(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
    }
}
