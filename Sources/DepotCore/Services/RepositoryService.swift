import Foundation

/// Domains and repositories: creation with validated names, upstream graphs and external connections.
public struct RepositoryService: Sendable {
    private let store: any MetadataStore
    private let collector: BlobCollector
    private let externalConnections: Set<String>
    private let now: @Sendable () -> Date

    public init(
        store: any MetadataStore, collector: BlobCollector, externalConnections: Set<String>,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.collector = collector
        self.externalConnections = externalConnections
        self.now = now
    }

    // MARK: Domains

    public func createDomain(name: String) async throws -> Domain {
        try ResourceName.validate(name, what: "domain")
        return try await store.createDomain(name: name, at: now())
    }

    /// Domains by name, narrowed to `names` when given.
    public func listDomains(names: [String]? = nil, page: PageRequest) async throws -> Page<Domain> {
        try await store.listDomains(names: names, page: page)
    }

    public func domain(named name: String) async throws -> Domain {
        guard let domain = try await store.domain(named: name) else {
            throw DepotError.notFound("domain '\(name)' does not exist", code: "DomainNotFound")
        }
        return domain
    }

    public func deleteDomain(name: String) async throws {
        let domain = try await domain(named: name)
        let repositories = try await store.listRepositories(domainID: domain.id)
        guard repositories.isEmpty else {
            throw DepotError.conflict(
                "domain '\(name)' still holds repositories: \(repositories.map(\.name).joined(separator: ", "))",
                code: "DomainNotEmpty")
        }
        let released = try await store.deleteDomain(id: domain.id)
        await collector.deleteUnreferenced(released)
    }

    // MARK: Repositories

    public func createRepository(domain domainName: String, name: String, settings: RepositorySettings) async throws -> Repository {
        try ResourceName.validate(name, what: "repository")
        let domain = try await domain(named: domainName)
        let existing = try await store.listRepositories(domainID: domain.id)
        let upstreams = settings.upstreams ?? []
        try RepositoryGraph(repositories: existing).validate(upstreams: upstreams, for: name)
        let connection = settings.externalConnection ?? nil
        try validate(externalConnection: connection)
        let repository = Repository(
            id: 0, domainID: domain.id, name: name, description: settings.description ?? "", upstreams: upstreams,
            externalConnection: connection, allowAnonymousRead: settings.allowAnonymousRead ?? false, createdAt: now())
        return try await store.createRepository(repository)
    }

    public func listRepositories(domain domainName: String) async throws -> [Repository] {
        let domain = try await domain(named: domainName)
        return try await store.listRepositories(domainID: domain.id)
    }

    /// The domain's repositories by name, narrowed to `names` when given.
    public func listRepositories(domain domainName: String, names: [String]?, page: PageRequest) async throws -> Page<Repository> {
        let domain = try await domain(named: domainName)
        return try await store.listRepositories(domainID: domain.id, names: names, page: page)
    }

    public func repository(domain domainName: String, name: String) async throws -> Repository {
        let domain = try await domain(named: domainName)
        guard let repository = try await store.repository(domainID: domain.id, name: name) else {
            throw DepotError.notFound("repository '\(domainName)/\(name)' does not exist", code: "RepositoryNotFound")
        }
        return repository
    }

    public func updateRepository(domain domainName: String, name: String, settings: RepositorySettings) async throws -> Repository {
        var repository = try await repository(domain: domainName, name: name)
        if let upstreams = settings.upstreams {
            let all = try await store.listRepositories(domainID: repository.domainID)
            try RepositoryGraph(repositories: all).validate(upstreams: upstreams, for: name)
            repository.upstreams = upstreams
        }
        if let connection = settings.externalConnection {
            try validate(externalConnection: connection)
            repository.externalConnection = connection
        }
        if let description = settings.description { repository.description = description }
        if let anonymous = settings.allowAnonymousRead { repository.allowAnonymousRead = anonymous }
        return try await store.updateRepository(repository)
    }

    public func deleteRepository(domain domainName: String, name: String) async throws {
        let repository = try await repository(domain: domainName, name: name)
        let all = try await store.listRepositories(domainID: repository.domainID)
        let dependents = RepositoryGraph(repositories: all).dependents(of: name)
        guard dependents.isEmpty else {
            throw DepotError.conflict(
                "repository '\(name)' is an upstream of \(dependents.joined(separator: ", ")); remove it from their upstreams first",
                code: "RepositoryInUse")
        }
        let removed = try await store.deleteRepository(id: repository.id)
        await collector.deleteUnreferenced(removed.map(\.digests.sha256))
    }

    /// The repository and its upstreams in search order.
    public func searchOrder(domain domainName: String, repository name: String) async throws -> [Repository] {
        let domain = try await domain(named: domainName)
        let all = try await store.listRepositories(domainID: domain.id)
        let byName = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
        return RepositoryGraph(repositories: all).searchOrder(from: name).compactMap { byName[$0] }
    }

    private func validate(externalConnection: String?) throws {
        guard let externalConnection else { return }
        guard externalConnections.contains(externalConnection) else {
            throw DepotError.badRequest(
                "unknown external connection '\(externalConnection)' (known: \(externalConnections.sorted().joined(separator: ", ")))",
                code: "UnknownExternalConnection")
        }
    }
}
