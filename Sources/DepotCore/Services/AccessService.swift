import Crypto
import Foundation

/// Tokens: minting (children of the caller's token), authentication (hash lookup, constant-time check), revocation.
/// Who may do what is `AuthorizationPolicy`'s question.
public struct AccessService: Sendable {
    public static let secretPrefix = "dpt_"
    public static let minimumLifetime: TimeInterval = 15 * 60

    private let store: any MetadataStore
    private let defaultLifetime: TimeInterval
    private let maxLifetime: TimeInterval
    private let now: @Sendable () -> Date

    public init(
        store: any MetadataStore, defaultLifetime: TimeInterval, maxLifetime: TimeInterval,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.defaultLifetime = defaultLifetime
        self.maxLifetime = maxLifetime
        self.now = now
    }

    /// Mints the never-expiring, all-domain admin token written to `<storage>/admin.token` on first start.
    public func createBootstrapToken() async throws -> String {
        let (_, secret) = try await insert(name: "admin", scope: TokenScope(domain: nil, permissions: [.admin]), expiresAt: nil)
        return secret
    }

    /// Mints a child of the caller's token: no broader than it, with a lifetime between 15 minutes and the configured
    /// maximum, cut to the caller's own expiry (a child never outlives its parent), revoked with it.
    public func createToken(
        by caller: Identity, scope: TokenScope, durationSeconds: TimeInterval?, name: String?
    ) async throws -> (record: TokenRecord, secret: String) {
        guard caller.scope.contains(scope) else {
            throw DepotError.forbidden("a token cannot grant more than the token that creates it")
        }
        var expiresAt = try validatedExpiry(scope: scope, durationSeconds: durationSeconds, name: name)
        if let parentExpiry = caller.expiresAt { expiresAt = min(expiresAt, parentExpiry) }
        return try await insert(name: name ?? caller.name, scope: scope, expiresAt: expiresAt, parentID: caller.tokenID)
    }

    /// Mints a token for the server itself (a server-side build's token): no parent; whoever asked for the build
    /// was authorized when it was queued.
    public func createServiceToken(
        scope: TokenScope, durationSeconds: TimeInterval, name: String
    ) async throws -> (record: TokenRecord, secret: String) {
        guard scope.domain != nil else { throw DepotError.badRequest("a service token belongs to one domain") }
        let expiresAt = try validatedExpiry(scope: scope, durationSeconds: durationSeconds, name: name)
        return try await insert(name: name, scope: scope, expiresAt: expiresAt, parentID: nil)
    }

    private func validatedExpiry(scope: TokenScope, durationSeconds: TimeInterval?, name: String?) throws -> Date {
        guard !scope.permissions.isEmpty else {
            throw DepotError.badRequest("a token needs at least one permission (read, publish, admin)", code: "InvalidPermissions")
        }
        let lifetime = durationSeconds ?? defaultLifetime
        guard lifetime >= Self.minimumLifetime, lifetime <= maxLifetime else {
            throw DepotError.badRequest(
                "durationSeconds must be between \(Int(Self.minimumLifetime)) and \(Int(maxLifetime))", code: "InvalidDuration")
        }
        if let name { try validateTokenName(name) }
        return now().addingTimeInterval(lifetime)
    }

    /// Resolves a presented secret to an identity, or throws 401.
    public func authenticate(secret: String) async throws -> Identity {
        guard secret.hasPrefix(Self.secretPrefix), secret.utf8.count < 200 else {
            throw DepotError.unauthorized("the token is not a Depot token")
        }
        let hash = Self.hash(secret)
        guard let record = try await store.token(secretHash: hash), record.isValid(at: now()) else {
            throw DepotError.unauthorized("the token is unknown, expired or revoked")
        }
        return Identity(tokenID: record.id, name: record.name, scope: record.scope, expiresAt: record.expiresAt)
    }

    /// Resolves a token by its id, for credentials derived from it (AWS access keys) once their signature checked out.
    public func authenticate(tokenID: String) async throws -> Identity {
        guard let record = try await store.token(id: tokenID), record.isValid(at: now()) else {
            throw DepotError.unauthorized("the token is unknown, expired or revoked")
        }
        return Identity(tokenID: record.id, name: record.name, scope: record.scope, expiresAt: record.expiresAt)
    }

    public func listTokens(domain: String, page: PageRequest) async throws -> Page<TokenRecord> {
        try await store.listTokens(domain: domain, page: page)
    }

    /// Revokes the token and every token minted from it.
    public func revoke(id: String, domain: String) async throws {
        guard try await store.revokeToken(id: id, domain: domain, at: now()) else {
            throw DepotError.notFound("no token '\(id)' in domain '\(domain)'", code: "TokenNotFound")
        }
    }

    /// The token's id followed by its ancestors' (who minted it, who minted that, ...) as far as they belong to the
    /// domain; nil when the domain has no such token.
    public func lineage(ofToken id: String, domain: String) async throws -> [String]? {
        // One lookup per generation: a token's ancestors are few, the domain's tokens may be many.
        func inDomain(_ id: String) async throws -> TokenRecord? {
            try await store.token(id: id).flatMap { $0.scope.domain == domain ? $0 : nil }
        }
        guard var current = try await inDomain(id) else { return nil }
        var lineage = [id]
        while let parent = current.parentID, !lineage.contains(parent) {
            lineage.append(parent)
            guard let next = try await inDomain(parent) else { break }
            current = next
        }
        return lineage
    }

    public static func hash(_ secret: String) -> String {
        Hex.encode(SHA256.hash(data: Data(secret.utf8)))
    }

    private func insert(
        name: String, scope: TokenScope, expiresAt: Date?, parentID: String? = nil
    ) async throws -> (record: TokenRecord, secret: String) {
        let secret = Self.secretPrefix + Self.randomBase32(byteCount: 32)
        let record = TokenRecord(
            id: Self.randomBase32(byteCount: 10), name: name, scope: scope, createdAt: now(), expiresAt: expiresAt,
            parentID: parentID)
        try await store.insertToken(record, secretHash: Self.hash(secret))
        return (record, secret)
    }

    private func validateTokenName(_ name: String) throws {
        guard (1...64).contains(name.count), name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.@".contains($0) }) else {
            throw DepotError.badRequest("token name must be 1-64 letters, digits or -_.@", code: "InvalidName")
        }
    }

    /// Lowercase RFC 4648 base32 without padding: URL-, shell- and config-file-safe.
    static func randomBase32(byteCount: Int) -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<byteCount).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
        var out = ""
        var buffer = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        if bits > 0 { out.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return out
    }
}
