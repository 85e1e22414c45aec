import Synchronization

/// What changed in the metadata store, as narrowly as the writer knows it. Caches drop exactly what a change
/// affects; `.everything` is for a subscriber that may have missed events (a replica reconnecting to the feed).
public enum MetadataChange: Sendable, Hashable {
    /// A domain was created or deleted (a deletion takes its repositories, packages and tokens with it).
    case domains
    /// A repository was created, updated (upstreams, external connection, anonymous read) or deleted; the domain
    /// is nil when the writer did not know it.
    case repository(domainID: Int64?, repositoryID: Int64)
    /// A package changed: a version published, deleted, disposed, its status, metadata, tags or origin controls.
    /// `location` is known when the writer had it (a publish); otherwise caches find it from `packageID`.
    case package(packageID: Int64?, location: PackageLocation?)
    /// Tokens were revoked (a revocation cascades to children the writer does not enumerate).
    case tokensRevoked
    /// A domain's or a repository's resource tags changed (no cache holds them; replicas and renderers may care).
    case resourceTags(TaggedResource)
    case everything
}

/// Where a package lives: what a `package(repositoryID:key:)` lookup is keyed by.
public struct PackageLocation: Sendable, Hashable {
    public var repositoryID: Int64
    public var key: PackageKey

    public init(repositoryID: Int64, key: PackageKey) {
        self.repositoryID = repositoryID
        self.key = key
    }
}

/// The change feed port: every metadata write is announced here, and in-memory caches subscribe instead of
/// polling the store. The in-process feed delivers to its subscribers before `publish` returns, so the writer's
/// response is sent only after every cache has forgotten the old state ("visible on the very next request").
/// A feed for replicas sharing a database (PostgreSQL `LISTEN/NOTIFY`) delivers its own process's changes the
/// same way and relays the others' as they arrive, sending `.everything` after a reconnect.
public protocol ChangeFeed: Sendable {
    func publish(_ change: MetadataChange)
    /// `handler` runs for every change, on the publishing thread; it must be quick and must not block.
    func subscribe(_ handler: @escaping @Sendable (MetadataChange) -> Void)
}

/// The feed of a single process.
public final class InProcessChangeFeed: ChangeFeed {
    private let handlers = Mutex<[@Sendable (MetadataChange) -> Void]>([])

    public init() {}

    public func publish(_ change: MetadataChange) {
        for handler in handlers.withLock({ $0 }) { handler(change) }
    }

    public func subscribe(_ handler: @escaping @Sendable (MetadataChange) -> Void) {
        handlers.withLock { $0.append(handler) }
    }
}
