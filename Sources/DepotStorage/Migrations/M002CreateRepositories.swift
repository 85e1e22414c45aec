import GRDB

enum M002CreateRepositories: SchemaMigration {
    static let identifier = "002-create-repositories"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE repositories (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                domain_id INTEGER NOT NULL REFERENCES domains(id) ON DELETE RESTRICT,
                name TEXT NOT NULL,
                description TEXT NOT NULL DEFAULT '',
                external_connection TEXT,
                allow_anonymous_read INTEGER NOT NULL DEFAULT 0,
                created_at REAL NOT NULL,
                UNIQUE (domain_id, name)
            );
            CREATE TABLE repository_upstreams (
                repository_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                upstream_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE RESTRICT,
                PRIMARY KEY (repository_id, position),
                UNIQUE (repository_id, upstream_id)
            );
            """)
    }
}
