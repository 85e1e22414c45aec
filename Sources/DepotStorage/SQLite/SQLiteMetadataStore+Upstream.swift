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

    public func listUpstreamDocuments(prefix: String, after: String?, limit: Int) async throws -> [CachedUpstreamDocument] {
        // A range of the primary key: from the prefix (or the last key seen) to the first key past the prefix.
        var conditions = ["substr(cache_key, 1, length(?)) = ?"]
        var arguments: StatementArguments = [prefix, prefix]
        if let after {
            guard after.hasPrefix(prefix) else { return [] }
            conditions.append("cache_key > ?")
            arguments += [after]
        } else {
            conditions.append("cache_key >= ?")
            arguments += [prefix]
        }
        if let end = Self.keysAfter(prefix: prefix) {
            conditions.append("cache_key < ?")
            arguments += [end]
        }
        let sql = """
            SELECT cache_key, status, X'' AS body, etag, last_modified, fetched_at FROM upstream_documents
            WHERE \(conditions.joined(separator: " AND ")) ORDER BY cache_key LIMIT \(max(limit, 0))
            """
        let finalArguments = arguments
        return try await read { db in try Row.fetchAll(db, sql: sql, arguments: finalArguments).map(Self.document) }
    }

    /// The smallest string greater than every string starting with `prefix` (its last character's successor), or
    /// nil when there is none.
    static func keysAfter(prefix: String) -> String? {
        var scalars = Array(prefix.unicodeScalars)
        while let last = scalars.popLast() {
            var next = last.value + 1
            if (0xD800...0xDFFF).contains(next) { next = 0xE000 }
            if let successor = Unicode.Scalar(next) { return String(String.UnicodeScalarView(scalars + [successor])) }
        }
        return nil
    }

    static func document(_ row: Row) -> CachedUpstreamDocument {
        CachedUpstreamDocument(
            cacheKey: row["cache_key"], status: row["status"], body: row["body"] ?? Data(), etag: row["etag"],
            lastModified: row["last_modified"], fetchedAt: Date(timeIntervalSince1970: row["fetched_at"]))
    }
}
