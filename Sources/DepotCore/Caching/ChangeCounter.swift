import Synchronization

/// Counts the changes seen on the feed: the fingerprint of documents derived from listings, which are not cached
/// (Maven's group-level plugin list). Read it before reading the store: a change after that makes it move on.
public final class ChangeCounter: Sendable {
    private let count = Atomic<UInt64>(0)

    public init(feed: any ChangeFeed) {
        feed.subscribe { [weak self] _ in self?.count.add(1, ordering: .releasing) }
    }

    public var value: UInt64 { count.load(ordering: .acquiring) }
}
