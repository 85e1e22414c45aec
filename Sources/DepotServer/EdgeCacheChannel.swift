import DepotHTTP
import HummingbirdCore
import Logging
import NIOCore

/// Puts an `EdgeCacheHandler` on each plain HTTP/1 connection, right after Hummingbird's connection state handler:
/// there it sees only whole requests and its answers still count for the idle time-out and graceful shutdown.
/// (TLS connections choose HTTP/1.1 or HTTP/2 after the handshake, inside Hummingbird's set-up; they go without.)
struct EdgeCacheChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base
    let cache: EdgeCache

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            guard cache.isEnabled else { return value }
            let state = try channel.pipeline.syncOperations.handler(type: HTTPConnectionStateHandler.self)
            try channel.pipeline.syncOperations.addHandler(EdgeCacheHandler(cache: cache), position: .after(state))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension EdgeCacheChannel: HTTPChannelHandler where Base: HTTPChannelHandler {
    var responder: HTTPChannelHandler.Responder { base.responder }
}
