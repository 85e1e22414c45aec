import GRDB

enum M003CreatePackages: SchemaMigration {
    static let identifier = "003-create-packages"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE packages (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                repository_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
                format TEXT NOT NULL,
                namespace TEXT NOT NULL DEFAULT '',
                name TEXT NOT NULL,
                origin_publish TEXT NOT NULL,
                origin_upstream TEXT NOT NULL,
                revision INTEGER NOT NULL DEFAULT 1,
                created_at REAL NOT NULL,
                modified_at REAL NOT NULL,
                UNIQUE (repository_id, format, namespace, name)
            );
            CREATE TABLE package_versions (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                package_id INTEGER NOT NULL REFERENCES packages(id) ON DELETE CASCADE,
                version TEXT NOT NULL,
                status TEXT NOT NULL,
                origin_type TEXT NOT NULL,
                origin_repository TEXT NOT NULL,
                published_at REAL NOT NULL,
                summary TEXT,
                metadata BLOB NOT NULL,
                UNIQUE (package_id, version)
            );
            CREATE TABLE assets (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                version_id INTEGER NOT NULL REFERENCES package_versions(id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                size INTEGER NOT NULL,
                md5 TEXT NOT NULL,
                sha1 TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                sha512 TEXT NOT NULL,
                UNIQUE (version_id, name)
            );
            CREATE INDEX assets_sha256 ON assets(sha256);
            CREATE TABLE package_tags (
                package_id INTEGER NOT NULL REFERENCES packages(id) ON DELETE CASCADE,
                tag TEXT NOT NULL,
                version TEXT NOT NULL,
                PRIMARY KEY (package_id, tag)
            );
            """)
    }
}
