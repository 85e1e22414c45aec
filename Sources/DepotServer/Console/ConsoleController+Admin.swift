import DepotCore
import DepotHTTP
import Foundation
import Hummingbird

/// Forms that change things: create a repository, set origin controls and a version's status, mint and revoke
/// tokens. Each checks the caller's right, then the session's CSRF token, then acts; success redirects (303).
extension ConsoleController {
    @Sendable func createRepository(_ request: Request, context: DepotRequestContext) async throws -> Response {
        await page(request, context) { caller in
            let domain = try Self.parameter(context, "domain")
            try policy.authorize(caller.identity, .admin, on: .domain(domain))
            let form = try await ConsoleForm.read(request)
            try checkForm(form, caller: caller)
            let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
            let upstreams = (form["upstreams"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
            let connection = (form["externalConnection"] ?? "").isEmpty ? nil : form["externalConnection"]
            let settings = RepositorySettings(
                description: form["description"] ?? "", upstreams: upstreams, externalConnection: .some(connection),
                allowAnonymousRead: form["anonymousRead"] == "on")
            if settings.changesReach(of: nil) { try policy.authorize(caller.identity, .admin, on: .repositorySettings(domain: domain)) }
            let repository = try await repositories.createRepository(domain: domain, name: name, settings: settings)
            return Response.redirect(to: "/ui/domains/\(Self.segment(domain))/repositories/\(Self.segment(repository.name))", type: .normal)
        }
    }

    @Sendable func setOrigin(_ request: Request, context: DepotRequestContext) async throws -> Response {
        await page(request, context) { caller in
            let (domain, repository) = try await openRepository(context, caller, .admin)
            let form = try await ConsoleForm.read(request)
            try checkForm(form, caller: caller)
            guard let publish = OriginRestriction(rawValue: form["publish"] ?? ""),
                let upstream = OriginRestriction(rawValue: form["upstream"] ?? "")
            else { throw DepotError.badRequest("publish and upstream must each be ALLOW or BLOCK", code: "InvalidOriginControls") }
            let (format, package) = try await openPackage(context, in: repository)
            try await packages.setOriginControls(OriginControls(publish: publish, upstream: upstream), of: package)
            return Response.redirect(to: packageBase(domain, repository, format, format.displayName(of: package.key)), type: .normal)
        }
    }

    @Sendable func setStatus(_ request: Request, context: DepotRequestContext) async throws -> Response {
        await page(request, context) { caller in
            let (domain, repository) = try await openRepository(context, caller, .publish)
            let form = try await ConsoleForm.read(request)
            try checkForm(form, caller: caller)
            guard let status = VersionStatus(rawValue: form["status"] ?? ""), [.published, .unlisted, .archived].contains(status) else {
                throw DepotError.badRequest("status must be one of Published, Unlisted, Archived", code: "InvalidStatus")
            }
            let (format, package) = try await openPackage(context, in: repository)
            let version = try Self.parameter(context, "version")
            try await packages.setStatus(status, of: version, in: package)
            let base = packageBase(domain, repository, format, format.displayName(of: package.key))
            return Response.redirect(to: "\(base)/versions/\(Self.segment(version))", type: .normal)
        }
    }

    @Sendable func tokens(_ request: Request, context: DepotRequestContext) async throws -> Response {
        await page(request, context) { caller in
            let domain = try Self.parameter(context, "domain")
            try policy.authorize(caller.identity, .read, on: .domain(domain))
            return try await tokensPage(domain: domain, caller: caller, created: nil)
        }
    }

    /// The token page; `created` is the secret just minted, shown this once (the page is never cached).
    func tokensPage(domain: String, caller: ConsoleCaller, created: (id: String, secret: String)?) async throws -> Response {
        let isAdmin = policy.permits(caller.identity, .admin, on: .domain(domain))
        var rows: [[String: Any]] = []
        if isAdmin {
            let now = Date()
            let page = try await access.listTokens(domain: domain, page: PageRequest(limit: 200))
            rows = page.items.reversed().map { token in
                [
                    "id": token.id, "name": token.name,
                    "permissions": token.scope.permissions.map(\.rawValue).sorted().joined(separator: ", "),
                    "repositories": token.scope.repositories?.joined(separator: ", ") ?? "all",
                    "expires": token.expiresAt.map(Self.time) ?? "never",
                    "state": token.revokedAt != nil ? "revoked" : (token.isValid(at: now) ? "active" : "expired"),
                    "active": token.isValid(at: now),
                    "revokeAction": "/ui/domains/\(Self.segment(domain))/tokens/\(Self.segment(token.id))/revoke",
                ]
            }
        }
        return render(
            "tokens", caller: caller, title: "Tokens of \(domain)",
            crumbs: [("Domains", "/ui/"), (domain, "/ui/domains/\(Self.segment(domain))")],
            [
                "domain": domain, "isAdmin": isAdmin, "tokens": rows, "created": created != nil,
                "createdSecret": created?.secret ?? "", "createdID": created?.id ?? "",
                "action": "/ui/domains/\(Self.segment(domain))/tokens",
            ])
    }

    @Sendable func mintToken(_ request: Request, context: DepotRequestContext) async throws -> Response {
        await page(request, context) { caller in
            let domain = try Self.parameter(context, "domain")
            try policy.authorize(caller.identity, .read, on: .domain(domain))
            guard let identity = caller.identity else { throw DepotError.unauthorized() }
            let form = try await ConsoleForm.read(request)
            try checkForm(form, caller: caller)
            let permission = Permission(rawValue: form["permission"] ?? "") ?? .read
            let repositories = (form["repositories"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
            let hours = Double(form["hours"] ?? "") ?? 12
            let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
            let (record, secret) = try await access.createToken(
                by: identity, scope: TokenScope(domain: domain, repositories: repositories.isEmpty ? nil : repositories, permissions: [permission]),
                durationSeconds: hours * 3600, name: name.isEmpty ? nil : name)
            // Rendered rather than redirected: the secret exists only in this response.
            return try await tokensPage(domain: domain, caller: caller, created: (record.id, secret))
        }
    }

    @Sendable func revokeToken(_ request: Request, context: DepotRequestContext) async throws -> Response {
        await page(request, context) { caller in
            let domain = try Self.parameter(context, "domain")
            let id = try Self.parameter(context, "id")
            try policy.authorize(caller.identity, .read, on: .domain(domain))
            try policy.authorize(caller.identity, .admin, on: .token(domain: domain, lineage: try await access.lineage(ofToken: id, domain: domain)))
            let form = try await ConsoleForm.read(request)
            try checkForm(form, caller: caller)
            try await access.revoke(id: id, domain: domain)
            return Response.redirect(to: "/ui/domains/\(Self.segment(domain))/tokens", type: .normal)
        }
    }
}
