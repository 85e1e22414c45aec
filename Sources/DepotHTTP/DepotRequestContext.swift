import DepotCore
import Hummingbird
import NIOCore

/// The request context of every route: Hummingbird's core storage plus the caller's identity.
public struct DepotRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller; nil for anonymous requests.
    public var identity: Identity?
    /// Upload limit for bodies that are collected (JSON, metadata); streamed uploads check it as they go.
    public var maxUploadSize: Int
    /// Input limits from the configuration, set by `InputLimitsMiddleware`.
    public var limits = InputLimits()
    /// The peer of the connection (a proxy's address when behind one); nil in router tests.
    public let remoteAddress: SocketAddress?
    /// What a signature middleware verified (AWS Signature Version 4); nil on other routes.
    public var signedRequest: SignedRequest?

    public init(source: Source) {
        coreContext = .init(source: source)
        identity = nil
        maxUploadSize = 2 << 30
        remoteAddress = source.channel.remoteAddress
    }
}

/// A request whose signature was verified: the region its credential scope names (ARNs in the answer use it) and
/// the body the signature covers, collected once within the route's limit so handlers parse it without reading
/// the body again.
public struct SignedRequest: Sendable {
    public var region: String
    public var body: ByteBuffer

    public init(region: String, body: ByteBuffer) {
        self.region = region
        self.body = body
    }
}
