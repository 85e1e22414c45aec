import DepotCore
import DepotHTTP
import Foundation
import Hummingbird

/// `/api/v1/domains/{d}/tokens`: any token of the domain mints narrower ones; admins list and revoke.
struct TokenController {
    let access: AccessService

    func addRoutes(to group: RouterGroup<DepotRequestContext>) {
        group.post("domains/:domain/tokens", use: create)
        group.get("domains/:domain/tokens", use: list)
        group.delete("domains/:domain/tokens/:id", use: revoke)
    }

    @Sendable func create(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let domain = try APIJSON.parameter(context, "domain")
        try access.authorize(context.identity, domain: domain, repository: nil, permission: .read)
        guard let identity = context.identity else { throw DepotError.unauthorized() }
        let body = try await APIJSON.decode(CreateTokenRequest.self, from: request)
        let permissions = try Set(body.permissions.map { name in
            guard let permission = Permission(rawValue: name) else {
                throw DepotError.badRequest("unknown permission '\(name)' (read, publish, admin)", code: "InvalidPermissions")
            }
            return permission
        })
        let scope = TokenScope(domain: domain, repositories: body.repositories, permissions: permissions)
        let (record, secret) = try await access.createToken(
            by: identity, scope: scope, durationSeconds: body.durationSeconds, name: body.name)
        return try APIJSON.response(
            CreatedTokenResponse(
                id: record.id, token: secret, expiresAt: record.expiresAt, domain: domain, repositories: body.repositories,
                permissions: permissions.map(\.rawValue).sorted()),
            status: .created)
    }

    @Sendable func list(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let domain = try APIJSON.parameter(context, "domain")
        try access.authorize(context.identity, domain: domain, repository: nil, permission: .admin)
        let now = Date()
        return try APIJSON.response(["tokens": try await access.listTokens(domain: domain).map { TokenResponse($0, now: now) }])
    }

    @Sendable func revoke(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let domain = try APIJSON.parameter(context, "domain")
        try access.authorize(context.identity, domain: domain, repository: nil, permission: .admin)
        try await access.revoke(id: try APIJSON.parameter(context, "id"), domain: domain)
        return try APIJSON.response(OK())
    }
}
