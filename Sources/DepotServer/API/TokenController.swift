import DepotAWS
import DepotCore
import DepotHTTP
import Foundation
import Hummingbird

/// `/api/v1/domains/{d}/tokens`: any token of the domain mints narrower ones (its children); the domain's admins list
/// and revoke any, a token revokes itself and the tokens minted from it.
struct TokenController {
    let access: AccessService
    let policy: AuthorizationPolicy
    /// `"aws": true` adds the token's AWS access key pair (SigV4 for the AWS-compatible API) to the answer.
    let awsKeys: AWSAccessKeys

    static let permissions: [RoutePermission] = [
        RoutePermission(
            .post, "/api/v1/domains/{domain}/tokens", .read, .domain,
            note: "the new token is no broader than the caller's and expires no later"),
        RoutePermission(.get, "/api/v1/domains/{domain}/tokens", .admin, .domain),
        RoutePermission(
            .delete, "/api/v1/domains/{domain}/tokens/{id}", .admin, .token, note: "also revokes every token minted from it"),
        RoutePermission(
            .post, "/api/v1/aws-credentials", .read, .domains,
            note: "the AWS access key pair of the calling token itself (the bootstrap token's too)"),
    ]

    func addRoutes(to group: RouterGroup<DepotRequestContext>) {
        group.post("domains/:domain/tokens", use: create)
        group.get("domains/:domain/tokens", use: list)
        group.delete("domains/:domain/tokens/:id", use: revoke)
        group.post("aws-credentials", use: awsCredentials)
    }

    @Sendable func create(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let domain = try APIJSON.parameter(context, "domain")
        try policy.authorize(context.identity, .read, on: .domain(domain))
        guard let identity = context.identity else { throw DepotError.unauthorized() }
        let body = try await APIJSON.decode(CreateTokenRequest.self, from: request, context: context)
        let permissions = try Set(body.permissions.map { name in
            guard let permission = Permission(rawValue: name) else {
                throw DepotError.badRequest("unknown permission '\(name)' (read, publish, admin)", code: "InvalidPermissions")
            }
            return permission
        })
        let scope = TokenScope(domain: domain, repositories: body.repositories, permissions: permissions)
        let (record, secret) = try await access.createToken(
            by: identity, scope: scope, durationSeconds: body.durationSeconds, name: body.name)
        let keyPair = body.aws == true ? awsKeys.keyPair(forTokenID: record.id) : nil
        return try APIJSON.response(
            CreatedTokenResponse(
                id: record.id, token: secret, expiresAt: record.expiresAt, domain: domain, repositories: body.repositories,
                permissions: permissions.map(\.rawValue).sorted(), accessKeyId: keyPair?.accessKeyID,
                secretAccessKey: keyPair?.secretAccessKey),
            status: .created)
    }

    /// The caller's own token as an AWS key pair: the same rights, expiry and revocation, nothing more.
    @Sendable func awsCredentials(_ request: Request, context: DepotRequestContext) async throws -> Response {
        try policy.authorize(context.identity, .read, on: .domains)
        guard let identity = context.identity else { throw DepotError.unauthorized() }
        let keyPair = awsKeys.keyPair(forTokenID: identity.tokenID)
        return try APIJSON.response(AWSCredentialsResponse(accessKeyId: keyPair.accessKeyID, secretAccessKey: keyPair.secretAccessKey))
    }

    @Sendable func list(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let domain = try APIJSON.parameter(context, "domain")
        try policy.authorize(context.identity, .admin, on: .domain(domain))
        let now = Date()
        let page = try await access.listTokens(domain: domain, page: try APIPaging.page(of: request))
        return try APIPaging.response("tokens", page.items.map { TokenResponse($0, now: now) }, next: page.next)
    }

    @Sendable func revoke(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let domain = try APIJSON.parameter(context, "domain")
        let id = try APIJSON.parameter(context, "id")
        // Authentication and the domain first: a token of another domain learns nothing of this one's tokens.
        try policy.authorize(context.identity, .read, on: .domain(domain))
        try policy.authorize(context.identity, .admin, on: .token(domain: domain, lineage: try await access.lineage(ofToken: id, domain: domain)))
        try await access.revoke(id: id, domain: domain)
        return try APIJSON.response(OK())
    }
}
