import DepotCore
import DepotStorage
import Foundation
import Testing

/// Upstream documents choose file URLs and upstream servers choose redirects: neither may lead Depot off the
/// connection's hosts (blind SSRF into loopback, the LAN or a cloud metadata service).
@Suite("Upstream hosts")
struct UpstreamHostTests {
    /// Offers `widget` 1.0.0 whose file is at `fileURL` (absolute), serving the right bytes there.
    func offer(_ world: UpstreamWorld, fileURL: URL) throws {
        let content = UpstreamWorld.content("widget", "1.0.0")
        let document = TinyUpstreamFormat.Document(
            name: "widget",
            versions: ["1.0.0": .init(file: "widget-1.0.0.tiny", url: fileURL.absoluteString, sha256: sha256(of: content), published: nil)],
            tags: [:])
        world.http.reply(world.documentURL("widget"), .ok(String(decoding: try JSONEncoder().encode(document), as: UTF8.self)))
        world.http.serveFile(fileURL, Array(content.utf8))
    }

    func expectNothingKept(_ world: UpstreamWorld, in repositories: [Repository]) async throws {
        for repository in repositories {
            #expect(try await world.fixture.packages.package(in: repository, key: tinyKey) == nil, "\(repository.name)")
        }
        #expect(try world.fixture.committedBlobs().isEmpty)
        #expect(try world.fixture.temporaryFiles().isEmpty)
    }

    @Test(
        "a file URL off the connection's host is refused (502 UpstreamHostRefused): never requested, nothing kept",
        arguments: [
            "http://127.0.0.1:8080/widget-1.0.0.tiny", "http://169.254.169.254/latest/meta-data/", "http://[::1]/widget-1.0.0.tiny",
            "https://registry.test.evil.example/widget-1.0.0.tiny", "https://registry.test@127.0.0.1/widget-1.0.0.tiny",
        ])
    func fileURLOffHost(url: String) async throws {
        let world = try UpstreamWorld()
        let (app, team, store) = try await world.chain()
        try offer(world, fileURL: URL(string: url)!)

        let error = await #expect(throws: DepotError.self) {
            try await world.service.asset(named: "widget-1.0.0.tiny", version: "1.0.0", of: tinyKey, in: app)
        }
        #expect(error?.kind == .badGateway)
        #expect(error?.code == "UpstreamHostRefused")
        #expect(world.downloads() == 0)
        #expect(world.metrics.outcomes.contains("asset:refused"))
        try await expectNothingKept(world, in: [app, team, store])
    }

    @Test("a file redirected to 127.0.0.1 is refused (502 UpstreamHostRefused) and nothing is kept")
    func redirectToLoopback() async throws {
        let world = try UpstreamWorld()
        let (app, team, store) = try await world.chain()
        try world.offer("widget", ["1.0.0": upstreamTime1])
        world.http.redirect(world.fileURL("widget", "1.0.0"), to: URL(string: "http://127.0.0.1:9/widget-1.0.0.tiny")!)

        let error = await #expect(throws: DepotError.self) {
            try await world.service.asset(named: "widget-1.0.0.tiny", version: "1.0.0", of: tinyKey, in: app)
        }
        #expect(error?.code == "UpstreamHostRefused")
        // The connection's hosts travel with the request, so the client can hold every redirect to them.
        #expect(world.http.requests.last?.hosts == UpstreamHosts(["registry.test"]))
        try await expectNothingKept(world, in: [app, team, store])
    }

    @Test("a metadata document redirected off the host is a 502 and is not cached")
    func metadataRedirectOffHost() async throws {
        let world = try UpstreamWorld()
        let (app, _, _) = try await world.chain()
        try world.offer("widget", ["1.0.0": upstreamTime1])
        world.http.redirect(world.documentURL("widget"), to: URL(string: "http://10.0.0.7/widget")!)

        let error = await #expect(throws: DepotError.self) { try await world.service.view(of: tinyKey, from: app) }
        #expect(error?.code == "UpstreamHostRefused")
        #expect(try await world.fixture.store.upstreamDocument(cacheKey: "\(UpstreamWorld.connection)|\(tinyKey)") == nil)
    }

    @Test("files on a configured extra host (a CDN) and on the connection's own host are fetched; redirects between them too")
    func extraHostAllowed() async throws {
        let world = try UpstreamWorld(extraHosts: ["files.cdn.test", "*.mirror.test"])
        let (app, _, store) = try await world.chain()
        let cdnURL = URL(string: "https://files.cdn.test/packages/widget-1.0.0.tiny")!
        try offer(world, fileURL: cdnURL)
        world.http.redirect(cdnURL, to: URL(string: "https://eu.mirror.test/widget-1.0.0.tiny")!)
        world.http.serveFile(URL(string: "https://eu.mirror.test/widget-1.0.0.tiny")!, Array(UpstreamWorld.content("widget", "1.0.0").utf8))

        let (_, _, asset) = try #require(try await world.service.asset(named: "widget-1.0.0.tiny", version: "1.0.0", of: tinyKey, in: app))
        #expect(asset.digests.sha256 == sha256(of: UpstreamWorld.content("widget", "1.0.0")))
        #expect(try await world.fixture.packages.package(in: store, key: tinyKey) != nil)
    }
}
