import GRDB

enum M006CreateBuilds: SchemaMigration {
    static let identifier = "006-create-builds"

    static func migrate(_ db: Database) throws {
        // Build results (phases, reports, artifacts) are one JSON document: they are read whole, never queried.
        // `build_blobs` lists the blobs (logs, artifact zips) a build keeps, so the blob collector spares them.
        try db.execute(sql: """
            CREATE TABLE build_projects (
                domain TEXT NOT NULL,
                name TEXT NOT NULL,
                document TEXT NOT NULL,
                next_number INTEGER NOT NULL DEFAULT 1,
                PRIMARY KEY (domain, name)
            );
            CREATE TABLE builds (
                id TEXT PRIMARY KEY,
                domain TEXT NOT NULL,
                project TEXT NOT NULL,
                number INTEGER NOT NULL,
                status TEXT NOT NULL,
                initiator TEXT NOT NULL,
                queued_at REAL NOT NULL,
                started_at REAL,
                ended_at REAL,
                result TEXT
            );
            CREATE INDEX builds_project ON builds(domain, project, number);
            CREATE TABLE build_blobs (
                build_id TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                PRIMARY KEY (build_id, sha256)
            );
            CREATE INDEX build_blobs_sha256 ON build_blobs(sha256);
            CREATE TABLE build_secrets (
                domain TEXT NOT NULL,
                name TEXT NOT NULL,
                sealed_value BLOB NOT NULL,
                updated_at REAL NOT NULL,
                PRIMARY KEY (domain, name)
            );
            """)
    }
}
