import DepotCore
import DepotStorage
import Foundation
import Testing

@Suite("Domains")
struct DomainTests {
    @Test("create, look up, list (sorted) and delete domains")
    func lifecycle() async throws {
        let fixture = try StorageFixture()
        let zeta = try await fixture.repositories.createDomain(name: "zeta")
        let acme = try await fixture.repositories.createDomain(name: "acme")
        #expect(zeta.id != acme.id)
        #expect(try await fixture.repositories.listDomains().map(\.name) == ["acme", "zeta"])
        let found = try await fixture.repositories.domain(named: "acme")
        #expect(found.id == acme.id)
        #expect(found.name == "acme")
        #expect(try await fixture.store.domain(named: "nope") == nil)

        try await fixture.repositories.deleteDomain(name: "zeta")
        #expect(try await fixture.repositories.listDomains().map(\.name) == ["acme"])
        let error = await #expect(throws: DepotError.self) { try await fixture.repositories.domain(named: "zeta") }
        #expect(error?.kind == .notFound)
        #expect(error?.code == "DomainNotFound")
    }

    @Test("a duplicate domain is a 409")
    func duplicate() async throws {
        let fixture = try StorageFixture()
        _ = try await fixture.repositories.createDomain(name: "acme")
        let error = await #expect(throws: DepotError.self) { try await fixture.repositories.createDomain(name: "acme") }
        #expect(error?.kind == .conflict)
        #expect(error?.code == "DomainExists")
        // Also straight through the store.
        let direct = await #expect(throws: DepotError.self) { try await fixture.store.createDomain(name: "acme", at: Date()) }
        #expect(direct?.kind == .conflict)
        #expect(try await fixture.store.listDomains().count == 1)
    }

    @Test("invalid domain names are refused before anything is stored")
    func invalidName() async throws {
        let fixture = try StorageFixture()
        for name in ["Acme", "..", "api", "a/b", "x"] {
            let error = await #expect(throws: DepotError.self) { try await fixture.repositories.createDomain(name: name) }
            #expect(error?.kind == .badRequest)
        }
        #expect(try await fixture.store.listDomains().isEmpty)
    }

    @Test("a domain that still holds repositories cannot be deleted")
    func deleteNonEmpty() async throws {
        let fixture = try StorageFixture()
        try await fixture.makeDomain("acme", repositories: [("store", [])])
        let error = await #expect(throws: DepotError.self) { try await fixture.repositories.deleteDomain(name: "acme") }
        #expect(error?.kind == .conflict)
        #expect(error?.code == "DomainNotEmpty")
        try await fixture.repositories.deleteRepository(domain: "acme", name: "store")
        try await fixture.repositories.deleteDomain(name: "acme")
        #expect(try await fixture.repositories.listDomains().isEmpty)
    }

    @Test("deleting a domain removes its tokens")
    func deleteRemovesTokens() async throws {
        let fixture = try StorageFixture()
        let domain = try await fixture.repositories.createDomain(name: "acme")
        let record = TokenRecord(
            id: "tok1", name: "ci", scope: TokenScope(domain: "acme", permissions: [.read]), createdAt: Date(),
            expiresAt: Date().addingTimeInterval(3600))
        try await fixture.store.insertToken(record, secretHash: String(repeating: "1", count: 64))
        try await fixture.store.deleteDomain(id: domain.id)
        #expect(try await fixture.store.listTokens(domain: "acme").isEmpty)
        #expect(try await fixture.store.token(secretHash: String(repeating: "1", count: 64)) == nil)
    }
}

@Suite("Repositories")
struct RepositoryTests {
    @Test("upstream names round-trip in their order")
    func upstreamOrder() async throws {
        let fixture = try StorageFixture()
        let created = try await fixture.makeDomain(
            "acme", repositories: [("c-repo", []), ("a-repo", []), ("b-repo", []), ("top", ["c-repo", "a-repo", "b-repo"])])
        #expect(created.last?.upstreams == ["c-repo", "a-repo", "b-repo"])

        let fetched = try await fixture.repositories.repository(domain: "acme", name: "top")
        #expect(fetched.upstreams == ["c-repo", "a-repo", "b-repo"])
        #expect(fetched.name == "top")
        #expect(fetched.id == created.last?.id)

        // Reordering is persisted too.
        _ = try await fixture.repositories.updateRepository(
            domain: "acme", name: "top", settings: RepositorySettings(upstreams: ["b-repo", "c-repo"]))
        #expect(try await fixture.repositories.repository(domain: "acme", name: "top").upstreams == ["b-repo", "c-repo"])

        // Listing is by name.
        #expect(try await fixture.repositories.listRepositories(domain: "acme").map(\.name) == ["a-repo", "b-repo", "c-repo", "top"])
    }

    @Test("all settings round-trip")
    func settingsRoundTrip() async throws {
        let fixture = try StorageFixture()
        _ = try await fixture.repositories.createDomain(name: "acme")
        _ = try await fixture.repositories.createRepository(
            domain: "acme", name: "npm-store",
            settings: RepositorySettings(description: "public npm cache", externalConnection: "public:npmjs", allowAnonymousRead: true))
        var repository = try await fixture.repositories.repository(domain: "acme", name: "npm-store")
        #expect(repository.description == "public npm cache")
        #expect(repository.externalConnection == "public:npmjs")
        #expect(repository.allowAnonymousRead)
        #expect(repository.upstreams.isEmpty)

        repository = try await fixture.repositories.updateRepository(
            domain: "acme", name: "npm-store",
            settings: RepositorySettings(description: "changed", externalConnection: .some(nil), allowAnonymousRead: false))
        let fetched = try await fixture.repositories.repository(domain: "acme", name: "npm-store")
        #expect(fetched == repository)
        #expect(fetched.description == "changed")
        #expect(fetched.externalConnection == nil)
        #expect(!fetched.allowAnonymousRead)
    }

    @Test("an unknown external connection is refused")
    func unknownConnection() async throws {
        let fixture = try StorageFixture()
        _ = try await fixture.repositories.createDomain(name: "acme")
        let error = await #expect(throws: DepotError.self) {
            try await fixture.repositories.createRepository(
                domain: "acme", name: "store", settings: RepositorySettings(externalConnection: "public:evil"))
        }
        #expect(error?.kind == .badRequest)
        #expect(error?.code == "UnknownExternalConnection")
        #expect(try await fixture.repositories.listRepositories(domain: "acme").isEmpty)
    }

    @Test("a duplicate repository is a 409; the same name in another domain is fine")
    func duplicate() async throws {
        let fixture = try StorageFixture()
        try await fixture.makeDomain("acme", repositories: [("store", [])])
        let error = await #expect(throws: DepotError.self) {
            try await fixture.repositories.createRepository(domain: "acme", name: "store", settings: RepositorySettings())
        }
        #expect(error?.kind == .conflict)
        #expect(error?.code == "RepositoryExists")
        try await fixture.makeDomain("other", repositories: [("store", [])])
    }

    @Test("creating a repository in a missing domain is a 404")
    func missingDomain() async throws {
        let fixture = try StorageFixture()
        let error = await #expect(throws: DepotError.self) {
            try await fixture.repositories.createRepository(domain: "ghost", name: "store", settings: RepositorySettings())
        }
        #expect(error?.kind == .notFound)
    }

    @Test("upstream rules are enforced on create and update")
    func upstreamRules() async throws {
        let fixture = try StorageFixture()
        try await fixture.makeDomain("acme", repositories: [("aa", []), ("bb", ["aa"]), ("cc", ["bb"])])

        let unknown = await #expect(throws: DepotError.self) {
            try await fixture.repositories.createRepository(domain: "acme", name: "dd", settings: RepositorySettings(upstreams: ["zz"]))
        }
        #expect(unknown?.code == "UnknownUpstream")

        // cc -> bb -> aa; making aa point at cc closes the loop.
        let cycle = await #expect(throws: DepotError.self) {
            try await fixture.repositories.updateRepository(domain: "acme", name: "aa", settings: RepositorySettings(upstreams: ["cc"]))
        }
        #expect(cycle?.kind == .badRequest)
        #expect(cycle?.code == "UpstreamCycle")
        #expect(try await fixture.repositories.repository(domain: "acme", name: "aa").upstreams.isEmpty)

        // Upstreams of another domain do not exist here.
        try await fixture.makeDomain("other", repositories: [("elsewhere", [])])
        let crossDomain = await #expect(throws: DepotError.self) {
            try await fixture.repositories.updateRepository(
                domain: "acme", name: "aa", settings: RepositorySettings(upstreams: ["elsewhere"]))
        }
        #expect(crossDomain?.code == "UnknownUpstream")
    }

    @Test("search order goes through upstreams depth first")
    func searchOrder() async throws {
        let fixture = try StorageFixture()
        try await fixture.makeDomain(
            "acme", repositories: [("dd", []), ("bb", ["dd"]), ("cc", ["dd"]), ("aa", ["bb", "cc"])])
        let order = try await fixture.repositories.searchOrder(domain: "acme", repository: "aa")
        #expect(order.map(\.name) == ["aa", "bb", "dd", "cc"])
    }

    @Test("a repository that is an upstream of another cannot be deleted")
    func deleteUpstreamRefused() async throws {
        let fixture = try StorageFixture()
        try await fixture.makeDomain("acme", repositories: [("shared", []), ("team", ["shared"])])
        let error = await #expect(throws: DepotError.self) {
            try await fixture.repositories.deleteRepository(domain: "acme", name: "shared")
        }
        #expect(error?.kind == .conflict)
        #expect(error?.code == "RepositoryInUse")
        #expect(error?.message.contains("team") == true)
        #expect(try await fixture.repositories.listRepositories(domain: "acme").count == 2)

        // Once nothing points at it, it can go.
        _ = try await fixture.repositories.updateRepository(domain: "acme", name: "team", settings: RepositorySettings(upstreams: []))
        try await fixture.repositories.deleteRepository(domain: "acme", name: "shared")
        #expect(try await fixture.repositories.listRepositories(domain: "acme").map(\.name) == ["team"])
    }

    @Test("deleting a missing repository is a 404")
    func deleteMissing() async throws {
        let fixture = try StorageFixture()
        try await fixture.makeDomain("acme", repositories: [])
        let error = await #expect(throws: DepotError.self) { try await fixture.repositories.deleteRepository(domain: "acme", name: "nope") }
        #expect(error?.kind == .notFound)
        #expect(error?.code == "RepositoryNotFound")
    }
}

@Suite("Token records in SQLite")
struct TokenStoreTests {
    func record(_ id: String, domain: String?, repositories: [String]? = nil, permissions: Set<Permission>, expires: Date?) -> TokenRecord {
        TokenRecord(
            id: id, name: "name-\(id)", scope: TokenScope(domain: domain, repositories: repositories, permissions: permissions),
            createdAt: Date(timeIntervalSince1970: 1_700_000_000), expiresAt: expires)
    }

    @Test("tokens are found by their hash, with their scope intact")
    func insertAndLookup() async throws {
        let fixture = try StorageFixture()
        let expires = Date(timeIntervalSince1970: 1_700_003_600)
        let scoped = record("t1", domain: "acme", repositories: ["npm-store", "team"], permissions: [.read, .publish], expires: expires)
        let global = record("t2", domain: nil, permissions: [.admin], expires: nil)
        let hash1 = String(repeating: "a", count: 64)
        let hash2 = String(repeating: "b", count: 64)
        try await fixture.store.insertToken(scoped, secretHash: hash1)
        try await fixture.store.insertToken(global, secretHash: hash2)

        #expect(try await fixture.store.token(secretHash: hash1) == scoped)
        #expect(try await fixture.store.token(secretHash: hash2) == global)
        #expect(try await fixture.store.token(secretHash: String(repeating: "c", count: 64)) == nil)
        #expect(try await fixture.store.token(secretHash: String(hash1.dropLast())) == nil)
    }

    @Test("listing is per domain (nil lists the global tokens)")
    func listByDomain() async throws {
        let fixture = try StorageFixture()
        try await fixture.store.insertToken(record("t1", domain: "acme", permissions: [.read], expires: nil), secretHash: "h1")
        try await fixture.store.insertToken(record("t2", domain: "other", permissions: [.read], expires: nil), secretHash: "h2")
        try await fixture.store.insertToken(record("t3", domain: nil, permissions: [.admin], expires: nil), secretHash: "h3")
        #expect(try await fixture.store.listTokens(domain: "acme").map(\.id) == ["t1"])
        #expect(try await fixture.store.listTokens(domain: "other").map(\.id) == ["t2"])
        #expect(try await fixture.store.listTokens(domain: nil).map(\.id) == ["t3"])
    }

    @Test("a duplicate token id or hash is a 409")
    func duplicate() async throws {
        let fixture = try StorageFixture()
        try await fixture.store.insertToken(record("t1", domain: "acme", permissions: [.read], expires: nil), secretHash: "h1")
        let sameID = await #expect(throws: DepotError.self) {
            try await fixture.store.insertToken(record("t1", domain: "acme", permissions: [.read], expires: nil), secretHash: "h2")
        }
        #expect(sameID?.kind == .conflict)
        let sameHash = await #expect(throws: DepotError.self) {
            try await fixture.store.insertToken(record("t9", domain: "acme", permissions: [.read], expires: nil), secretHash: "h1")
        }
        #expect(sameHash?.kind == .conflict)
    }

    @Test("revocation marks the record once, only within its domain")
    func revoke() async throws {
        let fixture = try StorageFixture()
        try await fixture.store.insertToken(record("t1", domain: "acme", permissions: [.read], expires: nil), secretHash: "h1")
        let when = Date(timeIntervalSince1970: 1_700_000_500)

        #expect(try await fixture.store.revokeToken(id: "t1", domain: "other", at: when) == false)
        #expect(try await fixture.store.revokeToken(id: "t1", domain: nil, at: when) == false)
        #expect(try await fixture.store.token(secretHash: "h1")?.revokedAt == nil)

        #expect(try await fixture.store.revokeToken(id: "t1", domain: "acme", at: when))
        let revoked = try #require(try await fixture.store.token(secretHash: "h1"))
        #expect(revoked.revokedAt == when)
        #expect(!revoked.isValid(at: when.addingTimeInterval(1)))

        #expect(try await fixture.store.revokeToken(id: "t1", domain: "acme", at: when.addingTimeInterval(10)) == false)
        #expect(try await fixture.store.token(secretHash: "h1")?.revokedAt == when)
        #expect(try await fixture.store.revokeToken(id: "missing", domain: "acme", at: when) == false)
    }
}
