import DepotCore
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1

/// Answers a connection's repeatable reads from the `EdgeCache` on the event loop, and keeps the answers the
/// application marked. One per HTTP/1 connection, right above NIO's HTTP/1 decoder and encoder: a hit is answered in
/// the decoder's own types and goes straight to the encoder, without the conversion to and from HTTPTypes or the
/// handlers above (a third of what a hit cost). The handlers above that need to know of a hit are told directly:
/// `ConnectionGuardHandler` (header and idle time-outs). Hummingbird's connection state handler never sees a hit,
/// which is right: a hit is over before the next event, so it never has a request in flight to wait for.
///
/// A request is answered here only when no earlier request of the connection is still being answered (HTTP/1
/// responses go out in request order) and the connection is writable; otherwise, and on a miss, it goes to the
/// application unchanged. Writability is the back-pressure: a client that pipelines requests without reading the
/// answers would otherwise make this queue answers without end, while the application's writer waits for the
/// socket and then stops reading from it.
public final class EdgeCacheHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPServerRequestPart
    public typealias InboundOut = HTTPServerRequestPart
    public typealias OutboundIn = HTTPServerResponsePart
    public typealias OutboundOut = HTTPServerResponsePart

    /// A request handed to the application: its key (nil when its answer may not be kept), the change count then,
    /// and the client's `If-None-Match` when the application was asked for the whole answer in its place.
    private struct Pending {
        var key: EdgeRequestKey?
        var generation: UInt64
        var ifNoneMatch: String?
    }

    /// An answer being kept while the application writes it.
    private struct Capture {
        var key: EdgeRequestKey
        var generation: UInt64
        var head: HTTPResponseHead
        var mark: EdgeMark
        var body: ByteBuffer?
    }

    static let markerName = EdgeCache.marker.canonicalName

    private let cache: EdgeCache
    private var pending: [Pending] = []
    private var capture: Capture?
    /// The rest of a request answered here (its end) is not passed on.
    private var swallowing = false
    /// The body of a whole answer given to the client as a 304 is not written.
    private var withholdingBody = false
    private var peerTrusted = false
    private var date = HTTPDateText()
    /// This connection's event loop's own slots (set when added to a pipeline).
    private var loopSlots: NIOLoopBound<EdgeLoopSlots>?
    /// Told of every request answered here, since it never sees them.
    private var connectionGuard: ConnectionGuardHandler?

    public init(cache: EdgeCache) {
        self.cache = cache
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        peerTrusted = cache.isTrusted(context.channel.remoteAddress)
        loopSlots = cache.loopSlots(on: context.eventLoop)
        connectionGuard = try? context.pipeline.syncOperations.handler(type: ConnectionGuardHandler.self)
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(var request):
            swallowing = false
            let key = EdgeRequestKey(request, peerTrusted: peerTrusted)
            let generation = cache.generation
            // A connection over the cap gets its 503 and is closed by the guard, which must see the request.
            if pending.isEmpty, context.channel.isWritable, let key, connectionGuard?.isRefusing != true,
                answer(request, key: key, context: context)
            {
                swallowing = true
                connectionGuard?.requestAnsweredBelow()
                return
            }
            // The marker on a request is this handler's word to the application, never a client's: that an answer
            // may be kept (no route marks one otherwise, so none leaks where no edge takes it: HTTP/2), or that
            // the whole answer is wanted in place of a 304.
            if request.headers.contains(name: Self.markerName) { request.headers.remove(name: Self.markerName) }
            let ifNoneMatch = key == nil ? nil : Self.ifNoneMatch(request)
            if key != nil {
                request.headers.add(name: Self.markerName, value: ifNoneMatch == nil ? EdgeCache.mayKeep : EdgeCache.wantsWholeAnswer)
            }
            pending.append(Pending(key: key, generation: generation, ifNoneMatch: ifNoneMatch))
            context.fireChannelRead(wrapInboundOut(.head(request)))
        case .body, .end:
            if swallowing { return }
            context.fireChannelRead(data)
        }
    }

    /// Writes the kept answer (200, or 304 when `If-None-Match` names its ETag); false on a miss.
    private func answer(_ request: HTTPRequestHead, key: EdgeRequestKey, context: ChannelHandlerContext) -> Bool {
        let (now, second, dateText) = date.now()
        guard let given = loopSlots?.value.answer(forKey: key, cache: cache, now: now, second: second, date: dateText) else {
            return false
        }
        let entry = given.slot.entry
        let notModified = entry.etag.map { etag in Self.ifNoneMatch(request).map { EntityTag.matches($0, etag) } ?? false } ?? false
        let bytes = notModified ? 0 : entry.body.readableBytes
        context.write(wrapOutboundOut(.head(notModified ? given.notModifiedHead : given.head)), promise: nil)
        if bytes > 0 { context.write(wrapOutboundOut(.body(.byteBuffer(entry.body))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        cache.recordHit()
        let handles = notModified ? entry.notModified : entry.ok
        handles.requests.increment()
        handles.bytes.increment(by: Int64(bytes))
        // No duration: the histogram (behind a lock both event loops would contend for) times the application's
        // answers; these took none of its time and are counted in depot_edge_cache_hits_total.
        if let log = cache.accessLog {
            let path = request.uri.firstIndex(of: "?").map { String(request.uri[..<$0]) } ?? request.uri
            log.record(AccessLog.Entry(time: now, method: "GET", path: path, status: notModified ? 304 : 200, duration: .zero, bytes: bytes))
        }
        return true
    }

    /// The request's `If-None-Match`, repeated fields joined as `HTTPFields` joins them; nil without one.
    private static func ifNoneMatch(_ request: HTTPRequestHead) -> String? {
        let values = request.headers["if-none-match"]
        return values.isEmpty ? nil : values.joined(separator: ", ")
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var response):
            guard response.status.code >= 200 else { break }
            guard let markText = response.headers.first(name: Self.markerName) else {
                capture = nil
                break
            }
            response.headers.remove(name: Self.markerName)
            if response.status == .ok, let request = pending.first, let key = request.key, let mark = EdgeMark(headerValue: markText) {
                capture = Capture(key: key, generation: request.generation, head: response, mark: mark, body: nil)
                // The whole answer to a revalidation: kept, and the client gets the 304 it asked for.
                if let tags = request.ifNoneMatch, let etag = response.headers.first(name: "etag"), EntityTag.matches(tags, etag),
                    let notModified = response.notModified
                {
                    withholdingBody = true
                    context.write(wrapOutboundOut(.head(notModified)), promise: promise)
                    return
                }
            } else {
                capture = nil
            }
            context.write(wrapOutboundOut(.head(response)), promise: promise)
            return
        case .body(let part):
            if var kept = capture {
                if case .byteBuffer(let buffer) = part, (kept.body?.readableBytes ?? 0) + buffer.readableBytes <= EdgeCache.maxBodySize {
                    if kept.body == nil { kept.body = buffer } else { kept.body!.writeImmutableBuffer(buffer) }
                    capture = kept
                } else {
                    capture = nil
                }
            }
            if withholdingBody {
                promise?.succeed(())
                return
            }
        case .end(let trailers):
            // Only a whole answer is kept: one the application cut short of its Content-Length, or that ends in
            // trailers, goes out as it is but is not given again.
            if let kept = capture, trailers == nil,
                kept.head.headers.first(name: "content-length").map({ Int($0) == (kept.body?.readableBytes ?? 0) }) ?? true
            {
                cache.store(key: kept.key, head: kept.head, body: kept.body ?? ByteBuffer(), generation: kept.generation, mark: kept.mark)
            }
            capture = nil
            withholdingBody = false
            if !pending.isEmpty { pending.removeFirst() }
        }
        context.write(data, promise: promise)
    }
}

@available(*, unavailable)
extension EdgeCacheHandler: Sendable {}
