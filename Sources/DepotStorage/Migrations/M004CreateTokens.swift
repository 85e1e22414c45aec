import GRDB

enum M004CreateTokens: SchemaMigration {
    static let identifier = "004-create-tokens"

    static func migrate(_ db: Database) throws {
        // Only the SHA-256 of a secret is kept. `domain` is NULL for the bootstrap admin token.
        try db.execute(sql: """
            CREATE TABLE tokens (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                secret_hash TEXT NOT NULL UNIQUE,
                domain TEXT,
                repositories TEXT,
                permissions TEXT NOT NULL,
                created_at REAL NOT NULL,
                expires_at REAL,
                revoked_at REAL
            );
            CREATE INDEX tokens_domain ON tokens(domain);
            """)
    }
}
