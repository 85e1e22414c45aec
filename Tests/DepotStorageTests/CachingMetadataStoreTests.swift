import DepotCore
import DepotStorage
import Foundation
import Synchronization
import Testing

@Suite("Caching metadata store")
struct CachingMetadataStoreTests {
    /// A clock the test moves.
    final class Clock: Sendable {
        private let current = Mutex(Date())
        var now: Date { current.withLock { $0 } }
        func advance(_ seconds: TimeInterval) { current.withLock { $0 += seconds } }
    }

    @Test("warm reads are answered from memory: no miss after the first of each")
    func warmReadsHitMemory() async throws {
        let fixture = try StorageFixture()
        let repository = try await fixture.makeDomain()[0]
        let key = PackageKey(format: "npm", name: "pkg")
        try await fixture.publish(key, "1.0.0", content: "a", to: repository, tags: ["latest"])
        let cache = CachingMetadataStore(fixture.store, feed: InProcessChangeFeed())
        func readAll() async throws {
            let domain = try #require(try await cache.domain(named: "acme"))
            _ = try await cache.repository(domainID: domain.id, name: repository.name)
            let package = try #require(try await cache.package(repositoryID: repository.id, key: key))
            let version = try #require(try await cache.version(packageID: package.id, version: "1.0.0"))
            #expect(try await cache.assets(versionID: version.id).count == 1)
            #expect(try await cache.tags(packageID: package.id) == ["latest": "1.0.0"])
            #expect(try await cache.package(repositoryID: repository.id, key: PackageKey(format: "npm", name: "absent")) == nil)
        }
        try await readAll()
        let afterFirst = cache.statistics.misses
        for _ in 0..<5 { try await readAll() }
        #expect(cache.statistics.misses == afterFirst)
        #expect(cache.statistics.hits > 0)
    }

    @Test("an expired token is refused on the first request after its expiry, though its record is cached")
    func expiryIsCheckedOnEveryHit() async throws {
        let fixture = try StorageFixture()
        _ = try await fixture.makeDomain()
        let clock = Clock()
        let cache = CachingMetadataStore(fixture.store, feed: InProcessChangeFeed())
        let access = AccessService(store: cache, defaultLifetime: 3600, maxLifetime: 7200, now: { clock.now })
        let admin = try await access.authenticate(secret: try await access.createBootstrapToken())
        let (_, secret) = try await access.createToken(
            by: admin, scope: TokenScope(domain: "acme", permissions: [.read]), durationSeconds: 900, name: "short")
        _ = try await access.authenticate(secret: secret)
        _ = try await access.authenticate(secret: secret)
        clock.advance(899)
        _ = try await access.authenticate(secret: secret)
        clock.advance(2)
        await #expect(throws: DepotError.self) { try await access.authenticate(secret: secret) }
    }

    @Test("a lookup that read the store before a change does not keep its old answer")
    func aFillRacingAChangeIsDropped() async throws {
        let fixture = try StorageFixture()
        let repository = try await fixture.makeDomain()[0]
        let key = PackageKey(format: "npm", name: "late")
        let gated = GatedStore(inner: fixture.store)
        let cache = CachingMetadataStore(gated, feed: InProcessChangeFeed())
        let gate = gated.gateNextPackageLookup()
        let early = Task { try await cache.package(repositoryID: repository.id, key: key) }
        await gate.arrived.wait()
        // The lookup has read "no such package"; the package is created before it can remember that.
        let created = try await cache.ensurePackage(repositoryID: repository.id, key: key, controls: .internalPackage)
        gate.release.signal()
        #expect(try await early.value == nil)
        #expect(try await cache.package(repositoryID: repository.id, key: key)?.id == created.id)
    }

    @Test("the feed reaches every subscriber before publish returns; each change drops only what it names")
    func exactInvalidation() async throws {
        let fixture = try StorageFixture()
        let repository = try await fixture.makeDomain()[0]
        let first = PackageKey(format: "npm", name: "first")
        let second = PackageKey(format: "npm", name: "second")
        try await fixture.publish(first, "1.0.0", content: "a", to: repository)
        try await fixture.publish(second, "1.0.0", content: "b", to: repository)
        let feed = InProcessChangeFeed()
        let seen = Mutex<[MetadataChange]>([])
        feed.subscribe { change in seen.withLock { $0.append(change) } }
        let cache = CachingMetadataStore(fixture.store, feed: feed)
        let one = try #require(try await cache.package(repositoryID: repository.id, key: first))
        let two = try #require(try await cache.package(repositoryID: repository.id, key: second))
        _ = try await cache.versions(packageID: one.id)
        _ = try await cache.versions(packageID: two.id)
        let misses = cache.statistics.misses
        try await cache.setTag(packageID: one.id, tag: "beta", version: "1.0.0")
        #expect(seen.withLock { $0 } == [.package(packageID: one.id, location: nil)])
        _ = try await cache.package(repositoryID: repository.id, key: second)
        _ = try await cache.versions(packageID: two.id)
        #expect(cache.statistics.misses == misses)
        #expect(try await cache.package(repositoryID: repository.id, key: first)?.revision == one.revision + 1)
        #expect(cache.statistics.misses == misses + 1)
    }
}
