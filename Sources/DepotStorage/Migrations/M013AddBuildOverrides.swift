import GRDB

enum M013AddBuildOverrides: SchemaMigration {
    static let identifier = "013-add-build-overrides"

    static func migrate(_ db: Database) throws {
        // What a build changed of its project (environment, inline buildspec, source version), as one JSON document,
        // so that a retry runs the same build again. Builds recorded before this migration overrode nothing shown.
        try db.execute(sql: "ALTER TABLE builds ADD COLUMN overrides TEXT")
    }
}
