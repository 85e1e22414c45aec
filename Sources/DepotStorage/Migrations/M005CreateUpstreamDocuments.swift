import GRDB

/// Cached upstream metadata documents (and remembered 404s), kept across restarts so an unreachable
/// public registry does not break installs that worked before.
enum M005CreateUpstreamDocuments: SchemaMigration {
    static let identifier = "005-create-upstream-documents"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE upstream_documents (
                cache_key TEXT PRIMARY KEY,
                status INTEGER NOT NULL,
                body BLOB NOT NULL,
                etag TEXT,
                last_modified TEXT,
                fetched_at REAL NOT NULL
            );
            """)
    }
}
