import Foundation

/// A named package store inside a domain, with ordered upstreams and at most one external connection.
public struct Repository: Sendable, Equatable, Codable {
    public var id: Int64
    public var domainID: Int64
    public var name: String
    public var description: String
    /// Names of upstream repositories of the same domain, searched in this order.
    public var upstreams: [String]
    /// `public:npmjs`, `public:pypi` or `public:maven-central`.
    public var externalConnection: String?
    public var allowAnonymousRead: Bool
    public var createdAt: Date

    public init(
        id: Int64, domainID: Int64, name: String, description: String = "", upstreams: [String] = [],
        externalConnection: String? = nil, allowAnonymousRead: Bool = false, createdAt: Date = Date()
    ) {
        self.id = id
        self.domainID = domainID
        self.name = name
        self.description = description
        self.upstreams = upstreams
        self.externalConnection = externalConnection
        self.allowAnonymousRead = allowAnonymousRead
        self.createdAt = createdAt
    }
}

/// The fields a caller may set when creating or updating a repository.
public struct RepositorySettings: Sendable, Equatable {
    public var description: String?
    public var upstreams: [String]?
    /// `.some(nil)` removes the external connection.
    public var externalConnection: String??
    public var allowAnonymousRead: Bool?

    public init(
        description: String? = nil, upstreams: [String]? = nil, externalConnection: String?? = nil,
        allowAnonymousRead: Bool? = nil
    ) {
        self.description = description
        self.upstreams = upstreams
        self.externalConnection = externalConnection
        self.allowAnonymousRead = allowAnonymousRead
    }

    /// True when applying these settings to `repository` (nil: a new one) would change who can read what through it:
    /// its upstreams, its external connection or anonymous reads. Those need the domain's admin.
    public func changesReach(of repository: Repository?) -> Bool {
        let upstreamsChange = upstreams.map { $0 != (repository?.upstreams ?? []) } ?? false
        let connectionChange = externalConnection.map { $0 != repository?.externalConnection } ?? false
        let anonymousChange = allowAnonymousRead.map { $0 != (repository?.allowAnonymousRead ?? false) } ?? false
        return upstreamsChange || connectionChange || anonymousChange
    }
}

/// Which repositories a listing holds: those of the named domains (nil: every domain) with the given names (nil:
/// any), whose names start with `prefix` (case-sensitive). Listings run in SQL, by domain name then repository name.
public struct RepositoryFilter: Sendable, Equatable {
    public var domains: [String]?
    public var names: [String]?
    public var prefix: String?

    public init(domains: [String]? = nil, names: [String]? = nil, prefix: String? = nil) {
        self.domains = domains
        self.names = names
        self.prefix = prefix
    }
}

/// A repository with the name of its domain, as a listing across domains returns it.
public struct ListedRepository: Sendable, Equatable {
    public var domain: String
    public var repository: Repository

    public init(domain: String, repository: Repository) {
        self.domain = domain
        self.repository = repository
    }
}
