import Foundation

/// A package as a repository sees it: its own versions, then its upstreams', then its external
/// connection's, one entry per version (the nearest source wins).
public struct PackageView: Sendable {
    public struct Entry: Sendable {
        public enum Source: Sendable {
            /// Recorded in this repository or an upstream repository (named).
            case stored(repository: String, PackageVersion)
            /// Offered by an external connection, not fetched yet.
            case upstream(connection: String, UpstreamVersion)
        }

        public var version: String
        public var status: VersionStatus
        public var publishedAt: Date
        public var summary: String?
        /// The format's per-version document.
        public var metadata: Data
        public var source: Source

        /// True when the version is recorded in the repository that was asked.
        public var isLocal: Bool
        /// The external connection's offer of the same version when a stored entry won: formats whose
        /// versions have many files (PyPI) list the files not fetched yet from it.
        public var alsoUpstream: UpstreamVersion?
    }

    public var entries: [Entry]
    /// Tags merged nearest-first, each pointing at a version among `entries`.
    public var tags: [String: String]
    /// The package record of the repository that was asked, if it has one.
    public var local: Package?
    /// Changes whenever anything the view was built from changes: a cache key and ETag seed.
    public var fingerprint: String
    /// True when an external connection was asked: its document can change without a change on the feed (a
    /// refresh after its time to live), so answers made from this view are not kept at the edge.
    public var consultsExternal = false

    public var isEmpty: Bool { entries.isEmpty }
}
