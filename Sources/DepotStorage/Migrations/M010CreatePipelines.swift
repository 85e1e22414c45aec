import GRDB

/// Pipelines (definition text and the service's JSON record of their executions) and their events, numbered by
/// rowid so readers page with `?after=`.
enum M010CreatePipelines: SchemaMigration {
    static let identifier = "010-create-pipelines"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE pipelines (
                domain TEXT NOT NULL,
                name TEXT NOT NULL,
                definition TEXT NOT NULL,
                record BLOB NOT NULL,
                created_by TEXT NOT NULL,
                created_at DOUBLE NOT NULL,
                updated_at DOUBLE NOT NULL,
                PRIMARY KEY (domain, name)
            );
            CREATE TABLE pipeline_events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                domain TEXT NOT NULL,
                pipeline TEXT NOT NULL,
                execution_id TEXT NOT NULL,
                time DOUBLE NOT NULL,
                type TEXT NOT NULL,
                stage TEXT,
                action TEXT,
                detail TEXT NOT NULL
            );
            CREATE INDEX pipeline_events_pipeline ON pipeline_events(domain, pipeline, id);
            """)
    }
}
