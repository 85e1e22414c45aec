import DepotCore
import DepotStorage
import Foundation
import Testing

@Suite("AccessService")
struct AccessServiceTests {
    static let t0 = Date(timeIntervalSince1970: 1_750_000_000)

    func identity(domain: String?, repositories: [String]? = nil, _ permissions: Set<Permission>) -> Identity {
        Identity(tokenID: "caller", name: "caller", scope: TokenScope(domain: domain, repositories: repositories, permissions: permissions))
    }

    // MARK: Bootstrap and secrets

    @Test("the bootstrap token authenticates as a never-expiring admin of every domain")
    func bootstrap() async throws {
        let fixture = try StorageFixture()
        let access = fixture.access()
        let secret = try await access.createBootstrapToken()
        #expect(secret.hasPrefix("dpt_"))
        #expect(secret.count > 40)

        let caller = try await access.authenticate(secret: secret)
        #expect(caller.scope.domain == nil)
        #expect(caller.scope.repositories == nil)
        #expect(caller.scope.permissions == [.admin])
        #expect(caller.name == "admin")
        try AuthorizationPolicy().authorize(caller, .admin, on: .domains)

        // Still valid a century later.
        let later = fixture.access(now: Date().addingTimeInterval(100 * 365 * 86_400))
        #expect(try await later.authenticate(secret: secret) == caller)
        let record = try #require(try await fixture.store.listTokens(domain: nil).first)
        #expect(record.expiresAt == nil)
    }

    @Test("secrets are prefixed, URL-safe and unique")
    func secretShape() async throws {
        let fixture = try StorageFixture()
        let access = fixture.access()
        var seen: Set<String> = []
        for _ in 0..<20 {
            let secret = try await access.createBootstrapToken()
            #expect(secret.hasPrefix(AccessService.secretPrefix))
            let body = secret.dropFirst(AccessService.secretPrefix.count)
            #expect(body.allSatisfy { ("a"..."z").contains($0) || ("2"..."7").contains($0) })
            #expect(body.count >= 52)  // 256 random bits in base32
            seen.insert(secret)
        }
        #expect(seen.count == 20)
    }

    @Test("only the SHA-256 of a secret is stored, never the secret itself")
    func onlyHashStored() async throws {
        let fixture = try StorageFixture()
        let access = fixture.access()
        let bootstrap = try await access.createBootstrapToken()
        let admin = try await access.authenticate(secret: bootstrap)
        let minted = try await access.createToken(
            by: admin, scope: TokenScope(domain: "acme", permissions: [.read]), durationSeconds: 3600, name: "ci")

        // The store finds tokens by hash.
        #expect(try await fixture.store.token(secretHash: AccessService.hash(minted.secret))?.id == minted.record.id)
        #expect(AccessService.hash(minted.secret) != minted.secret)
        #expect(AccessService.hash(minted.secret).count == 64)

        // Scan every file the database consists of (main file, WAL, shared memory).
        var everything = Data()
        for name in try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path) where name.hasPrefix("depot.sqlite") {
            everything += try Data(contentsOf: fixture.directory.appendingPathComponent(name))
        }
        for secret in [bootstrap, minted.secret] {
            #expect(everything.range(of: Data(secret.utf8)) == nil, "a secret is stored in clear")
            // The part after the prefix must not be stored either.
            #expect(everything.range(of: Data(secret.dropFirst(4).utf8)) == nil)
            // Sanity check that the scan sees the token rows: their hashes are there.
            #expect(everything.range(of: Data(AccessService.hash(secret).utf8)) != nil)
        }
    }

    @Test("hash is the hex SHA-256 of the secret")
    func hashValue() {
        #expect(AccessService.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    // MARK: Authentication failures

    @Test(
        "unknown or malformed secrets are a 401",
        arguments: [
            "", "dpt_", "dpt_notarealtokenatallnotarealtokenatallnotarealtoken", "Bearer dpt_x", "abc",
            "dpt_" + String(repeating: "a", count: 300),
        ])
    func unknownSecret(secret: String) async throws {
        let fixture = try StorageFixture()
        let access = fixture.access()
        _ = try await access.createBootstrapToken()
        let error = await #expect(throws: DepotError.self) { try await access.authenticate(secret: secret) }
        #expect(error?.kind == .unauthorized)
    }

    @Test("a real secret without its prefix, or with a changed character, is refused")
    func tamperedSecret() async throws {
        let fixture = try StorageFixture()
        let access = fixture.access()
        let secret = try await access.createBootstrapToken()
        let withoutPrefix = String(secret.dropFirst(4))
        var tampered = Array(secret)
        tampered[tampered.count - 1] = tampered.last == "a" ? "b" : "a"
        for candidate in [withoutPrefix, String(tampered), secret.uppercased(), secret + "a", " " + secret] {
            let error = await #expect(throws: DepotError.self) { try await access.authenticate(secret: candidate) }
            #expect(error?.kind == .unauthorized)
        }
    }

    @Test("an expired token is a 401; it is valid until then")
    func expired() async throws {
        let fixture = try StorageFixture()
        let admin = identity(domain: "acme", [.admin])
        let minted = try await fixture.access(now: Self.t0).createToken(
            by: admin, scope: TokenScope(domain: "acme", permissions: [.read]), durationSeconds: 3600, name: nil)
        #expect(minted.record.expiresAt == Self.t0.addingTimeInterval(3600))
        #expect(minted.record.name == "caller")

        let justBefore = fixture.access(now: Self.t0.addingTimeInterval(3599))
        #expect(try await justBefore.authenticate(secret: minted.secret).tokenID == minted.record.id)

        for offset in [3600.0, 3601, 86_400] {
            let after = fixture.access(now: Self.t0.addingTimeInterval(offset))
            let error = await #expect(throws: DepotError.self) { try await after.authenticate(secret: minted.secret) }
            #expect(error?.kind == .unauthorized)
        }
    }

    @Test("a revoked token is a 401")
    func revoked() async throws {
        let fixture = try StorageFixture()
        let access = fixture.access()
        let minted = try await access.createToken(
            by: identity(domain: "acme", [.admin]), scope: TokenScope(domain: "acme", permissions: [.publish]),
            durationSeconds: nil, name: "deploy")
        #expect(try await access.authenticate(secret: minted.secret).name == "deploy")

        // Revoking in another domain does nothing and says so.
        let wrongDomain = await #expect(throws: DepotError.self) { try await access.revoke(id: minted.record.id, domain: "other") }
        #expect(wrongDomain?.kind == .notFound)
        #expect(wrongDomain?.code == "TokenNotFound")
        _ = try await access.authenticate(secret: minted.secret)

        try await access.revoke(id: minted.record.id, domain: "acme")
        let error = await #expect(throws: DepotError.self) { try await access.authenticate(secret: minted.secret) }
        #expect(error?.kind == .unauthorized)
        let listed = try await access.listTokens(domain: "acme")
        #expect(listed.map(\.id) == [minted.record.id])
        #expect(listed.first?.revokedAt != nil)

        let twice = await #expect(throws: DepotError.self) { try await access.revoke(id: minted.record.id, domain: "acme") }
        #expect(twice?.kind == .notFound)
    }

    // MARK: Minting

    @Test("lifetimes must be between 15 minutes and the maximum; nil means the default")
    func durations() async throws {
        let fixture = try StorageFixture()
        let access = fixture.access(defaultLifetime: 12 * 3600, maxLifetime: 24 * 3600, now: Self.t0)
        let admin = identity(domain: "acme", [.admin])
        let scope = TokenScope(domain: "acme", permissions: [.read])

        let refused: [TimeInterval] = [0, -1, 60, 840, 899, 86_401, 31_536_000]
        for seconds in refused {
            let error = await #expect(throws: DepotError.self) {
                try await access.createToken(by: admin, scope: scope, durationSeconds: seconds, name: nil)
            }
            #expect(error?.kind == .badRequest)
            #expect(error?.code == "InvalidDuration")
        }
        #expect(try await access.listTokens(domain: "acme").isEmpty)

        let shortest = try await access.createToken(by: admin, scope: scope, durationSeconds: 15 * 60, name: nil)
        #expect(shortest.record.expiresAt == Self.t0.addingTimeInterval(15 * 60))
        let longest = try await access.createToken(by: admin, scope: scope, durationSeconds: 24 * 3600, name: nil)
        #expect(longest.record.expiresAt == Self.t0.addingTimeInterval(24 * 3600))
        let byDefault = try await access.createToken(by: admin, scope: scope, durationSeconds: nil, name: nil)
        #expect(byDefault.record.expiresAt == Self.t0.addingTimeInterval(12 * 3600))
        #expect(byDefault.record.createdAt == Self.t0)
    }

    @Test("a token cannot mint a broader one (403)")
    func broaderScopeRefused() async throws {
        let fixture = try StorageFixture()
        let access = fixture.access()
        let reader = identity(domain: "acme", repositories: ["team"], [.read])
        let domainAdmin = identity(domain: "acme", [.admin])

        let refusals: [(Identity, TokenScope)] = [
            (reader, TokenScope(domain: "acme", repositories: ["team"], permissions: [.publish])),
            (reader, TokenScope(domain: "acme", repositories: ["team", "other"], permissions: [.read])),
            (reader, TokenScope(domain: "acme", repositories: nil, permissions: [.read])),
            (domainAdmin, TokenScope(domain: "other", permissions: [.read])),
            (domainAdmin, TokenScope(domain: nil, permissions: [.read])),
        ]
        for (caller, scope) in refusals {
            let error = await #expect(throws: DepotError.self) {
                try await access.createToken(by: caller, scope: scope, durationSeconds: nil, name: nil)
            }
            #expect(error?.kind == .forbidden, "\(caller.scope) minting \(scope)")
        }
        #expect(try await fixture.store.listTokens(domain: "acme").isEmpty)
        #expect(try await fixture.store.listTokens(domain: "other").isEmpty)
        #expect(try await fixture.store.listTokens(domain: nil).isEmpty)

        // Narrower is fine, and the new token has exactly the asked scope.
        let narrower = TokenScope(domain: "acme", repositories: ["team"], permissions: [.read])
        let minted = try await access.createToken(by: reader, scope: narrower, durationSeconds: nil, name: nil)
        #expect(try await access.authenticate(secret: minted.secret).scope == narrower)
    }

    @Test("a token needs a permission and a sensible name")
    func permissionsAndName() async throws {
        let fixture = try StorageFixture()
        let access = fixture.access()
        let admin = identity(domain: "acme", [.admin])

        let noPermissions = await #expect(throws: DepotError.self) {
            try await access.createToken(by: admin, scope: TokenScope(domain: "acme", permissions: []), durationSeconds: nil, name: nil)
        }
        #expect(noPermissions?.kind == .badRequest)
        #expect(noPermissions?.code == "InvalidPermissions")

        for name in ["", "has space", "semi;colon", String(repeating: "n", count: 65), "new\nline"] {
            let error = await #expect(throws: DepotError.self) {
                try await access.createToken(by: admin, scope: TokenScope(domain: "acme", permissions: [.read]), durationSeconds: nil, name: name)
            }
            #expect(error?.code == "InvalidName")
        }
        let named = try await access.createToken(
            by: admin, scope: TokenScope(domain: "acme", permissions: [.read]), durationSeconds: nil, name: "ci-bot_1.x@acme")
        #expect(named.record.name == "ci-bot_1.x@acme")
    }
}
