import DepotBuild
import DepotCore
import DepotHTTP
import Hummingbird

/// `/api/v1/domains`: only an all-domain admin token creates and deletes domains.
struct DomainController {
    let repositories: RepositoryService
    let policy: AuthorizationPolicy
    /// Server builds' caches, kept per domain and project: a deleted domain's go with it.
    let buildCache: BuildCacheStore
    /// Its pipelines' rows go with the domain's; the running ones are cancelled here.
    let pipelines: PipelineService

    static let permissions: [RoutePermission] = [
        RoutePermission(.post, "/api/v1/domains", .admin, .domains),
        RoutePermission(.get, "/api/v1/domains", .read, .domains, note: "lists the domains the token covers"),
        RoutePermission(.get, "/api/v1/domains/{domain}", .read, .domain),
        RoutePermission(.delete, "/api/v1/domains/{domain}", .admin, .domains),
    ]

    func addRoutes(to group: RouterGroup<DepotRequestContext>) {
        group.post("domains", use: create)
        group.get("domains", use: list)
        group.get("domains/:domain", use: describe)
        group.delete("domains/:domain", use: delete)
    }

    @Sendable func create(_ request: Request, context: DepotRequestContext) async throws -> Response {
        try policy.authorize(context.identity, .admin, on: .domains)
        let body = try await APIJSON.decode(CreateDomainRequest.self, from: request, context: context)
        let domain = try await repositories.createDomain(name: body.name)
        return try APIJSON.response(DomainResponse(name: domain.name, createdAt: domain.createdAt, repositoryCount: 0), status: .created)
    }

    @Sendable func list(_ request: Request, context: DepotRequestContext) async throws -> Response {
        try policy.authorize(context.identity, .read, on: .domains)
        // A token of one domain pages through that one only (narrowed in SQL); the policy still decides each.
        let page = try await repositories.listDomains(
            names: context.identity?.scope.domain.map { [$0] }, page: try APIPaging.page(of: request))
        let visible = page.items.filter { policy.permits(context.identity, .read, on: .domain($0.name)) }
        return try APIPaging.response("domains", visible.map { DomainResponse(name: $0.name, createdAt: $0.createdAt) }, next: page.next)
    }

    @Sendable func describe(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let name = try APIJSON.parameter(context, "domain")
        try policy.authorize(context.identity, .read, on: .domain(name))
        let domain = try await repositories.domain(named: name)
        // Counted like the repository list: only those the caller may see.
        let count = try await repositories.listRepositories(domain: name).filter {
            policy.permits(context.identity, .read, on: .repository(domain: name, name: $0.name))
        }.count
        return try APIJSON.response(DomainResponse(name: domain.name, createdAt: domain.createdAt, repositoryCount: count))
    }

    @Sendable func delete(_ request: Request, context: DepotRequestContext) async throws -> Response {
        try policy.authorize(context.identity, .admin, on: .domains)
        let name = try APIJSON.parameter(context, "domain")
        try await repositories.deleteDomain(name: name)
        buildCache.removeProjects(inDomain: name)
        await pipelines.forget(domain: name)
        return try APIJSON.response(OK())
    }
}
