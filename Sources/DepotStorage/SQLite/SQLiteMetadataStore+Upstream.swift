import DepotCore
import Foundation
import GRDB

extension SQLiteMetadataStore: UpstreamDocumentStore {
    public func upstreamDocument(cacheKey: String) async throws -> CachedUpstreamDocument? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM upstream_documents WHERE cache_key = ?", arguments: [cacheKey]).map(Self.document)
        }
    }

    public func saveUpstreamDocument(_ document: CachedUpstreamDocument) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO upstream_documents (cache_key, status, body, etag, last_modified, fetched_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(cache_key) DO UPDATE SET status = excluded.status, body = excluded.body,
                        etag = excluded.etag, last_modified = excluded.last_modified, fetched_at = excluded.fetched_at
                    """,
                arguments: [
                    document.cacheKey, document.status, document.body, document.etag, document.lastModified,
                    document.fetchedAt.timeIntervalSince1970,
                ])
        }
    }

    public func listUpstreamDocuments(prefix: String) async throws -> [CachedUpstreamDocument] {
        try await read { db in
            // Bodies are left out of listings: they can be megabytes each.
            try Row.fetchAll(
                db,
                sql: """
                    SELECT cache_key, status, X'' AS body, etag, last_modified, fetched_at FROM upstream_documents
                    WHERE substr(cache_key, 1, length(?)) = ? ORDER BY cache_key
                    """,
                arguments: [prefix, prefix]
            ).map(Self.document)
        }
    }

    static func document(_ row: Row) -> CachedUpstreamDocument {
        CachedUpstreamDocument(
            cacheKey: row["cache_key"], status: row["status"], body: row["body"] ?? Data(), etag: row["etag"],
            lastModified: row["last_modified"], fetchedAt: Date(timeIntervalSince1970: row["fetched_at"]))
    }
}
