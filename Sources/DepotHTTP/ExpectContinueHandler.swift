import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTPTypes

/// Answers `Expect: 100-continue` with `HTTP/1.1 100 Continue` so clients that wait for it (Maven's transport,
/// curl for large bodies) send the body at once instead of after their 1-3 s timeout. Hummingbird has no support
/// for it; this sits in the HTTP/1 pipeline after the codec (`HTTP1Channel.Configuration.additionalChannelHandlers`).
///
/// The 100 is sent when the request head arrives, before any handler decides anything: a client that got 100 always
/// sends its body, so a final response that does not read it (401, 404) still leaves the connection in step.
/// With pipelining the 100 of a request is held back until every earlier response has been written, because
/// responses (informational ones too) must go out in request order.
public final class ExpectContinueHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    /// Requests whose final response has not been completely written, oldest first; `true` while a 100 is owed.
    private var owed: [Bool] = []

    public init() {}

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            owed.append(Self.expectsContinue(head))
            if owed.count == 1 { sendContinueIfOwed(context: context) }
        case .body:
            break
        case .end:
            // The client sent the whole body without waiting: a late 100 would be noise.
            if !owed.isEmpty { owed[owed.count - 1] = false }
        }
        context.fireChannelRead(data)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
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
            if !owed.isEmpty { owed.removeFirst() }
            sendContinueIfOwed(context: context)
        }
    }

    private func sendContinueIfOwed(context: ChannelHandlerContext) {
        guard owed.first == true else { return }
        owed[0] = false
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
    }

    /// `Expect: 100-continue`, compared case-insensitively (RFC 9110 §10.1.1).
    static func expectsContinue(_ head: HTTPRequest) -> Bool {
        head.headerFields[values: .expect].contains { ExpectationMiddleware.isContinue($0) }
    }
}

@available(*, unavailable)
extension ExpectContinueHandler: Sendable {}

/// Answers 417 to an `Expect` other than `100-continue` (the only expectation HTTP defines), without reading the
/// body. The response asks the client to close the connection since it may still be holding the body back.
public struct ExpectationMiddleware: RouterMiddleware {
    public typealias Context = DepotRequestContext

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let values = request.headers[values: .expect]
        guard values.allSatisfy(Self.isContinue) else {
            var headers = HTTPFields()
            headers[.connection] = "close"
            headers[.contentType] = "text/plain; charset=utf-8"
            let message = "only the expectation 100-continue is supported\n"
            return Response(
                status: .expectationFailed, headers: headers, body: .init(byteBuffer: ByteBuffer(string: message)))
        }
        return try await next(request, context)
    }

    static func isContinue(_ value: String) -> Bool {
        value.trimmingCharacters(in: .whitespaces).lowercased() == "100-continue"
    }
}
