import DepotCore
import DepotHTTP
import Hummingbird

/// `/api/v1/domains/{d}/repositories`: admin on the domain to change, read to look.
struct RepositoryController {
    let repositories: RepositoryService
    let policy: AuthorizationPolicy
    let formats: FormatRegistry
    let baseURL: PublicBaseURL
    let upstreams: UpstreamService

    static let permissions: [RoutePermission] = [
        RoutePermission(.post, "/api/v1/domains/{domain}/repositories", .admin, .domain),
        RoutePermission(.get, "/api/v1/domains/{domain}/repositories", .read, .domain, note: "lists the repositories the token covers"),
        RoutePermission(.get, "/api/v1/domains/{domain}/repositories/{repo}", .read, .repository),
        RoutePermission(
            .patch, "/api/v1/domains/{domain}/repositories/{repo}", .admin, .repository,
            note: "changing upstreams, externalConnection or allowAnonymousRead: `admin` on the whole domain"),
        RoutePermission(.delete, "/api/v1/domains/{domain}/repositories/{repo}", .admin, .repository),
        RoutePermission(.get, "/api/v1/domains/{domain}/repositories/{repo}/endpoint", .read, .repository),
        RoutePermission(.get, "/api/v1/domains/{domain}/repositories/{repo}/upstream-cache", .read, .repository),
    ]

    func addRoutes(to group: RouterGroup<DepotRequestContext>) {
        group.post("domains/:domain/repositories", use: create)
        group.get("domains/:domain/repositories", use: list)
        group.get("domains/:domain/repositories/:repo", use: describe)
        group.patch("domains/:domain/repositories/:repo", use: update)
        group.delete("domains/:domain/repositories/:repo", use: delete)
        group.get("domains/:domain/repositories/:repo/endpoint", use: endpoint)
        group.get("domains/:domain/repositories/:repo/upstream-cache", use: upstreamCache)
    }

    @Sendable func create(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let domain = try APIJSON.parameter(context, "domain")
        try policy.authorize(context.identity, .admin, on: .domain(domain))
        let body = try await APIJSON.decode(CreateRepositoryRequest.self, from: request, context: context)
        let settings = RepositorySettings(
            description: body.description, upstreams: body.upstreams, externalConnection: .some(body.externalConnection),
            allowAnonymousRead: body.allowAnonymousRead)
        if settings.changesReach(of: nil) { try policy.authorize(context.identity, .admin, on: .repositorySettings(domain: domain)) }
        let repository = try await repositories.createRepository(domain: domain, name: body.name, settings: settings)
        return try APIJSON.response(render(repository, domain: domain, request: request), status: .created)
    }

    @Sendable func list(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let domain = try APIJSON.parameter(context, "domain")
        try policy.authorize(context.identity, .read, on: .domain(domain))
        // A token limited to repositories pages through those only (narrowed in SQL); the policy still decides each.
        let page = try await repositories.listRepositories(
            domain: domain, names: context.identity?.scope.repositories, page: try APIPaging.page(of: request))
        let visible = page.items.filter { policy.permits(context.identity, .read, on: .repository(domain: domain, name: $0.name)) }
        return try APIPaging.response("repositories", visible.map { render($0, domain: domain, request: request) }, next: page.next)
    }

    @Sendable func describe(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let (domain, repository) = try await open(context, permission: .read)
        return try APIJSON.response(render(repository, domain: domain, request: request))
    }

    /// What the repository's external connection has cached (metadata documents and remembered 404s) for
    /// packages of this domain. Fetched files are versions of this repository with origin EXTERNAL (see the packages API).
    @Sendable func upstreamCache(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let (_, repository) = try await open(context, permission: .read)
        let page = try APIPaging.page(of: request)
        guard let connection = repository.externalConnection else {
            return try APIJSON.response(UpstreamCacheResponse(externalConnection: nil, documents: []))
        }
        let documents = try await upstreams.cachedDocuments(for: repository, page: page)
        return try APIJSON.response(
            UpstreamCacheResponse(
                externalConnection: connection,
                documents: documents.items.map { document in
                    UpstreamCacheResponse.Document(
                        package: String(document.cacheKey.dropFirst(connection.count + 1)), found: document.status == 200,
                        fetchedAt: document.fetchedAt, etag: document.etag)
                }, nextToken: documents.next?.token))
    }

    @Sendable func update(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let (domain, repository) = try await open(context, permission: .admin)
        let body = try await APIJSON.decode(UpdateRepositoryRequest.self, from: request, context: context)
        let settings = RepositorySettings(
            description: body.description, upstreams: body.upstreams, externalConnection: body.externalConnection,
            allowAnonymousRead: body.allowAnonymousRead)
        // A repository's admin could otherwise read any repository of the domain by making it an upstream.
        if settings.changesReach(of: repository) {
            try policy.authorize(context.identity, .admin, on: .repositorySettings(domain: domain))
        }
        let updated = try await repositories.updateRepository(domain: domain, name: repository.name, settings: settings)
        return try APIJSON.response(render(updated, domain: domain, request: request))
    }

    @Sendable func delete(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let (domain, repository) = try await open(context, permission: .admin)
        try await repositories.deleteRepository(domain: domain, name: repository.name)
        return try APIJSON.response(OK())
    }

    @Sendable func endpoint(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let (domain, repository) = try await open(context, permission: .read)
        guard let formatID = request.uri.queryParameters["format"].map(String.init) else {
            throw DepotError.badRequest("the format query parameter is required (\(formats.ids.joined(separator: ", ")))", code: "MissingFormat")
        }
        let format = try formats.format(formatID)
        let url = "\(baseURL.resolve(for: request))/\(domain)/\(repository.name)/\(format.endpointPath)"
        return try APIJSON.response(EndpointResponse(format: format.id, url: url))
    }

    private func open(_ context: DepotRequestContext, permission: Permission) async throws -> (String, Repository) {
        let domain = try APIJSON.parameter(context, "domain")
        let name = try APIJSON.parameter(context, "repo")
        // Before the lookup: without the right, an unknown repository and a forbidden one look the same.
        try policy.authorize(context.identity, permission, on: .repository(domain: domain, name: name))
        return (domain, try await repositories.repository(domain: domain, name: name))
    }

    private func render(_ repository: Repository, domain: String, request: Request) -> RepositoryResponse {
        let base = "\(baseURL.resolve(for: request))/\(domain)/\(repository.name)/"
        return RepositoryResponse(
            name: repository.name, domain: domain, description: repository.description, upstreams: repository.upstreams,
            externalConnection: repository.externalConnection, allowAnonymousRead: repository.allowAnonymousRead,
            createdAt: repository.createdAt,
            endpoints: Dictionary(uniqueKeysWithValues: formats.ids.compactMap { id in
                (try? formats.format(id)).map { (id, base + $0.endpointPath) }
            }))
    }
}
