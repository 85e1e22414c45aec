import DepotCore
import Hummingbird

/// The request context of every route: Hummingbird's core storage plus the caller's identity.
public struct DepotRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller; nil for anonymous requests.
    public var identity: Identity?
    /// Upload limit for bodies that are collected (JSON, metadata); streamed uploads check it as they go.
    public var maxUploadSize: Int

    public init(source: Source) {
        coreContext = .init(source: source)
        identity = nil
        maxUploadSize = 2 << 30
    }
}
