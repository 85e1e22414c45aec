import DepotCore
import DepotStorage
import Foundation
import Logging
import Testing

/// A tiny registry format for the core's resolution tests: one JSON document per package listing its
/// versions, each with one file and its SHA-256.
struct TinyUpstreamFormat: UpstreamFormat {
    struct Document: Codable {
        struct Version: Codable {
            var file: String
            var url: String
            var sha256: String
            var published: Double?
            var summary: String?
        }

        var name: String
        var versions: [String: Version]
        var tags: [String: String]
    }

    struct Malformed: Error {}

    static let id = "tiny"
    var formatID: String { Self.id }
    var connectionName: String { "public:npmjs" }
    var mergeMetadata: (@Sendable (Data, Data) throws -> Data)? { nil }
    var versionsHaveManyAssets: Bool { false }

    func metadataRequest(for key: PackageKey, base: URL) -> (url: URL, accept: String) {
        (URL(string: "packages/\(key.name)", relativeTo: base)!.absoluteURL, "application/x-tiny+json")
    }

    func parseMetadata(_ body: Data, key: PackageKey, documentURL: URL) throws -> UpstreamPackage {
        let document = try JSONDecoder().decode(Document.self, from: body)
        guard document.name == key.name else { throw Malformed() }
        let versions = try document.versions.sorted { $0.key < $1.key }.map { version, entry in
            guard let url = URL(string: entry.url, relativeTo: documentURL)?.absoluteURL else { throw Malformed() }
            return UpstreamVersion(
                version: version, publishedAt: entry.published.map(Date.init(timeIntervalSince1970:)), summary: entry.summary,
                metadata: Data("{\"from\":\"upstream\",\"v\":\"\(version)\"}".utf8),
                // An empty digest stands for a registry that publishes it only beside the file (Maven's sidecars).
                assets: [
                    UpstreamAsset(
                        name: entry.file, url: url, expected: entry.sha256.isEmpty ? [:] : [.sha256: entry.sha256],
                        checksumURL: entry.sha256.isEmpty ? (URL(string: entry.url + ".sha256", relativeTo: documentURL)!.absoluteURL, .sha256) : nil)
                ])
        }
        return UpstreamPackage(versions: versions, tags: document.tags)
    }

    func unlistedAsset(key: PackageKey, version: String, name: String, base: URL) -> UpstreamAsset? { nil }

    func recordedMetadata(for version: UpstreamVersion, asset: UpstreamAsset, file: URL?) throws -> Data { version.metadata }
}

/// Stores, services and a scripted public registry behind the `public:npmjs` connection.
struct UpstreamWorld {
    static let base = URL(string: "https://registry.test/")!
    static let connection = "public:npmjs"

    let fixture: StorageFixture
    let http = FakeUpstreamHTTP()
    let metrics = RecordingUpstreamMetrics()
    let clock = TestClock()
    let service: UpstreamService

    /// `extraHosts`: hosts besides registry.test the connection's files may come from.
    init(extraHosts: [String] = [], formats: FormatRegistry = FormatRegistry([])) throws {
        fixture = try StorageFixture(formats: formats)
        let clock = self.clock
        let logger = Logger(label: "depot.tests")
        let cache = UpstreamMetadataCache(
            store: fixture.store, http: http, metrics: metrics, ttl: 300, logger: logger, now: { clock.now })
        service = UpstreamService(
            store: fixture.store, packages: fixture.packages, cache: cache, http: http, metrics: metrics,
            formats: [TinyUpstreamFormat()], connections: [ExternalConnection(name: Self.connection, baseURL: Self.base, extraHosts: extraHosts)],
            maxAssetSize: 1 << 20, logger: logger)
    }

    /// `app -> team -> store(public:npmjs)`, plus `elsewhere`, a repository with no upstreams.
    func chain() async throws -> (app: Repository, team: Repository, store: Repository) {
        _ = try await fixture.repositories.createDomain(name: "acme")
        let store = try await fixture.repositories.createRepository(
            domain: "acme", name: "store", settings: RepositorySettings(externalConnection: .some(Self.connection)))
        let team = try await fixture.repositories.createRepository(
            domain: "acme", name: "team", settings: RepositorySettings(upstreams: ["store"]))
        let app = try await fixture.repositories.createRepository(
            domain: "acme", name: "app", settings: RepositorySettings(upstreams: ["team"]))
        return (app, team, store)
    }

    func documentURL(_ name: String) -> URL { URL(string: "packages/\(name)", relativeTo: Self.base)!.absoluteURL }
    func checksumURL(_ name: String, _ version: String) -> URL { URL(string: fileURL(name, version).absoluteString + ".sha256")! }
    func fileURL(_ name: String, _ version: String) -> URL { URL(string: "files/\(name)-\(version).tiny", relativeTo: Self.base)!.absoluteURL }
    static func content(_ name: String, _ version: String) -> String { "upstream bytes of \(name) \(version)" }

    /// Puts `name` on the public registry with the given versions (and publish times), serving each file.
    /// `tampered` versions are served with other bytes than their declared SHA-256; `sidecar` versions declare
    /// theirs only in a `.sha256` file beside the file, which the test serves.
    func offer(
        _ name: String, _ versions: [String: Date], tags: [String: String] = [:], tampered: Set<String> = [], sidecar: Set<String> = []
    ) throws {
        var entries: [String: TinyUpstreamFormat.Document.Version] = [:]
        for (version, published) in versions {
            let content = Self.content(name, version)
            entries[version] = .init(
                file: "\(name)-\(version).tiny", url: "../files/\(name)-\(version).tiny",
                sha256: sidecar.contains(version) ? "" : sha256(of: content),
                published: published.timeIntervalSince1970, summary: "\(name) \(version) from upstream")
            http.serveFile(fileURL(name, version), Array((tampered.contains(version) ? "tampered " + content : content).utf8))
        }
        let document = try JSONEncoder().encode(TinyUpstreamFormat.Document(name: name, versions: entries, tags: tags))
        http.reply(documentURL(name), .ok(String(decoding: document, as: UTF8.self), etag: "\"\(name)\""))
    }

    func downloads() -> Int { http.requests.filter { $0.method == "DOWNLOAD" }.count }
}

let tinyKey = PackageKey(format: TinyUpstreamFormat.id, name: "widget")
/// Whole seconds, so they survive the store's round trip unchanged.
let upstreamTime1 = Date(timeIntervalSince1970: 1_700_000_000)
let upstreamTime2 = Date(timeIntervalSince1970: 1_710_000_000)
let upstreamTime3 = Date(timeIntervalSince1970: 1_720_000_000)

@Suite("UpstreamService")
struct UpstreamServiceTests {
    let world: UpstreamWorld
    var fixture: StorageFixture { world.fixture }
    var service: UpstreamService { world.service }

    init() throws {
        world = try UpstreamWorld()
    }

    func storedVersion(_ version: String, in repository: Repository) async throws -> (Package, PackageVersion, [Asset])? {
        guard let package = try await fixture.packages.package(in: repository, key: tinyKey),
            let record = try await fixture.store.version(packageID: package.id, version: version)
        else { return nil }
        return (package, record, try await fixture.store.assets(versionID: record.id))
    }

    // MARK: Views

    @Test("a view merges the repository's own versions, an upstream repository's and the external connection's, nearest first")
    func viewMerges() async throws {
        let (app, team, _) = try await world.chain()
        let allowBoth = OriginControls(publish: .allow, upstream: .allow)
        _ = try await fixture.packages.ensurePackage(in: app, key: tinyKey, controls: allowBoth)
        try await fixture.publish(tinyKey, "1.0.0", content: "app's 1.0.0", to: app, tags: ["beta"])
        _ = try await fixture.packages.ensurePackage(in: team, key: tinyKey, controls: allowBoth)
        try await fixture.publish(tinyKey, "1.0.0", content: "team's 1.0.0", to: team)
        try await fixture.publish(tinyKey, "1.1.0", content: "team's 1.1.0", to: team, tags: ["latest", "beta"])
        try await fixture.publish(tinyKey, "1.2.0", content: "team's hidden 1.2.0", to: team)
        let teamPackage = try #require(try await fixture.packages.package(in: team, key: tinyKey))
        try await fixture.packages.setStatus(.unlisted, of: "1.2.0", in: teamPackage)
        try world.offer(
            "widget", ["1.0.0": upstreamTime1, "1.1.0": upstreamTime2, "2.0.0": upstreamTime3],
            tags: ["latest": "2.0.0", "next": "2.0.0", "gone": "9.9.9"])

        let view = try await service.view(of: tinyKey, from: app)

        #expect(view.entries.map(\.version).sorted() == ["1.0.0", "1.1.0", "2.0.0"])
        let byVersion = Dictionary(uniqueKeysWithValues: view.entries.map { ($0.version, $0) })
        let own = try #require(byVersion["1.0.0"])
        #expect(own.isLocal)
        #expect(String(decoding: own.metadata, as: UTF8.self) == "{\"v\":\"1.0.0\"}")
        guard case .stored(let ownRepository, let ownRecord) = own.source else {
            Issue.record("1.0.0 should come from app, got \(own.source)")
            return
        }
        #expect(ownRepository == "app")
        #expect(ownRecord.origin == VersionOrigin(type: .internal, repository: "app"))
        #expect(own.alsoUpstream?.version == "1.0.0")

        let fromTeam = try #require(byVersion["1.1.0"])
        #expect(!fromTeam.isLocal)
        guard case .stored(let teamRepository, _) = fromTeam.source else {
            Issue.record("1.1.0 should come from team, got \(fromTeam.source)")
            return
        }
        #expect(teamRepository == "team")

        let fromUpstream = try #require(byVersion["2.0.0"])
        #expect(!fromUpstream.isLocal)
        #expect(fromUpstream.status == .published)
        #expect(fromUpstream.publishedAt == upstreamTime3)
        #expect(fromUpstream.summary == "widget 2.0.0 from upstream")
        guard case .upstream(let connection, let offered) = fromUpstream.source else {
            Issue.record("2.0.0 should come from the external connection, got \(fromUpstream.source)")
            return
        }
        #expect(connection == "public:npmjs")
        #expect(offered.assets.first?.url == world.fileURL("widget", "2.0.0"))

        // Tags nearest first; a tag naming a version nobody has is dropped.
        #expect(view.tags == ["beta": "1.0.0", "latest": "1.1.0", "next": "2.0.0"])
        #expect(view.local?.repositoryID == app.id)
        // A view records nothing and downloads nothing.
        #expect(world.downloads() == 0)
        #expect(try await storedVersion("2.0.0", in: app) == nil)
        #expect(world.http.requests(to: world.documentURL("widget")).count == 1)
    }

    @Test("an internal package that blocks upstreams hides the upstream's versions of the same name (dependency confusion)")
    func internalPackageBlocksUpstream() async throws {
        let (app, team, _) = try await world.chain()
        try await fixture.publish(tinyKey, "1.0.0", content: "our widget", to: team, tags: ["latest"])
        try world.offer("widget", ["1.0.0": upstreamTime1, "99.0.0": upstreamTime2], tags: ["latest": "99.0.0"])

        let view = try await service.view(of: tinyKey, from: app)
        #expect(view.entries.map(\.version) == ["1.0.0"])
        guard case .stored(let repository, let record) = try #require(view.entries.first).source else {
            Issue.record("1.0.0 should be team's")
            return
        }
        #expect(repository == "team")
        #expect(record.origin.type == .internal)
        #expect(view.tags == ["latest": "1.0.0"])
        #expect(view.entries.first?.alsoUpstream == nil)

        // Nor can the upstream's version be fetched through app.
        #expect(try await service.asset(named: "widget-99.0.0.tiny", version: "99.0.0", of: tinyKey, in: app) == nil)
        #expect(try await fixture.packages.package(in: app, key: tinyKey) == nil)
        #expect(world.http.requests.isEmpty)
    }

    @Test("an internal package in one upstream also hides the external versions reachable through another upstream")
    func internalPackageBlocksUpstreamInDiamond() async throws {
        _ = try await fixture.repositories.createDomain(name: "acme")
        _ = try await fixture.repositories.createRepository(
            domain: "acme", name: "store", settings: RepositorySettings(externalConnection: .some(UpstreamWorld.connection)))
        _ = try await fixture.repositories.createRepository(domain: "acme", name: "other", settings: RepositorySettings(upstreams: ["store"]))
        let team = try await fixture.repositories.createRepository(domain: "acme", name: "team", settings: RepositorySettings())
        let app = try await fixture.repositories.createRepository(
            domain: "acme", name: "app", settings: RepositorySettings(upstreams: ["team", "other"]))
        try await fixture.publish(tinyKey, "1.0.0", content: "our widget", to: team)
        try world.offer("widget", ["1.0.0": upstreamTime1, "99.0.0": upstreamTime2], tags: ["latest": "99.0.0"])

        let view = try await service.view(of: tinyKey, from: app)
        #expect(view.entries.map(\.version) == ["1.0.0"])
        #expect(try await service.asset(named: "widget-99.0.0.tiny", version: "99.0.0", of: tinyKey, in: app) == nil)
        #expect(try await fixture.packages.package(in: app, key: tinyKey) == nil)
        #expect(world.downloads() == 0)
    }

    @Test("when the external connection fails, versions stored along the path still answer; with none stored the 502 shows")
    func viewWithFailingUpstream() async throws {
        let (app, _, store) = try await world.chain()
        try await fixture.publish(tinyKey, "1.0.0", content: "fetched earlier", to: store, origin: .external)
        world.http.reply(world.documentURL("widget"), .failure(.badGateway("connection refused")))

        let view = try await service.view(of: tinyKey, from: app)
        #expect(view.entries.map(\.version) == ["1.0.0"])
        #expect(view.entries.first?.isLocal == false)

        let other = PackageKey(format: TinyUpstreamFormat.id, name: "gadget")
        world.http.reply(world.documentURL("gadget"), .failure(.gatewayTimeout("timed out")))
        let error = await #expect(throws: DepotError.self) { try await service.view(of: other, from: app) }
        #expect(error?.kind == .gatewayTimeout)
    }

    @Test("a package nobody has gives an empty view")
    func emptyView() async throws {
        let (app, _, _) = try await world.chain()
        let view = try await service.view(of: tinyKey, from: app)
        #expect(view.isEmpty)
        #expect(view.local == nil)
        #expect(view.tags.isEmpty)
    }

    // MARK: Assets

    @Test("a fetched asset is verified and recorded in app, team and store as EXTERNAL with the upstream's publish time")
    func assetRecordedAlongThePath() async throws {
        let (app, team, store) = try await world.chain()
        try world.offer("widget", ["1.0.0": upstreamTime1, "2.0.0": upstreamTime2])

        let (package, version, asset) = try #require(
            try await service.asset(named: "widget-1.0.0.tiny", version: "1.0.0", of: tinyKey, in: app))
        let content = UpstreamWorld.content("widget", "1.0.0")
        #expect(package.repositoryID == app.id)
        #expect(version.version == "1.0.0")
        #expect(asset.name == "widget-1.0.0.tiny")
        #expect(asset.digests.sha256 == sha256(of: content))
        #expect(asset.digests.size == Int64(content.utf8.count))
        #expect(try fixture.readBlob(asset.digests.sha256) == Array(content.utf8))

        for repository in [app, team, store] {
            let (held, record, assets) = try #require(try await storedVersion("1.0.0", in: repository), "missing in \(repository.name)")
            #expect(held.originControls == OriginControls(publish: .block, upstream: .allow), "\(repository.name)")
            #expect(record.origin == VersionOrigin(type: .external, repository: "public:npmjs"), "\(repository.name)")
            #expect(record.publishedAt == upstreamTime1, "\(repository.name)")
            #expect(record.status == .published)
            #expect(record.summary == "widget 1.0.0 from upstream")
            #expect(String(decoding: record.metadata, as: UTF8.self) == "{\"from\":\"upstream\",\"v\":\"1.0.0\"}")
            #expect(assets == [asset], "\(repository.name)")
            // Only the version asked for is recorded.
            #expect(try await fixture.store.versions(packageID: held.id).map(\.version) == ["1.0.0"])
        }
        #expect(try fixture.committedBlobs() == [sha256(of: content)])
        #expect(try fixture.temporaryFiles().isEmpty)
        #expect(world.downloads() == 1)
        #expect(world.metrics.outcomes.contains("asset:200"))
    }

    @Test("a file whose bytes do not match the declared digest is a 502 UpstreamChecksumMismatch and nothing is kept")
    func checksumMismatch() async throws {
        let (app, team, store) = try await world.chain()
        try world.offer("widget", ["1.0.0": upstreamTime1], tampered: ["1.0.0"])

        for attempt in 1...2 {
            let error = await #expect(throws: DepotError.self) {
                try await service.asset(named: "widget-1.0.0.tiny", version: "1.0.0", of: tinyKey, in: app)
            }
            #expect(error?.kind == .badGateway)
            #expect(error?.code == "UpstreamChecksumMismatch")
            #expect(error?.message.contains("sha256") == true)
            // Never cached: the next attempt downloads again.
            #expect(world.downloads() == attempt)
        }
        for repository in [app, team, store] {
            #expect(try await fixture.packages.package(in: repository, key: tinyKey) == nil, "\(repository.name)")
        }
        #expect(try fixture.committedBlobs().isEmpty)
        #expect(try fixture.temporaryFiles().isEmpty)
    }

    @Test("a second fetch is served from the store, and another repository above store copies it without a download")
    func secondFetchFromStore() async throws {
        let (app, _, store) = try await world.chain()
        try world.offer("widget", ["1.0.0": upstreamTime1])
        let first = try #require(try await service.asset(named: "widget-1.0.0.tiny", version: "1.0.0", of: tinyKey, in: app))
        let requestsAfterFirst = world.http.requests.count

        let second = try #require(try await service.asset(named: "widget-1.0.0.tiny", version: "1.0.0", of: tinyKey, in: app))
        #expect(second.2 == first.2)
        #expect(second.1.id == first.1.id)
        #expect(world.http.requests.count == requestsAfterFirst)

        let elsewhere = try await fixture.repositories.createRepository(
            domain: "acme", name: "elsewhere", settings: RepositorySettings(upstreams: ["store"]))
        let copied = try #require(
            try await service.asset(named: "widget-1.0.0.tiny", version: "1.0.0", of: tinyKey, in: elsewhere))
        #expect(copied.0.repositoryID == elsewhere.id)
        #expect(copied.1.origin == VersionOrigin(type: .external, repository: "public:npmjs"))
        #expect(copied.1.publishedAt == upstreamTime1)
        #expect(copied.2.digests == first.2.digests)
        #expect(world.http.requests.count == requestsAfterFirst)
        #expect(world.downloads() == 1)
        #expect(try await storedVersion("1.0.0", in: store) != nil)
        #expect(try fixture.committedBlobs().count == 1)
    }

    @Test("a version or file the upstream does not have is nil, and nothing is recorded")
    func missingAsset() async throws {
        let (app, _, _) = try await world.chain()
        try world.offer("widget", ["1.0.0": upstreamTime1])
        #expect(try await service.asset(named: "widget-3.0.0.tiny", version: "3.0.0", of: tinyKey, in: app) == nil)
        #expect(try await service.asset(named: "other.tiny", version: "1.0.0", of: tinyKey, in: app) == nil)
        // Listed in the metadata, but the file server answers 404.
        world.http.serveFile(world.fileURL("widget", "1.0.0"), [], status: 404)
        #expect(try await service.asset(named: "widget-1.0.0.tiny", version: "1.0.0", of: tinyKey, in: app) == nil)
        #expect(try await fixture.packages.package(in: app, key: tinyKey) == nil)
        #expect(try fixture.temporaryFiles().isEmpty)
    }

    @Test("two repositories fetching one file at the same moment both get it, each recorded along its own path, downloaded once")
    func concurrentFetchFromTwoRepositories() async throws {
        let (app, team, store) = try await world.chain()
        let elsewhere = try await fixture.repositories.createRepository(
            domain: "acme", name: "elsewhere", settings: RepositorySettings(upstreams: ["store"]))
        try world.offer("widget", ["1.0.0": upstreamTime1])
        let gate = world.http.gate(world.fileURL("widget", "1.0.0"))
        let service = self.service
        let first = Task { try await service.asset(named: "widget-1.0.0.tiny", version: "1.0.0", of: tinyKey, in: app) }
        await gate.arrived.wait()
        let lookups = world.metrics.cache.count
        let second = Task { try await service.asset(named: "widget-1.0.0.tiny", version: "1.0.0", of: tinyKey, in: elsewhere) }
        // Once the second caller has read the metadata it is a step away from joining the running download.
        while world.metrics.cache.count == lookups { try await Task.sleep(for: .milliseconds(5)) }
        try await Task.sleep(for: .milliseconds(100))
        gate.release.signal()

        let fromApp = try #require(try await first.value)
        let fromElsewhere = try #require(try await second.value)
        #expect(fromApp.0.repositoryID == app.id)
        #expect(fromElsewhere.0.repositoryID == elsewhere.id)
        #expect(fromElsewhere.2.digests == fromApp.2.digests)
        for repository in [app, team, store, elsewhere] {
            #expect(try await storedVersion("1.0.0", in: repository)?.1.status == .published, "\(repository.name)")
        }
        #expect(world.downloads() == 1)
        #expect(try fixture.committedBlobs().count == 1)
    }

    @Test("an archived, unlisted or disposed stored version shadows the upstream's copy: not listed again, not fetched again")
    func hiddenStoredVersionShadowsUpstream() async throws {
        let (app, _, store) = try await world.chain()
        try world.offer("widget", ["1.0.0": upstreamTime1, "1.1.0": upstreamTime2, "1.2.0": upstreamTime3], tags: ["latest": "1.2.0"])
        for version in ["1.0.0", "1.1.0", "1.2.0"] {
            _ = try #require(try await service.asset(named: "widget-\(version).tiny", version: version, of: tinyKey, in: app))
        }
        let appPackage = try #require(try await fixture.packages.package(in: app, key: tinyKey))
        try await fixture.packages.disposeVersion("1.0.0", of: appPackage)
        try await fixture.packages.setStatus(.unlisted, of: "1.1.0", in: appPackage)
        try await fixture.packages.setStatus(.archived, of: "1.2.0", in: appPackage)
        let downloads = world.downloads()

        let view = try await service.view(of: tinyKey, from: app)
        #expect(view.entries.isEmpty)
        #expect(view.tags.isEmpty)
        #expect(try await service.asset(named: "widget-1.0.0.tiny", version: "1.0.0", of: tinyKey, in: app) == nil)

        // Archived where it is held, a version is not fetched again through another repository either.
        let storePackage = try #require(try await fixture.packages.package(in: store, key: tinyKey))
        try await fixture.packages.setStatus(.archived, of: "1.2.0", in: storePackage)
        let elsewhere = try await fixture.repositories.createRepository(
            domain: "acme", name: "elsewhere", settings: RepositorySettings(upstreams: ["store"]))
        #expect(try await service.view(of: tinyKey, from: elsewhere).entries.map(\.version).sorted() == ["1.0.0", "1.1.0"])
        #expect(try await service.asset(named: "widget-1.2.0.tiny", version: "1.2.0", of: tinyKey, in: elsewhere) == nil)
        #expect(try await fixture.packages.package(in: elsewhere, key: tinyKey) == nil)
        #expect(world.downloads() == downloads)
    }

    @Test(
        "a checksum sidecar the upstream fails to serve is a 502 and nothing is kept; once it answers the file is verified",
        arguments: [503, 403, 429])
    func checksumSidecarFailure(status: Int) async throws {
        let (app, _, store) = try await world.chain()
        try world.offer("widget", ["1.0.0": upstreamTime1], sidecar: ["1.0.0"])
        let sidecar = world.checksumURL("widget", "1.0.0")
        world.http.reply(sidecar, .status(status))

        let error = await #expect(throws: DepotError.self) {
            try await service.asset(named: "widget-1.0.0.tiny", version: "1.0.0", of: tinyKey, in: app)
        }
        #expect(error?.kind == .badGateway)
        #expect(try await fixture.packages.package(in: store, key: tinyKey) == nil)
        #expect(try fixture.committedBlobs().isEmpty)

        world.http.reply(sidecar, .ok(sha256(of: UpstreamWorld.content("widget", "1.0.0")) + "  widget-1.0.0.tiny\n"))
        _ = try #require(try await service.asset(named: "widget-1.0.0.tiny", version: "1.0.0", of: tinyKey, in: app))
        #expect(try await storedVersion("1.0.0", in: store) != nil)
    }

    @Test("the cached documents listed for a repository are only those of packages its domain holds")
    func cachedDocumentsOfTheDomain() async throws {
        let (app, _, store) = try await world.chain()
        _ = try await fixture.repositories.createDomain(name: "rival")
        let rival = try await fixture.repositories.createRepository(
            domain: "rival", name: "store", settings: RepositorySettings(externalConnection: .some(UpstreamWorld.connection)))
        try world.offer("widget", ["1.0.0": upstreamTime1])
        try world.offer("gizmo", ["1.0.0": upstreamTime1])
        // acme fetches widget; rival only looks gizmo up and checks a secret name before publishing it.
        _ = try #require(try await service.asset(named: "widget-1.0.0.tiny", version: "1.0.0", of: tinyKey, in: app))
        _ = try await service.view(of: PackageKey(format: TinyUpstreamFormat.id, name: "gizmo"), from: rival)
        try await service.ensurePublishable(PackageKey(format: TinyUpstreamFormat.id, name: "rival-secret"), to: rival)
        try await fixture.publish(PackageKey(format: TinyUpstreamFormat.id, name: "rival-secret"), "1.0.0", content: "ours", to: rival)

        let keys = { (repository: Repository) in try await service.cachedDocuments(for: repository).map(\.cacheKey).sorted() }
        #expect(try await keys(store) == ["public:npmjs|tiny:widget"])
        #expect(try await keys(rival) == ["public:npmjs|tiny:rival-secret"])
        #expect(try await service.cachedDocuments(for: app).isEmpty)
    }

    // MARK: Publishing

    @Test("publishing a name an upstream repository has is refused until the package is created with publish=ALLOW")
    func publishBlockedByUpstreamRepository() async throws {
        let (app, team, _) = try await world.chain()
        try await fixture.publish(tinyKey, "1.0.0", content: "team's widget", to: team)

        let error = await #expect(throws: DepotError.self) { try await service.ensurePublishable(tinyKey, to: app) }
        #expect(error?.kind == .forbidden)
        #expect(error?.code == "PublishBlocked")
        #expect(error?.message.contains("team") == true)

        _ = try await fixture.packages.ensurePackage(in: app, key: tinyKey, controls: .internalPackage)
        try await service.ensurePublishable(tinyKey, to: app)
        try await fixture.publish(tinyKey, "2.0.0", content: "app's widget", to: app)
        #expect(try await storedVersion("2.0.0", in: app)?.1.origin.type == .internal)
    }

    @Test("publishing a name the external connection has is refused; origin controls set to publish=ALLOW let it through")
    func publishBlockedByExternalConnection() async throws {
        let (app, _, store) = try await world.chain()
        try world.offer("widget", ["1.0.0": upstreamTime1])

        for repository in [app, store] {
            let error = await #expect(throws: DepotError.self) { try await service.ensurePublishable(tinyKey, to: repository) }
            #expect(error?.kind == .forbidden)
            #expect(error?.code == "PublishBlocked")
            #expect(error?.message.contains("public:npmjs") == true)
        }

        // Once a version was fetched, app holds the package with publish=BLOCK: the write path refuses...
        _ = try #require(try await service.asset(named: "widget-1.0.0.tiny", version: "1.0.0", of: tinyKey, in: app))
        try await service.ensurePublishable(tinyKey, to: app)
        let blocked = await #expect(throws: DepotError.self) {
            try await fixture.publish(tinyKey, "1.1.0", content: "internal widget", to: app)
        }
        #expect(blocked?.code == "PublishBlocked")
        // ...until its origin controls allow publishing.
        let package = try #require(try await fixture.packages.package(in: app, key: tinyKey))
        try await fixture.packages.setOriginControls(OriginControls(publish: .allow, upstream: .allow), of: package)
        try await fixture.publish(tinyKey, "1.1.0", content: "internal widget", to: app)
        let view = try await service.view(of: tinyKey, from: app)
        #expect(view.entries.map(\.version).sorted() == ["1.0.0", "1.1.0"])
    }

    @Test("a name no upstream has may be published")
    func publishUnknownName() async throws {
        let (app, _, _) = try await world.chain()
        try await service.ensurePublishable(tinyKey, to: app)
        #expect(world.http.requests(to: world.documentURL("widget")).count == 1)
    }

    @Test(
        "an unreachable upstream does not block publishing",
        arguments: [
            FakeUpstreamHTTP.Reply.failure(.badGateway("connection refused")),
            .failure(.gatewayTimeout("timed out")),
            .status(500),
        ])
    func unreachableUpstreamDoesNotBlock(failure: FakeUpstreamHTTP.Reply) async throws {
        let (app, _, _) = try await world.chain()
        world.http.reply(world.documentURL("widget"), failure)
        try await service.ensurePublishable(tinyKey, to: app)
        try await fixture.publish(tinyKey, "1.0.0", content: "ours", to: app)
        #expect(try await storedVersion("1.0.0", in: app) != nil)
    }
}
