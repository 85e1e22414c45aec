import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import Synchronization

/// Connection-level limits (`limits.*`): without them idle or trickling TCP connections are held forever and
/// enough of them exhaust the server's file descriptors.
public struct ConnectionLimits: Sendable, Equatable {
    /// All header fields of a request together (and any single field), in bytes. Over it: 431.
    public var maxHeaderSize = 64 << 10
    /// Header fields of one request. Over it: 431.
    public var maxHeaderCount = 100
    /// Longest wait for a new connection's first request head to be complete (slowloris). 0 turns it off.
    public var headerTimeout: TimeInterval = 30
    /// Longest silence on a connection between requests (keep-alive) or while a request body arrives. 0 turns it off.
    public var idleTimeout: TimeInterval = 60
    /// Connections open at once; one more gets a 503 and is closed.
    public var maxConnections = 4096

    public init() {}

    public var idleTimeAmount: TimeAmount? {
        idleTimeout > 0 ? .nanoseconds(Int64(idleTimeout * 1e9)) : nil
    }
}

/// The connections open now, shared by every connection's `ConnectionGuardHandler`.
public final class ConnectionCounter: Sendable {
    public let limit: Int
    private let open = Mutex(0)

    public init(limit: Int) {
        self.limit = limit
    }

    public var current: Int { open.withLock { $0 } }

    func acquire() -> Bool {
        open.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    func release() {
        open.withLock { $0 -= 1 }
    }
}

/// The connection-level handlers of the HTTP/1 pipeline (after the codec), in order. Whoever builds the server
/// (plain or TLS) adds these. One handler does all of it: each one more costs every request a hop in and out.
public func connectionHandlers(limits: ConnectionLimits, counter: ConnectionCounter) -> [any RemovableChannelHandler] {
    [ConnectionGuardHandler(limits: limits, counter: counter)]
}

/// Counts the connection against `maxConnections` (over it: 503 and close), closes a connection whose first request
/// head is not complete within `headerTimeout`, and answers header overflow (431) and unparsable requests (400)
/// instead of dropping the connection without a word.
///
/// It also answers `Expect: 100-continue` with `HTTP/1.1 100 Continue`, so clients that wait for it (Maven's
/// transport, curl for large bodies) send the body at once instead of after their 1-3 s timeout; Hummingbird has no
/// support for it. The 100 is sent when the request head arrives, before any handler decides anything: a client that
/// got 100 always sends its body, so a final response that does not read it (401, 404) still leaves the connection
/// in step. With pipelining the 100 of a request is held back until every earlier response has been written,
/// because responses (informational ones too) must go out in request order.
final class ConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let limits: ConnectionLimits
    private let counter: ConnectionCounter
    private var started = false
    private var counted = false
    private var rejected = false
    private var sawHead = false
    /// Requests read whose final response has not ended, oldest first; `true` while a 100 is owed. An error answer
    /// may only go out when nothing else is being written.
    private var owed: [Bool] = []
    private var headerTimer: Scheduled<Void>?
    private var idleTimer: Scheduled<Void>?
    /// When a request part was last read or a response last ended here.
    private var lastActivity = NIODeadline.now()
    /// A request head has been read and not yet its end (a body may be arriving).
    private var reading = false
    /// Requests the edge cache answered below since the idle check last looked (`requestAnsweredBelow`).
    private var answeredBelow = 0

    init(limits: ConnectionLimits, counter: ConnectionCounter) {
        self.limits = limits
        self.counter = counter
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish()
    }

    private func start(context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        guard counter.acquire() else {
            reject(context: context)
            return
        }
        counted = true
        if limits.headerTimeout > 0 {
            headerTimer = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(limits.headerTimeout * 1e9))) {
                // The first request head did not arrive in time: a slow or silent client gives up its slot.
                if !self.sawHead { context.close(promise: nil) }
            }
        }
        if let idle = limits.idleTimeAmount { scheduleIdleCheck(in: idle, context: context) }
    }

    /// Over the connection cap: every request must reach this handler, which closes the connection.
    var isRefusing: Bool { rejected }

    /// A request the edge cache answered below this handler, which never saw it: the connection is in use.
    func requestAnsweredBelow() {
        answeredBelow &+= 1
        sawRequestHead()
    }

    /// The first request head ends the wait for it (`headerTimeout`).
    private func sawRequestHead() {
        guard !sawHead else { return }
        sawHead = true
        headerTimer?.cancel()
        headerTimer = nil
    }

    private func scheduleIdleCheck(in delay: TimeAmount, context: ChannelHandlerContext) {
        idleTimer = context.eventLoop.assumeIsolated().scheduleTask(in: delay) { self.checkIdle(context: context) }
    }

    /// Closes a connection silent for `idleTimeout`: between requests (keep-alive) or in the middle of a request's
    /// body; never while a response is being written. Requests answered by the edge cache are counted, not timed
    /// (they cost no clock read), so a connection that only had those closes between one and two time-outs later.
    private func checkIdle(context: ChannelHandlerContext) {
        guard let idle = limits.idleTimeAmount else { return }
        let now = NIODeadline.now()
        // Busy: a response is being written (an earlier request's while a later one's body may be waiting).
        if answeredBelow != 0 || (!owed.isEmpty && (!reading || owed.count > 1)) {
            answeredBelow = 0
            lastActivity = now
        }
        let quiet = now - lastActivity
        if quiet >= idle {
            context.close(promise: nil)
        } else {
            scheduleIdleCheck(in: idle - quiet, context: context)
        }
    }

    private func finish() {
        headerTimer?.cancel()
        headerTimer = nil
        idleTimer?.cancel()
        idleTimer = nil
        if counted {
            counted = false
            counter.release()
        }
    }

    /// Over the limit: the 503 goes out at once (the client reads it whenever it looks), and the connection is closed
    /// once the request head has been read, or after a second, so closing does not reset a request in flight.
    private func reject(context: ChannelHandlerContext) {
        rejected = true
        respond(.serviceUnavailable, code: "TooManyConnections", "the server has too many open connections; retry later", context: context)
        context.eventLoop.assumeIsolated().scheduleTask(in: .seconds(1)) { context.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if rejected {
            if case .head = part { context.close(promise: nil) }
            return
        }
        lastActivity = .now()
        switch part {
        case .head(let head):
            reading = true
            owed.append(ExpectContinue.expectsContinue(head))
            sawRequestHead()
            if owed.count == 1 { sendContinueIfOwed(context: context) }
        case .body:
            break
        case .end:
            reading = false
            // The client sent the whole body without waiting: a late 100 would be noise.
            if !owed.isEmpty { owed[owed.count - 1] = false }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let response) where response.status.kind == .informational:
            context.write(data, promise: promise)
        case .head:
            // The final response has started: the client no longer needs a 100 for this request.
            if !owed.isEmpty { owed[0] = false }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            context.write(data, promise: promise)
            lastActivity = .now()
            if !owed.isEmpty { owed.removeFirst() }
            sendContinueIfOwed(context: context)
        }
    }

    private func sendContinueIfOwed(context: ChannelHandlerContext) {
        guard owed.first == true else { return }
        owed[0] = false
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, !rejected else {
            context.fireErrorCaught(error)
            return
        }
        // The decoder cannot go on after an error: answer if nothing else is being written, then close.
        if owed.isEmpty {
            if parserError == .headerOverflow {
                respond(
                    .init(code: 431, reasonPhrase: "Request Header Fields Too Large"), code: "HeadersTooLarge",
                    "the request headers exceed \(limits.maxHeaderSize) bytes or \(limits.maxHeaderCount) fields", context: context)
            } else {
                respond(.badRequest, code: "MalformedRequest", "the request is not valid HTTP/1.1", context: context)
            }
        } else {
            context.close(promise: nil)
        }
    }

    /// Writes a complete error response in the registry error style, then closes the connection.
    private func respond(_ status: HTTPResponse.Status, code: String, _ message: String, context: ChannelHandlerContext) {
        let body = (try? JSONSerialization.data(withJSONObject: ["error": message, "code": code], options: [.sortedKeys])) ?? Data()
        var head = HTTPResponse(status: status)
        head.headerFields[.contentType] = "application/json"
        head.headerFields[.contentLength] = String(body.count)
        head.headerFields[.connection] = "close"
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(ByteBuffer(bytes: body))), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        if !rejected {
            written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }
}
