import DepotCore
import DepotStorage
import Foundation
import Testing

@Suite("Schema migrations")
struct MigrationTests {
    static let expected = [
        "001-create-domains", "002-create-repositories", "003-create-packages", "004-create-tokens",
        "005-create-upstream-documents", "006-create-builds", "007-add-token-parent", "008-add-listing-indexes",
        "009-create-version-properties", "010-create-pipelines", "011-create-search-index", "012-create-resource-tags",
        "013-add-build-overrides",
    ]

    @Test("a fresh database gets all migrations, in order")
    func freshDatabase() throws {
        let fixture = try StorageFixture()
        #expect(try fixture.store.appliedMigrations() == Self.expected)
        #expect(FileManager.default.fileExists(atPath: fixture.databasePath))
    }

    @Test("re-opening the same file does not fail, re-run anything or lose data")
    func reopen() async throws {
        let fixture = try StorageFixture()
        _ = try await fixture.repositories.createDomain(name: "acme")

        let second = try SQLiteMetadataStore(path: fixture.databasePath)
        #expect(try second.appliedMigrations() == Self.expected)
        #expect(try await second.listDomains().map(\.name) == ["acme"])

        let third = try SQLiteMetadataStore(path: fixture.databasePath)
        #expect(try third.appliedMigrations() == Self.expected)
    }
}
