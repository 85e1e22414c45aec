import DepotCore
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers a connection's repeatable reads from the `EdgeCache` on the event loop, and keeps the answers the
/// application marked. It sits right in front of the application (after Hummingbird's connection state handler, so
/// idle time-outs and graceful shutdown see every request), one per HTTP/1 connection.
///
/// A request is answered here only when no earlier request of the connection is still being answered (HTTP/1
/// responses go out in request order) and the connection is writable; otherwise, and on a miss, it goes to the
/// application unchanged. Writability is the back-pressure: a client that pipelines requests without reading the
/// answers would otherwise make this queue answers without end, while the application's writer waits for the
/// socket and then stops reading from it.
public final class EdgeCacheHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

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
        var head: HTTPResponse
        var mark: EdgeMark
        var body: ByteBuffer?
    }

    private let cache: EdgeCache
    private var pending: [Pending] = []
    private var capture: Capture?
    /// The rest of a request answered here (its end) is not passed on.
    private var swallowing = false
    /// The body of a whole answer given to the client as a 304 is not written.
    private var withholdingBody = false
    private var peerTrusted = false
    private var date = HTTPDateText()

    public init(cache: EdgeCache) {
        self.cache = cache
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        peerTrusted = cache.isTrusted(context.channel.remoteAddress)
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(var request):
            swallowing = false
            let key = EdgeRequestKey(request, peerTrusted: peerTrusted)
            let generation = cache.generation
            if pending.isEmpty, context.channel.isWritable, let key, answer(request, key: key, context: context) {
                swallowing = true
                return
            }
            // The marker on a request is this handler's word to the application, never a client's.
            if request.headerFields[EdgeCache.marker] != nil { request.headerFields[EdgeCache.marker] = nil }
            var ifNoneMatch: String?
            if key != nil, let tags = request.headerFields[.ifNoneMatch] {
                ifNoneMatch = tags
                request.headerFields[EdgeCache.marker] = EdgeCache.wantsWholeAnswer
            }
            pending.append(Pending(key: key, generation: generation, ifNoneMatch: ifNoneMatch))
            context.fireChannelRead(wrapInboundOut(.head(request)))
        case .body, .end:
            if swallowing { return }
            context.fireChannelRead(data)
        }
    }

    /// Writes the kept answer (200, or 304 when `If-None-Match` names its ETag); false on a miss.
    private func answer(_ request: HTTPRequest, key: EdgeRequestKey, context: ChannelHandlerContext) -> Bool {
        let (now, dateText) = date.now()
        guard let entry = cache.entry(forKey: key, now: now) else { return false }
        let notModified = entry.etag.map { EntityTag.matches(request.headerFields[.ifNoneMatch], $0) } ?? false
        var head = notModified ? entry.notModifiedHead : entry.head
        head.headerFields[.date] = dateText
        let handles = notModified ? entry.notModified : entry.ok
        let bytes = notModified ? 0 : entry.body.readableBytes
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if bytes > 0 { context.write(wrapOutboundOut(.body(entry.body)), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        cache.recordHit()
        handles.requests.increment()
        handles.bytes.increment(by: Int64(bytes))
        // No duration: the histogram (behind a lock both event loops would contend for) times the application's
        // answers; these took none of its time and are counted in depot_edge_cache_hits_total.
        if let log = cache.accessLog, let path = request.path {
            let bare = path.firstIndex(of: "?").map { String(path[..<$0]) } ?? path
            log.record(AccessLog.Entry(time: now, method: "GET", path: bare, status: Int(head.status.code), duration: .zero, bytes: bytes))
        }
        return true
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var response):
            guard response.status.kind != .informational else { break }
            guard let markText = response.headerFields[EdgeCache.marker] else {
                capture = nil
                break
            }
            response.headerFields[EdgeCache.marker] = nil
            if response.status == .ok, let request = pending.first, let key = request.key, let mark = EdgeMark(headerValue: markText) {
                capture = Capture(key: key, generation: request.generation, head: response, mark: mark, body: nil)
                // The whole answer to a revalidation: kept, and the client gets the 304 it asked for.
                if let tags = request.ifNoneMatch, let etag = response.headerFields[.eTag], EntityTag.matches(tags, etag) {
                    withholdingBody = true
                    let notModified = response.notModified
                    context.write(wrapOutboundOut(.head(notModified)), promise: promise)
                    return
                }
            } else {
                capture = nil
            }
            context.write(wrapOutboundOut(.head(response)), promise: promise)
            return
        case .body(let buffer):
            if var kept = capture {
                if (kept.body?.readableBytes ?? 0) + buffer.readableBytes > EdgeCache.maxBodySize {
                    capture = nil
                } else {
                    if kept.body == nil { kept.body = buffer } else { kept.body!.writeImmutableBuffer(buffer) }
                    capture = kept
                }
            }
            if withholdingBody {
                promise?.succeed(())
                return
            }
        case .end:
            if let kept = capture {
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
