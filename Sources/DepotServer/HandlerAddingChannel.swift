import DepotHTTP
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypesHTTP1

/// A child channel that adds handlers to the pipeline its base has just set up (the base's own handlers are there
/// to be found, and no byte has been read yet).
struct HandlerAddingChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base
    let add: @Sendable (ChannelPipeline.SynchronousOperations) throws -> Void

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            try add(channel.pipeline.syncOperations)
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HandlerAddingChannel: HTTPChannelHandler where Base: HTTPChannelHandler {
    var responder: HTTPChannelHandler.Responder { base.responder }
}

extension HandlerAddingChannel {
    /// An `EdgeCacheHandler` on an HTTP/1.1 connection (plain, or over TLS once ALPN chose it: `SecureHTTPChannel`),
    /// right above NIO's HTTP/1 decoder and encoder, below the conversion to HTTPTypes. HTTP/2 streams go without.
    static func edgeCache(_ base: Base, cache: EdgeCache) -> Self {
        HandlerAddingChannel(base: base) { pipeline in
            guard cache.isEnabled else { return }
            let codec = try pipeline.handler(type: HTTP1ToHTTPServerCodec.self)
            try pipeline.addHandler(EdgeCacheHandler(cache: cache), position: .before(codec))
        }
    }
}
