import Foundation

/// A cached upstream metadata document (or a remembered 404), persisted so a restart keeps serving.
public struct CachedUpstreamDocument: Sendable, Equatable {
    /// `<connection>|<format>|<package key>`.
    public var cacheKey: String
    /// 200 or 404.
    public var status: Int
    public var body: Data
    public var etag: String?
    public var lastModified: String?
    public var fetchedAt: Date

    public init(cacheKey: String, status: Int, body: Data, etag: String?, lastModified: String?, fetchedAt: Date) {
        self.cacheKey = cacheKey
        self.status = status
        self.body = body
        self.etag = etag
        self.lastModified = lastModified
        self.fetchedAt = fetchedAt
    }
}

public protocol UpstreamDocumentStore: Sendable {
    func upstreamDocument(cacheKey: String) async throws -> CachedUpstreamDocument?
    func saveUpstreamDocument(_ document: CachedUpstreamDocument) async throws
    /// Up to `limit` documents whose key starts with `prefix`, in key order after the key `after` (operations: what
    /// is cached). Bodies are left out: they can be megabytes each.
    func listUpstreamDocuments(prefix: String, after: String?, limit: Int) async throws -> [CachedUpstreamDocument]
}
