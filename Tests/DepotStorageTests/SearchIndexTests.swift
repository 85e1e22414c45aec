import DepotCore
import DepotStorage
import Foundation
import GRDB
import Testing

/// Package search answers from the trigram index (`package_terms`), which triggers keep in step with every write.
@Suite("Package search index")
struct SearchIndexTests {
    private func names(_ fixture: StorageFixture, _ repo: Repository, _ text: String) async throws -> [String] {
        try await fixture.packages.searchPackages(in: repo, filter: PackageFilter(text: text), from: 0, size: 50)
            .summaries.map { $0.package.key.namespace.isEmpty ? $0.package.key.name : "@\($0.package.key.namespace)/\($0.package.key.name)" }
    }

    @Test("names, scopes and every version's summary are found, case-insensitively, in short and long texts")
    func finds() async throws {
        let fixture = try StorageFixture()
        let repo = try #require(try await fixture.makeDomain().first)
        try await fixture.publish(PackageKey(format: "npm", name: "left-pad"), "1.0.0", content: "a", to: repo, summary: "String padding")
        try await fixture.publish(PackageKey(format: "npm", name: "left-pad"), "2.0.0", content: "b", to: repo, summary: "Pads Strings")
        try await fixture.publish(PackageKey(format: "npm", namespace: "acme", name: "tool"), "1.0.0", content: "c", to: repo)
        try await fixture.publish(PackageKey(format: "npm", name: "zz"), "1.0.0", content: "d", to: repo, summary: "Two letters")

        #expect(try await names(fixture, repo, "PADDING") == ["left-pad"])
        #expect(try await names(fixture, repo, "pads str") == ["left-pad"])
        #expect(try await names(fixture, repo, "acme") == ["@acme/tool"])
        #expect(try await names(fixture, repo, "ool") == ["@acme/tool"])
        // Texts shorter than a trigram still match (the index is scanned instead of probed).
        #expect(try await names(fixture, repo, "z") == ["zz"])
        #expect(try await names(fixture, repo, "nothing like it").isEmpty)
        let counted = try await fixture.packages.searchPackages(in: repo, filter: PackageFilter(text: "e"), from: 0, size: 1)
        #expect(counted.total == 3)
        #expect(counted.summaries.count == 1)
    }

    @Test("LIKE wildcards and the escape character in the text are literal")
    func wildcardsAreLiteral() async throws {
        let fixture = try StorageFixture()
        let repo = try #require(try await fixture.makeDomain().first)
        try await fixture.publish(PackageKey(format: "pypi", name: "left_pad"), "1.0", content: "a", to: repo)
        try await fixture.publish(PackageKey(format: "npm", name: "leftxpad"), "1.0.0", content: "b", to: repo, summary: "100% pure")
        try await fixture.publish(PackageKey(format: "npm", name: "back"), "1.0.0", content: "c", to: repo, summary: "a\\b")

        #expect(try await names(fixture, repo, "left_") == ["left_pad"])
        #expect(try await names(fixture, repo, "0% p") == ["leftxpad"])
        #expect(try await names(fixture, repo, "%") == ["leftxpad"])
        #expect(try await names(fixture, repo, "a\\b") == ["back"])
        #expect(try await names(fixture, repo, "_") == ["left_pad"])
    }

    @Test("deleting, disposing and removing packages take their names and summaries out of the index")
    func followsDeletes() async throws {
        let fixture = try StorageFixture()
        let repo = try #require(try await fixture.makeDomain().first)
        let key = PackageKey(format: "npm", name: "churn")
        try await fixture.publish(key, "1.0.0", content: "a", to: repo, summary: "First words")
        try await fixture.publish(key, "1.1.0", content: "b", to: repo, summary: "Shared words")
        try await fixture.publish(key, "1.2.0", content: "c", to: repo, summary: "Shared words")
        try await fixture.publish(key, "1.3.0", content: "e", to: repo)
        let package = try await fixture.packages.requirePackage(in: repo, key: key)

        try await fixture.packages.deleteVersion("1.0.0", of: package)
        #expect(try await names(fixture, repo, "first").isEmpty)
        // One of two versions with the same summary goes: the summary stays findable.
        try await fixture.packages.disposeVersion("1.1.0", of: package)
        #expect(try await names(fixture, repo, "shared") == ["churn"])
        try await fixture.packages.deleteVersion("1.1.0", of: package)
        #expect(try await names(fixture, repo, "shared") == ["churn"])
        try await fixture.packages.deleteVersion("1.2.0", of: package)
        #expect(try await names(fixture, repo, "shared").isEmpty)
        #expect(try await names(fixture, repo, "churn") == ["churn"])

        try await fixture.publish(key, "2.0.0", content: "d", to: repo, summary: "Back again")
        try await fixture.packages.deletePackage(try await fixture.packages.requirePackage(in: repo, key: key))
        #expect(try await names(fixture, repo, "churn").isEmpty)
        #expect(try await names(fixture, repo, "again").isEmpty)
    }

    @Test("the migration indexes what a store already holds")
    func migrationIndexesExistingRows() async throws {
        let fixture = try StorageFixture()
        let repo = try #require(try await fixture.makeDomain().first)
        try await fixture.publish(PackageKey(format: "npm", name: "older"), "1.0.0", content: "a", to: repo, summary: "Written before the index")
        // Take the index out as if the store predated it, then open the store again.
        let queue = try DatabaseQueue(path: fixture.databasePath)
        try await queue.write { db in
            try db.execute(sql: """
                DROP TRIGGER packages_named; DROP TRIGGER package_versions_summarized;
                DROP TRIGGER package_versions_unsummarized; DROP TRIGGER package_versions_resummarized;
                DROP TABLE package_terms_index; DROP TABLE package_terms;
                DELETE FROM grdb_migrations WHERE identifier = '011-create-search-index';
                """)
        }
        try queue.close()
        let reopened = try SQLiteMetadataStore(path: fixture.databasePath)
        let found = try await reopened.searchPackages(repositoryID: repo.id, filter: PackageFilter(text: "before the"), offset: 0, limit: 10)
        #expect(found.summaries.map(\.package.key.name) == ["older"])
        #expect(try await reopened.searchPackages(repositoryID: repo.id, filter: PackageFilter(text: "older"), offset: 0, limit: 10).total == 1)
    }
}
