import DepotCore
import DepotHTTP
import Hummingbird

/// `/api/v1/domains`: only an all-domain admin token creates and deletes domains.
struct DomainController {
    let repositories: RepositoryService
    let access: AccessService

    func addRoutes(to group: RouterGroup<DepotRequestContext>) {
        group.post("domains", use: create)
        group.get("domains", use: list)
        group.get("domains/:domain", use: describe)
        group.delete("domains/:domain", use: delete)
    }

    @Sendable func create(_ request: Request, context: DepotRequestContext) async throws -> Response {
        try access.authorizeGlobalAdmin(context.identity)
        let body = try await APIJSON.decode(CreateDomainRequest.self, from: request)
        let domain = try await repositories.createDomain(name: body.name)
        return try APIJSON.response(DomainResponse(name: domain.name, createdAt: domain.createdAt, repositoryCount: 0), status: .created)
    }

    @Sendable func list(_ request: Request, context: DepotRequestContext) async throws -> Response {
        guard let identity = context.identity else { throw DepotError.unauthorized() }
        let domains = try await repositories.listDomains().filter { identity.scope.covers(domain: $0.name) }
        return try APIJSON.response(["domains": domains.map { DomainResponse(name: $0.name, createdAt: $0.createdAt) }])
    }

    @Sendable func describe(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let name = try APIJSON.parameter(context, "domain")
        try access.authorize(context.identity, domain: name, repository: nil, permission: .read)
        let domain = try await repositories.domain(named: name)
        let count = try await repositories.listRepositories(domain: name).count
        return try APIJSON.response(DomainResponse(name: domain.name, createdAt: domain.createdAt, repositoryCount: count))
    }

    @Sendable func delete(_ request: Request, context: DepotRequestContext) async throws -> Response {
        try access.authorizeGlobalAdmin(context.identity)
        try await repositories.deleteDomain(name: try APIJSON.parameter(context, "domain"))
        return try APIJSON.response(OK())
    }
}
