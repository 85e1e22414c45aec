import DepotCore
import DepotStorage
import Foundation
import Synchronization
import Testing

/// Resource tags of domains and repositories in SQLite, through the caching store that announces every change,
/// with CodeArtifact's limits applied by the repository service.
@Suite("Resource tags")
struct ResourceTagStoreTests {
    static func tags(_ pairs: [(String, String)]) -> [ResourceTag] { pairs.map { ResourceTag(key: $0.0, value: $0.1) } }

    @Test("tag, replace, untag; each write announced on the feed; tags go with their resource")
    func lifecycle() async throws {
        let fixture = try StorageFixture()
        let feed = InProcessChangeFeed()
        let seen = Mutex<[MetadataChange]>([])
        feed.subscribe { change in seen.withLock { $0.append(change) } }
        let cache = CachingMetadataStore(fixture.store, feed: feed)
        let repositories = RepositoryService(
            store: cache, collector: BlobCollector(store: cache, blobs: fixture.blobs, logger: .init(label: "test")),
            externalConnections: StorageFixture.connections)

        let domain = try await repositories.createDomain(name: "acme", tags: Self.tags([("team", "core"), ("cost", "1")]))
        let repository = try await repositories.createRepository(
            domain: "acme", name: "app", settings: RepositorySettings(), tags: Self.tags([("tier", "gold")]))
        #expect(try await repositories.tags(domain: "acme", repository: nil) == Self.tags([("cost", "1"), ("team", "core")]))
        #expect(try await repositories.tags(domain: "acme", repository: "app") == Self.tags([("tier", "gold")]))
        #expect(seen.withLock { $0 }.contains(.resourceTags(.domain(id: domain.id))))
        #expect(seen.withLock { $0 }.contains(.resourceTags(.repository(id: repository.id))))

        try await repositories.tag(domain: "acme", repository: "app", with: Self.tags([("tier", "silver"), ("owner", "")]))
        #expect(try await repositories.tags(domain: "acme", repository: "app") == Self.tags([("owner", ""), ("tier", "silver")]))
        try await repositories.untag(domain: "acme", repository: "app", keys: ["tier", "absent"])
        #expect(try await repositories.tags(domain: "acme", repository: "app") == Self.tags([("owner", "")]))
        #expect(seen.withLock { $0 }.last == .resourceTags(.repository(id: repository.id)))

        // A repository of the same name later starts without tags; so does a domain.
        try await repositories.deleteRepository(domain: "acme", name: "app")
        _ = try await repositories.createRepository(domain: "acme", name: "app", settings: RepositorySettings())
        #expect(try await repositories.tags(domain: "acme", repository: "app").isEmpty)
        try await repositories.deleteRepository(domain: "acme", name: "app")
        try await repositories.deleteDomain(name: "acme")
        _ = try await repositories.createDomain(name: "acme")
        #expect(try await repositories.tags(domain: "acme", repository: nil).isEmpty)
        await #expect(throws: DepotError.self) { try await repositories.tags(domain: "acme", repository: "gone") }
    }

    @Test("at most 50 tags a resource, counted with those it has; a refused change changes nothing")
    func limit() async throws {
        let fixture = try StorageFixture()
        try await fixture.makeDomain()
        let forty = (0..<40).map { ResourceTag(key: "k\($0)", value: "v") }
        try await fixture.repositories.tag(domain: "acme", repository: "store", with: forty)
        let more = (40..<51).map { ResourceTag(key: "k\($0)", value: "v") }
        let error = await #expect(throws: DepotError.self) {
            try await fixture.repositories.tag(domain: "acme", repository: "store", with: more)
        }
        #expect(error?.code == "TooManyTags")
        #expect(try await fixture.repositories.tags(domain: "acme", repository: "store").count == 40)
        // Replacing values of keys it has does not count twice; ten new keys reach exactly 50.
        try await fixture.repositories.tag(domain: "acme", repository: "store", with: forty + Array(more.prefix(10)))
        #expect(try await fixture.repositories.tags(domain: "acme", repository: "store").count == 50)
        let tooMany = (0..<51).map { ResourceTag(key: "n\($0)", value: "") }
        await #expect(throws: DepotError.self) {
            try await fixture.repositories.createRepository(domain: "acme", name: "other", settings: RepositorySettings(), tags: tooMany)
        }
        let acme = try await fixture.repositories.domain(named: "acme")
        #expect(try await fixture.store.repository(domainID: acme.id, name: "other") == nil)
    }

    @Test("keys of 1-128 characters without the aws: prefix or control characters, values up to 256")
    func rules() async throws {
        let fixture = try StorageFixture()
        try await fixture.makeDomain()
        let refused: [ResourceTag] = [
            ResourceTag(key: "", value: "v"),
            ResourceTag(key: String(repeating: "k", count: 129), value: "v"),
            ResourceTag(key: "aws:owner", value: "v"),
            ResourceTag(key: "AWS:owner", value: "v"),
            ResourceTag(key: "line\nbreak", value: "v"),
            ResourceTag(key: "k", value: String(repeating: "v", count: 257)),
            ResourceTag(key: "k", value: "tab\there"),
        ]
        for tag in refused {
            let error = await #expect(throws: DepotError.self) {
                try await fixture.repositories.tag(domain: "acme", repository: "store", with: [tag])
            }
            #expect(error?.code == "InvalidTag", "\(tag)")
        }
        await #expect(throws: DepotError.self) { try await fixture.repositories.untag(domain: "acme", repository: nil, keys: ["aws:x"]) }
        let longest = [ResourceTag(key: String(repeating: "é", count: 128), value: String(repeating: "ü", count: 256))]
        try await fixture.repositories.tag(domain: "acme", repository: nil, with: longest)
        #expect(try await fixture.repositories.tags(domain: "acme", repository: nil) == longest)
        #expect(try await fixture.repositories.tags(domain: "acme", repository: "store").isEmpty)
    }
}
