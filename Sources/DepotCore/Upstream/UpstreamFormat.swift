import Foundation

/// What a format supplies so the core can proxy and cache its public registry.
public protocol UpstreamFormat: Sendable {
    var formatID: String { get }
    /// The external connection this format reaches (`public:npmjs`, ...).
    var connectionName: String { get }
    /// The package's metadata document at an upstream rooted at `base`, and the `Accept` header to send.
    func metadataRequest(for key: PackageKey, base: URL) -> (url: URL, accept: String)
    /// Parses that document; throws on anything malformed (the document is then never cached).
    func parseMetadata(_ body: Data, key: PackageKey, documentURL: URL) throws -> UpstreamPackage
    /// A file the metadata does not list but the upstream layout locates (Maven artifacts); nil otherwise.
    func unlistedAsset(key: PackageKey, version: String, name: String, base: URL) -> UpstreamAsset?
    /// The per-version document stored when `asset` of `version` is recorded here. `file` holds the
    /// downloaded, verified bytes (PyPI reads a wheel's METADATA from it).
    func recordedMetadata(for version: UpstreamVersion, asset: UpstreamAsset, file: URL?) throws -> Data
}
