import DepotCore
import DepotStorage
import Foundation
import Testing

@Suite("Version properties")
struct VersionPropertyTests {
    static let url = VersionProperty("repositoryURL", "https://github.com/acme/lib.git")

    /// Publishes `key` at `version` with `properties` (one asset per call, named after `file`).
    @discardableResult
    func publish(
        _ fixture: StorageFixture, _ key: PackageKey, _ version: String, file: String, properties: [VersionProperty], to repo: Repository,
        severalAssets: Bool = false
    ) async throws -> PublishOutcome {
        let (writer, digests) = try fixture.stage(file)
        var new = NewVersion(
            key: key, version: version, origin: VersionOrigin(type: .internal, repository: repo.name), publishedAt: Date(),
            summary: nil, metadata: Data("{}".utf8), assets: [Asset(name: file, digests: digests)], allowsAddingAssets: severalAssets)
        new.properties = properties
        return try await fixture.packages.publish(new, to: repo, blobs: [writer])
    }

    @Test("a property is found by its value in its repository only, and not on a disposed or deleted version")
    func lookup() async throws {
        let fixture = try StorageFixture()
        let repos = try await fixture.makeDomain(repositories: [("store", []), ("other", [])])
        let lib = PackageKey(format: "swift", namespace: "acme", name: "lib")
        let fork = PackageKey(format: "swift", namespace: "fork", name: "lib")
        try await publish(fixture, lib, "1.0.0", file: "lib-1.0.0.zip", properties: [Self.url], to: repos[0])
        try await publish(fixture, lib, "1.1.0", file: "lib-1.1.0.zip", properties: [Self.url], to: repos[0])
        try await publish(fixture, fork, "1.0.0", file: "fork-1.0.0.zip", properties: [Self.url], to: repos[0])
        try await publish(fixture, lib, "1.0.0", file: "other-1.0.0.zip", properties: [VersionProperty("repositoryURL", "https://x/")], to: repos[1])

        #expect(try await fixture.packages.packages(in: repos[0], withProperty: Self.url, limit: 10).map(\.key) == [lib, fork])
        #expect(try await fixture.packages.packages(in: repos[0], withProperty: Self.url, limit: 1).map(\.key) == [lib])
        #expect(try await fixture.packages.packages(in: repos[1], withProperty: Self.url, limit: 10).isEmpty)
        #expect(try await fixture.packages.packages(in: repos[0], withProperty: VersionProperty("repositoryURL", "nope"), limit: 10).isEmpty)

        let forkPackage = try #require(try await fixture.packages.package(in: repos[0], key: fork))
        try await fixture.packages.disposeVersion("1.0.0", of: forkPackage)
        #expect(try await fixture.packages.packages(in: repos[0], withProperty: Self.url, limit: 10).map(\.key) == [lib])
        let libPackage = try #require(try await fixture.packages.package(in: repos[0], key: lib))
        try await fixture.packages.deleteVersion("1.0.0", of: libPackage)
        try await fixture.packages.deleteVersion("1.1.0", of: libPackage)
        #expect(try await fixture.packages.packages(in: repos[0], withProperty: Self.url, limit: 10).isEmpty)
    }

    @Test("files added to a version add their properties; a copy carries them")
    func addedFilesAndCopies() async throws {
        let fixture = try StorageFixture()
        let repos = try await fixture.makeDomain(repositories: [("store", []), ("release", [])])
        let plugin = PackageKey(format: "maven", namespace: "org.acme", name: "acme-maven-plugin")
        let prefix = VersionProperty("pluginPrefix", "acme")
        try await publish(fixture, plugin, "1.0", file: "acme-maven-plugin-1.0.pom", properties: [], to: repos[0], severalAssets: true)
        try await publish(fixture, plugin, "1.0", file: "acme-maven-plugin-1.0.jar", properties: [prefix], to: repos[0], severalAssets: true)
        let package = try #require(try await fixture.packages.package(in: repos[0], key: plugin))
        let version = try await fixture.packages.requireVersion(of: package, "1.0")
        #expect(try await fixture.packages.properties(of: version) == [prefix])

        let result = try await fixture.packages.copy(key: plugin, versions: ["1.0"], from: repos[0], to: repos[1])
        #expect(result.copied == ["1.0"])
        #expect(try await fixture.packages.packages(in: repos[1], withProperty: prefix, limit: 10).map(\.key) == [plugin])
    }
}
