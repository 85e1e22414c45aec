import Foundation

/// Domains and repositories: creation with validated names, upstream graphs, external connections and tags.
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

    /// Creates the domain, then gives it `tags` (checked before anything is created).
    public func createDomain(name: String, tags: [ResourceTag] = []) async throws -> Domain {
        try ResourceName.validate(name, what: "domain")
        let tags = try Self.validate(tags)
        let domain = try await store.createDomain(name: name, at: now())
        if !tags.isEmpty { try await store.tagResource(.domain(id: domain.id), with: tags) }
        return domain
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

    /// Creates the repository, then gives it `tags` (checked before anything is created).
    public func createRepository(
        domain domainName: String, name: String, settings: RepositorySettings, tags: [ResourceTag] = []
    ) async throws -> Repository {
        try ResourceName.validate(name, what: "repository")
        let tags = try Self.validate(tags)
        let domain = try await domain(named: domainName)
        let existing = try await store.listRepositories(domainID: domain.id)
        let upstreams = settings.upstreams ?? []
        try RepositoryGraph(repositories: existing).validate(upstreams: upstreams, for: name)
        let connection = settings.externalConnection ?? nil
        try validate(externalConnection: connection)
        let repository = Repository(
            id: 0, domainID: domain.id, name: name, description: settings.description ?? "", upstreams: upstreams,
            externalConnection: connection, allowAnonymousRead: settings.allowAnonymousRead ?? false, createdAt: now())
        let created = try await store.createRepository(repository)
        if !tags.isEmpty { try await store.tagResource(.repository(id: created.id), with: tags) }
        return created
    }

    public func listRepositories(domain domainName: String) async throws -> [Repository] {
        let domain = try await domain(named: domainName)
        return try await store.listRepositories(domainID: domain.id)
    }

    /// The domain's repositories by name, narrowed to `names` when given and to names starting with `prefix`.
    public func listRepositories(
        domain domainName: String, names: [String]?, prefix: String? = nil, page: PageRequest
    ) async throws -> Page<Repository> {
        _ = try await domain(named: domainName)
        let filter = RepositoryFilter(domains: [domainName], names: names, prefix: prefix)
        return try await store.listRepositories(filter, page: page).map(\.repository)
    }

    /// Repositories across domains, by domain name then repository name.
    public func listRepositories(_ filter: RepositoryFilter, page: PageRequest) async throws -> Page<ListedRepository> {
        try await store.listRepositories(filter, page: page)
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

    // MARK: Tags

    /// The tags of the domain, or of its repository when `repository` is given, by key.
    public func tags(domain domainName: String, repository: String?) async throws -> [ResourceTag] {
        try await store.resourceTags(of: try await taggedResource(domain: domainName, repository: repository))
    }

    /// Adds `tags` to the domain or its repository, replacing the values of keys it has.
    public func tag(domain domainName: String, repository: String?, with tags: [ResourceTag]) async throws {
        let tags = try Self.validate(tags)
        try await store.tagResource(try await taggedResource(domain: domainName, repository: repository), with: tags)
    }

    /// Removes the tags with these keys from the domain or its repository.
    public func untag(domain domainName: String, repository: String?, keys: [String]) async throws {
        for key in keys { try ResourceTag.validate(key: key) }
        try await store.untagResource(try await taggedResource(domain: domainName, repository: repository), keys: keys)
    }

    private func taggedResource(domain domainName: String, repository name: String?) async throws -> TaggedResource {
        guard let name else { return .domain(id: try await domain(named: domainName).id) }
        return .repository(id: try await repository(domain: domainName, name: name).id)
    }

    /// The tags, each valid and no more than a resource may carry; a key given twice keeps its last value.
    private static func validate(_ tags: [ResourceTag]) throws -> [ResourceTag] {
        var byKey: [String: Int] = [:]
        var unique: [ResourceTag] = []
        for tag in tags {
            try tag.validate()
            if let index = byKey[tag.key] {
                unique[index] = tag
            } else {
                byKey[tag.key] = unique.count
                unique.append(tag)
            }
        }
        guard unique.count <= ResourceTag.maximumPerResource else { throw ResourceTag.tooMany(unique.count) }
        return unique
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
