import GRDB

/// Resource tags of domains and repositories (CodeArtifact's TagResource): one table per kind of resource, so each
/// row's owner is a foreign key and the tags go with the domain or repository they label.
enum M012CreateResourceTags: SchemaMigration {
    static let identifier = "012-create-resource-tags"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE domain_tags (
                domain_id INTEGER NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (domain_id, key)
            );
            CREATE TABLE repository_tags (
                repository_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (repository_id, key)
            );
            """)
    }
}
