import DepotBuild
import DepotCore
import DepotHTTP
import Foundation
import Hummingbird

/// `/api/v1/domains/{d}/secrets`: build secrets, write-only (values are never sent back), admin only.
struct SecretController {
    let store: any BuildStore
    let cipher: SecretCipher
    let policy: AuthorizationPolicy

    static let permissions: [RoutePermission] = [
        RoutePermission(.put, "/api/v1/domains/{domain}/secrets/{name}", .admin, .domain),
        RoutePermission(.get, "/api/v1/domains/{domain}/secrets", .admin, .domain),
        RoutePermission(.delete, "/api/v1/domains/{domain}/secrets/{name}", .admin, .domain),
    ]

    func addRoutes(to group: RouterGroup<DepotRequestContext>) {
        group.put("domains/:domain/secrets/:name", use: put)
        group.get("domains/:domain/secrets", use: list)
        group.delete("domains/:domain/secrets/:name", use: delete)
    }

    @Sendable func put(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let (domain, name) = try names(context)
        let body = try await APIJSON.decode(PutSecretRequest.self, from: request, context: context)
        let sealed = try cipher.seal(body.value, name: "\(domain)/\(name)")
        let now = Date()
        try await store.putSecret(StoredSecret(domain: domain, name: name, sealedValue: sealed, updatedAt: now))
        return try APIJSON.response(SecretResponse(name: name, updatedAt: now))
    }

    @Sendable func list(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let domain = try APIJSON.parameter(context, "domain")
        try policy.authorize(context.identity, .admin, on: .domain(domain))
        let page = try await store.listSecrets(domain: domain, page: try APIPaging.page(of: request))
        return try APIPaging.response("secrets", page.items.map { SecretResponse(name: $0.name, updatedAt: $0.updatedAt) }, next: page.next)
    }

    @Sendable func delete(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let (domain, name) = try names(context)
        guard try await store.deleteSecret(domain: domain, name: name) else {
            throw DepotError.notFound("secret '\(name)' not found", code: "SecretNotFound")
        }
        return try APIJSON.response(OK())
    }

    private func names(_ context: DepotRequestContext) throws -> (String, String) {
        let domain = try APIJSON.parameter(context, "domain")
        try policy.authorize(context.identity, .admin, on: .domain(domain))
        let name = try APIJSON.parameter(context, "name")
        guard name.range(of: "^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$", options: .regularExpression) != nil else {
            throw DepotError.badRequest("secret name must be 1-128 letters, digits, '.', '_', '-' or '/'", code: "InvalidName")
        }
        return (domain, name)
    }
}
