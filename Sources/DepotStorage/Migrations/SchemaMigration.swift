import GRDB

/// One schema change; each lives in its own file and is listed, in order, in `SchemaMigrations.all`.
protocol SchemaMigration: Sendable {
    static var identifier: String { get }
    static func migrate(_ db: Database) throws
}

enum SchemaMigrations {
    static let all: [any SchemaMigration.Type] = [
        M001CreateDomains.self,
        M002CreateRepositories.self,
        M003CreatePackages.self,
        M004CreateTokens.self,
        M005CreateUpstreamDocuments.self,
        M006CreateBuilds.self,
        M007AddTokenParent.self,
        M008AddListingIndexes.self,
        M009CreateVersionProperties.self,
        M010CreatePipelines.self,
        M011CreateSearchIndex.self,
        M012CreateResourceTags.self,
        M013AddBuildOverrides.self,
    ]

    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in all {
            migrator.registerMigration(migration.identifier) { db in try migration.migrate(db) }
        }
        return migrator
    }
}
