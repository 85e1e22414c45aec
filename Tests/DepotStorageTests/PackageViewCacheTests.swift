import DepotCore
import DepotStorage
import Foundation
import Testing

/// Views are kept by their fingerprint: an upstream refresh or a local change must show in the next view.
@Suite("Package view cache")
struct PackageViewCacheTests {
    @Test("an upstream refresh after the TTL and a local publish each show in the very next view")
    func viewFollowsItsSources() async throws {
        let world = try UpstreamWorld()
        let (app, _, _) = try await world.chain()
        try world.offer("widget", ["1.0.0": upstreamTime1])
        #expect(try await world.service.view(of: tinyKey, from: app).entries.map(\.version) == ["1.0.0"])
        #expect(try await world.service.view(of: tinyKey, from: app).entries.map(\.version) == ["1.0.0"])

        // Fresh for the TTL: the new upstream version shows only once the document is fetched again.
        try world.offer("widget", ["1.0.0": upstreamTime1, "2.0.0": upstreamTime2])
        #expect(try await world.service.view(of: tinyKey, from: app).entries.map(\.version) == ["1.0.0"])
        world.clock.advance(301)
        #expect(try await world.service.view(of: tinyKey, from: app).entries.map(\.version).sorted() == ["1.0.0", "2.0.0"])

        let allowBoth = OriginControls(publish: .allow, upstream: .allow)
        _ = try await world.fixture.packages.ensurePackage(in: app, key: tinyKey, controls: allowBoth)
        try await world.fixture.publish(tinyKey, "3.0.0", content: "app's own", to: app)
        #expect(try await world.service.view(of: tinyKey, from: app).entries.map(\.version).sorted() == ["1.0.0", "2.0.0", "3.0.0"])
    }
}
