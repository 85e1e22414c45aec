import HummingbirdCore
import Logging
import NIOCore
import NIOSSL
import NIOTLS

extension HandlerAddingChannel {
    /// Closes a TLS connection whose handshake does not finish in time. The HTTP limits (header timeout, connection
    /// cap) only start once the handshake and ALPN are done: without this a client could hold a TCP connection
    /// forever by never finishing its ClientHello.
    static func tlsHandshakeDeadline(_ base: Base, timeout: TimeAmount) -> Self {
        HandlerAddingChannel(base: base) { pipeline in
            // After the TLS handler, so that it sees the handshake-completed event; the base set-up added that handler
            // synchronously on this event loop, before the connection is read.
            let tls = try pipeline.handler(type: NIOSSLServerHandler.self)
            try pipeline.addHandler(TLSHandshakeDeadlineHandler(timeout: timeout), position: .after(tls))
        }
    }
}

/// Closes the connection when `TLSUserEvent.handshakeCompleted` has not arrived within `timeout`, then gets out of the way.
final class TLSHandshakeDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context: context)
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // Passed on first: once removed, this context no longer forwards anything (ALPN waits for this event).
        context.fireUserInboundEventTriggered(event)
        if case .handshakeCompleted = event as? TLSUserEvent {
            deadline?.cancel()
            deadline = nil
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    private func arm(context: ChannelHandlerContext) {
        guard deadline == nil else { return }
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: timeout) {
            loopBound.value.close(promise: nil)
        }
    }
}
