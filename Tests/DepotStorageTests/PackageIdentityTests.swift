import DepotCore
import DepotStorage
import Foundation
import Testing

/// A format whose names have twins, as crates.io's: `-` and `_` spell one package.
struct TwinFoldingFormat: PackageFormat {
    var id: String { TinyUpstreamFormat.id }
    var endpointPath: String { "tiny/" }
    func packageKey(fromDisplayName name: String) throws -> PackageKey { PackageKey(format: id, name: name) }
    func displayName(of key: PackageKey) -> String { key.name }
    func isOlder(_ a: String, than b: String) -> Bool { a < b }
    func identity(of key: PackageKey) -> VersionProperty? {
        VersionProperty("tiny.canonical", key.name.replacingOccurrences(of: "-", with: "_"))
    }
}

@Suite("Package identity (twin names)")
struct PackageIdentityTests {
    static let formats = FormatRegistry([TwinFoldingFormat()])
    static let hyphen = PackageKey(format: TinyUpstreamFormat.id, name: "my-widget")
    static let underscore = PackageKey(format: TinyUpstreamFormat.id, name: "my_widget")

    @Test("a twin of a package the repository holds is refused inside the write; the package itself and other repositories are not")
    func twinRefused() async throws {
        let fixture = try StorageFixture(formats: Self.formats)
        let repos = try await fixture.makeDomain(repositories: [("store", []), ("other", [])])
        try await fixture.publish(Self.hyphen, "1.0.0", content: "one", to: repos[0])
        try await fixture.publish(Self.hyphen, "1.1.0", content: "two", to: repos[0])

        await #expect(throws: DepotError.self) { try await fixture.publish(Self.underscore, "1.0.0", content: "twin", to: repos[0]) }
        #expect(try await fixture.packages.package(in: repos[0], key: Self.underscore) == nil)
        // The twin's bytes were not kept.
        #expect(try await !fixture.store.isBlobReferenced(sha256: sha256(of: "twin")))
        try await fixture.publish(Self.underscore, "1.0.0", content: "twin", to: repos[1])
        let identity = try #require(Self.formats.identity(of: Self.hyphen))
        #expect(try await fixture.packages.packages(in: repos[0], withProperty: identity, limit: 5).map(\.key) == [Self.hyphen])
    }

    @Test("two racing first publishes of twins: exactly one lands")
    func racingTwins() async throws {
        let fixture = try StorageFixture(formats: Self.formats)
        let repo = try await fixture.makeDomain()[0]
        async let a: Bool = (try? await fixture.publish(Self.hyphen, "1.0.0", content: "a", to: repo)) != nil
        async let b: Bool = (try? await fixture.publish(Self.underscore, "1.0.0", content: "b", to: repo)) != nil
        let landed = await [a, b].filter { $0 }.count
        #expect(landed == 1)
    }

    @Test("a twin of a name the search path holds never reaches the external connection")
    func twinNotFetched() async throws {
        let world = try UpstreamWorld(formats: Self.formats)
        let (app, team, _) = try await world.chain()
        try await world.fixture.publish(Self.hyphen, "1.0.0", content: "ours", to: team)
        try world.offer("my_widget", ["6.6.6": upstreamTime1])
        try world.offer("other_widget", ["1.0.0": upstreamTime1])

        let twin = try await world.service.view(of: Self.underscore, from: app)
        #expect(twin.entries.isEmpty)
        #expect(!world.http.requests.contains { $0.url == world.documentURL("my_widget") })
        // A name without a twin still comes from outside.
        let stranger = try await world.service.view(of: PackageKey(format: TinyUpstreamFormat.id, name: "other_widget"), from: app)
        #expect(stranger.entries.map(\.version) == ["1.0.0"])
    }
}
