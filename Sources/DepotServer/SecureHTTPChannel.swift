import DepotHTTP
import HummingbirdCore
import HummingbirdHTTP2
import Logging
import NIOCore
import NIOHTTP2
import NIOSSL
import NIOTLS

/// TLS with ALPN choosing HTTP/2 or HTTP/1.1, as Hummingbird's `HTTP2UpgradeChannel` does, but with Depot's own
/// HTTP/1.1 set-up: an HTTP/1.1 connection over TLS gets the edge cache like a plain one (npm, pip and most Maven
/// transports speak HTTP/1.1). Hummingbird's channel keeps the negotiated pipeline to itself, so nothing can be
/// added to it from outside once ALPN has chosen.
struct SecureHTTPChannel: ServerChildChannel, HTTPChannelHandler {
    enum Negotiated: Sendable {
        case http1(HTTP1Channel.Value)
        case http2(HTTP2Channel.Value)
    }

    struct Value: ServerChildChannelValue {
        let negotiated: EventLoopFuture<Negotiated>
        let channel: any Channel
    }

    private let context: NIOSSLContext
    private let http1: HandlerAddingChannel<HTTP1Channel>
    private let http2: HTTP2Channel

    var responder: Responder { http1.responder }

    init(tls: TLSConfiguration, configuration: HTTP2ChannelConfiguration, edgeCache: EdgeCache?, responder: @escaping Responder) throws {
        var tls = tls
        tls.applicationProtocols = NIOHTTP2SupportedALPNProtocols
        context = try NIOSSLContext(configuration: tls)
        let plain = HTTP1Channel(responder: responder, configuration: configuration.streamConfiguration)
        http1 = edgeCache.map { HandlerAddingChannel.edgeCache(plain, cache: $0) } ?? HandlerAddingChannel(base: plain) { _ in }
        http2 = HTTP2Channel(responder: responder, configuration: configuration)
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let pipeline = channel.pipeline.syncOperations
            try pipeline.addHandler(NIOSSLServerHandler(context: context))
            // The chosen protocol's pipeline is set up on the event loop before any buffered request is passed on.
            let negotiation = NIOTypedApplicationProtocolNegotiationHandler<Negotiated> { [http1, http2] result in
                switch result {
                case .negotiated("h2"):
                    return http2.setup(channel: channel, logger: logger).map { .http2($0) }
                case .negotiated("http/1.1"), .fallback:
                    return http1.setup(channel: channel, logger: logger).map { .http1($0) }
                case .negotiated:
                    return channel.close().flatMapThrowing { throw NIOHTTP2Errors.invalidALPNToken() }
                }
            }
            try pipeline.addHandler(negotiation)
            return Value(negotiated: negotiation.protocolNegotiationResult, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.negotiated.get() {
            case .http1(let connection): await http1.handle(value: connection, logger: logger)
            case .http2(let connection): await http2.handle(value: connection, logger: logger)
            }
        } catch {
            logger.debug("TLS connection ended before a protocol was chosen: \(error)")
        }
    }
}
