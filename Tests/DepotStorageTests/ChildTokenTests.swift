import DepotCore
import DepotStorage
import Foundation
import Testing

/// Tokens minted by tokens: they never outlive their parent and are revoked with it.
@Suite("Child tokens")
struct ChildTokenTests {
    static let t0 = Date(timeIntervalSince1970: 1_750_000_000)

    func mint(_ access: AccessService, by parent: Identity, seconds: TimeInterval? = nil) async throws -> (TokenRecord, Identity) {
        let (record, secret) = try await access.createToken(
            by: parent, scope: TokenScope(domain: "acme", permissions: [.read]), durationSeconds: seconds, name: nil)
        return (record, try await access.authenticate(secret: secret))
    }

    @Test("a child records its parent and expires no later than it")
    func expiryCapped() async throws {
        let fixture = try StorageFixture()
        let access = fixture.access(defaultLifetime: 12 * 3600, maxLifetime: 24 * 3600, now: Self.t0)
        let root = try await access.authenticate(secret: try await access.createBootstrapToken())
        let (parentRecord, parent) = try await mint(access, by: root, seconds: 3600)
        #expect(parentRecord.parentID == root.tokenID)
        #expect(parent.expiresAt == Self.t0.addingTimeInterval(3600))

        // Asking for 12 hours from a parent with one hour left gives one hour.
        let (child, childIdentity) = try await mint(access, by: parent, seconds: 12 * 3600)
        #expect(child.parentID == parentRecord.id)
        #expect(child.expiresAt == Self.t0.addingTimeInterval(3600))
        // Shorter than the parent: as asked.
        let (short, _) = try await mint(access, by: parent, seconds: 1800)
        #expect(short.expiresAt == Self.t0.addingTimeInterval(1800))
        // And down the tree.
        let (grandchild, _) = try await mint(access, by: childIdentity, seconds: 24 * 3600)
        #expect(grandchild.expiresAt == Self.t0.addingTimeInterval(3600))

        // At the parent's expiry the child is expired too.
        let later = fixture.access(now: Self.t0.addingTimeInterval(3601))
        let listed = try await later.listTokens(domain: "acme").first { $0.id == child.id }
        #expect(listed?.isValid(at: Self.t0.addingTimeInterval(3601)) == false)
    }

    @Test("revoking a token revokes its descendants, not its siblings or parent")
    func cascade() async throws {
        let fixture = try StorageFixture()
        let access = fixture.access()
        let root = try await access.authenticate(secret: try await access.createBootstrapToken())
        let (parentRecord, parent) = try await mint(access, by: root)
        let (childRecord, child) = try await mint(access, by: parent)
        let (grandchildRecord, _) = try await mint(access, by: child)
        let (siblingRecord, _) = try await mint(access, by: root)

        #expect(try await access.lineage(ofToken: grandchildRecord.id, domain: "acme") == [grandchildRecord.id, childRecord.id, parentRecord.id, root.tokenID])
        #expect(try await access.lineage(ofToken: "missing", domain: "acme") == nil)

        try await access.revoke(id: parentRecord.id, domain: "acme")
        let tokens = Dictionary(uniqueKeysWithValues: try await access.listTokens(domain: "acme").map { ($0.id, $0) })
        #expect(tokens[parentRecord.id]?.revokedAt != nil)
        #expect(tokens[childRecord.id]?.revokedAt != nil)
        #expect(tokens[grandchildRecord.id]?.revokedAt != nil)
        #expect(tokens[siblingRecord.id]?.revokedAt == nil)
        _ = try await access.authenticate(secret: try await access.createBootstrapToken())
    }

    @Test("a token whose parent was revoked meanwhile is not minted")
    func revokedParent() async throws {
        let fixture = try StorageFixture()
        let access = fixture.access()
        let root = try await access.authenticate(secret: try await access.createBootstrapToken())
        let (parentRecord, parent) = try await mint(access, by: root)
        try await access.revoke(id: parentRecord.id, domain: "acme")
        // `parent` authenticated before the revocation, as a request in flight would have.
        let error = await #expect(throws: DepotError.self) { try await mint(access, by: parent) }
        #expect(error?.kind == .unauthorized)
        #expect(try await access.listTokens(domain: "acme").count == 1)
    }

    @Test("service tokens (server builds) have no parent")
    func serviceToken() async throws {
        let fixture = try StorageFixture()
        let access = fixture.access()
        let (record, _) = try await access.createServiceToken(
            scope: TokenScope(domain: "acme", repositories: ["main"], permissions: [.read, .publish]), durationSeconds: 3600,
            name: "build-x")
        #expect(record.parentID == nil)
        #expect(try await fixture.store.listTokens(domain: "acme").first?.parentID == nil)
    }
}
