import Foundation

public enum Permission: String, Sendable, Codable, CaseIterable, Comparable {
    case read, publish, admin
    /// Answering pipeline approvals: apart from `read`, nothing else; `admin` implies it.
    case approve

    private var rank: Int {
        switch self {
        case .read: 0
        case .publish, .approve: 1
        case .admin: 2
        }
    }

    /// `admin` implies every permission and every permission implies `read`; `publish` and `approve` are apart.
    public func implies(_ other: Permission) -> Bool {
        self == other || self == .admin || other == .read
    }

    public static func < (lhs: Permission, rhs: Permission) -> Bool { lhs.rank < rhs.rank }
}

/// What a token may do: which domain (nil = every domain, the bootstrap token), which repositories
/// (nil = all of the domain) and with which permissions.
public struct TokenScope: Sendable, Equatable, Codable {
    public var domain: String?
    public var repositories: [String]?
    public var permissions: Set<Permission>

    public init(domain: String?, repositories: [String]? = nil, permissions: Set<Permission>) {
        self.domain = domain
        self.repositories = repositories
        self.permissions = permissions
    }

    /// `admin` implies `publish` and `approve`, which imply `read`.
    public func grants(_ permission: Permission) -> Bool {
        permissions.contains { $0.implies(permission) }
    }

    public func covers(domain: String) -> Bool { self.domain == nil || self.domain == domain }

    public func covers(domain: String, repository: String) -> Bool {
        covers(domain: domain) && (repositories.map { $0.contains(repository) } ?? true)
    }

    /// True when every right of `other` is also a right of this scope (a token may only mint narrower ones).
    public func contains(_ other: TokenScope) -> Bool {
        if let domain, other.domain != domain { return false }
        if let repositories {
            guard let others = other.repositories, others.allSatisfy(repositories.contains) else { return false }
        }
        return other.permissions.allSatisfy(grants)
    }
}

/// A token's record; the secret itself is never stored, only its SHA-256.
public struct TokenRecord: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    public var scope: TokenScope
    public var createdAt: Date
    /// nil: never expires (only the bootstrap admin token).
    public var expiresAt: Date?
    public var revokedAt: Date?
    /// The token that minted this one (nil: the bootstrap token, or minted by the server itself for a build).
    /// Revoking the parent revokes this one; it never outlives the parent.
    public var parentID: String?

    public init(
        id: String, name: String, scope: TokenScope, createdAt: Date, expiresAt: Date?, revokedAt: Date? = nil,
        parentID: String? = nil
    ) {
        self.id = id
        self.name = name
        self.scope = scope
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.parentID = parentID
    }

    public func isValid(at date: Date) -> Bool {
        revokedAt == nil && (expiresAt.map { $0 > date } ?? true)
    }
}

/// The authenticated caller of a request.
public struct Identity: Sendable, Equatable {
    public var tokenID: String
    public var name: String
    public var scope: TokenScope
    /// When the caller's token expires (nil: never): tokens it mints expire no later.
    public var expiresAt: Date?

    public init(tokenID: String, name: String, scope: TokenScope, expiresAt: Date? = nil) {
        self.tokenID = tokenID
        self.name = name
        self.scope = scope
        self.expiresAt = expiresAt
    }
}
