import GRDB

/// Per-format facts about a version that must be queried (a Swift package's source-control URLs, a Maven plugin's
/// prefix, a crate's features), stored as name/value pairs and indexed by value, so a lookup never re-reads blobs or
/// scans every version's metadata.
enum M009CreateVersionProperties: SchemaMigration {
    static let identifier = "009-create-version-properties"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE version_properties (
                version_id INTEGER NOT NULL REFERENCES package_versions(id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (version_id, name, value)
            ) WITHOUT ROWID;
            CREATE INDEX version_properties_lookup ON version_properties(name, value, version_id);
            """)
    }
}
