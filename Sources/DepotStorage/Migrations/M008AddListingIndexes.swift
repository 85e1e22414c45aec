import GRDB

/// Indexes in the order each management listing pages (keyset pagination reads a range of one of them):
/// packages by namespace, name and format; versions by publication time; tokens by creation time; builds newest
/// first, per domain and per project. Each replaces an index that was a prefix of it.
enum M008AddListingIndexes: SchemaMigration {
    static let identifier = "008-add-listing-indexes"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE INDEX packages_listing ON packages(repository_id, namespace, name, format);
            CREATE INDEX package_versions_published ON package_versions(package_id, published_at);
            DROP INDEX tokens_domain;
            CREATE INDEX tokens_listing ON tokens(domain, created_at, id);
            DROP INDEX builds_project;
            CREATE INDEX builds_listing ON builds(domain, queued_at, id);
            CREATE INDEX builds_project_listing ON builds(domain, project, queued_at, id);
            """)
    }
}
