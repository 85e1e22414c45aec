import GRDB

enum M007AddTokenParent: SchemaMigration {
    static let identifier = "007-add-token-parent"

    static func migrate(_ db: Database) throws {
        // The token that minted each token: revocation cascades down this tree. Tokens minted before this
        // migration have no recorded parent.
        try db.execute(sql: """
            ALTER TABLE tokens ADD COLUMN parent_id TEXT;
            CREATE INDEX tokens_parent ON tokens(parent_id);
            """)
    }
}
