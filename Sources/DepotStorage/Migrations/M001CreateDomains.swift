import GRDB

enum M001CreateDomains: SchemaMigration {
    static let identifier = "001-create-domains"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE domains (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                name TEXT NOT NULL UNIQUE,
                created_at REAL NOT NULL
            )
            """)
    }
}
