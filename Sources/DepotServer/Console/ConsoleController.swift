import DepotCore
import DepotHTTP
import Foundation
import Hummingbird

/// The web console at `/ui/`: server-rendered pages over the same services and the same `AuthorizationPolicy` as
/// the API. A session cookie (an opaque id; the token stays on the server) or an `Authorization` header identifies
/// the caller; every form carries the session's CSRF token.
struct ConsoleController: Sendable {
    static let sessionCookie = "depot_session"
    static let signInCookie = "depot_signin"

    let access: AccessService
    let repositories: RepositoryService
    let packages: PackageService
    let upstreams: UpstreamService
    let policy: AuthorizationPolicy
    let modules: FormatModules
    let baseURL: PublicBaseURL
    let views: ConsoleViews
    let sessions: ConsoleSessionStore
    /// Cookies carry `Secure` when the server speaks TLS.
    let secureCookies: Bool
    /// How long a cached upstream document is fresh (`upstreamCache.metadataTTL`).
    let metadataTTL: TimeInterval
    /// The configured external connections, offered when a repository is created.
    let connectionNames: [String]
    let markdown = SafeMarkdown()
    /// Build records, logs and artifacts; nil where a server has no builds (pages then answer 404).
    let buildLog: ConsoleBuildLog?
    /// The server's pipelines; nil where it runs none (pages then answer 404).
    let pipelines: PipelineService?

    init(
        access: AccessService, repositories: RepositoryService, packages: PackageService, upstreams: UpstreamService,
        policy: AuthorizationPolicy, modules: FormatModules, baseURL: PublicBaseURL, configuration: DepotConfiguration,
        buildLog: ConsoleBuildLog? = nil, pipelines: PipelineService? = nil, views: ConsoleViews? = nil,
        sessions: ConsoleSessionStore = ConsoleSessionStore()
    ) throws {
        self.pipelines = pipelines
        self.buildLog = buildLog
        secureCookies = configuration.tlsCertificatePath != nil
        metadataTTL = configuration.metadataTTL
        connectionNames = configuration.externalConnections.keys.sorted()
        self.access = access
        self.repositories = repositories
        self.packages = packages
        self.upstreams = upstreams
        self.policy = policy
        self.modules = modules
        self.baseURL = baseURL
        self.views = try views ?? ConsoleViews.bundled()
        self.sessions = sessions
    }

    static let permissions: [RoutePermission] = {
        let repo = "/ui/domains/{domain}/repositories/{repo}"
        let package = "\(repo)/packages/{format}/{package}"
        return [
            .open(.get, "/", note: "redirects to `/ui/`"),
            .open(.get, "/ui/static/{name}", note: "the console's stylesheet and script"),
            .open(.get, "/ui/signin"),
            .open(
                .post, "/ui/signin",
                note: "a valid token (or the code of a sign-in link) in the form starts a session (cookie `HttpOnly`, `SameSite=Strict`)"),
            RoutePermission(
                .post, "/api/v1/signin-links", .read, .domains,
                note: "a one-time link (5 minutes) that signs a browser in with the calling token: `depot login --tool browser`"),
            .open(.post, "/ui/signout", note: "ends the session; needs its CSRF token"),
            RoutePermission(.get, "/ui", .read, .domains, note: "console pages: the session's token, or an `Authorization` header"),
            RoutePermission(.get, "/ui/domains/{domain}", .read, .domain),
            RoutePermission(.post, "/ui/domains/{domain}/repositories", .admin, .domain, note: "every console form needs the session's CSRF token"),
            RoutePermission(.get, repo, .read, .repository),
            RoutePermission(.get, "\(repo)/upstream-cache", .read, .repository),
            RoutePermission(.get, package, .read, .repository),
            RoutePermission(.post, "\(package)/origin", .admin, .repository),
            RoutePermission(.get, "\(package)/versions/{version}", .read, .repository),
            RoutePermission(.post, "\(package)/versions/{version}/status", .publish, .repository),
            RoutePermission(.get, "/ui/domains/{domain}/tokens", .read, .domain, note: "lists the tokens only to the domain's admins"),
            RoutePermission(.post, "/ui/domains/{domain}/tokens", .read, .domain, note: "the new token is no broader than the caller's"),
            RoutePermission(.post, "/ui/domains/{domain}/tokens/{id}/revoke", .admin, .token),
            RoutePermission(.get, "/ui/domains/{domain}/builds", .read, .domain, note: "lists the builds whose repository the token may read"),
            RoutePermission(.get, "/ui/domains/{domain}/builds/{id}", .read, .build),
            RoutePermission(.get, "/ui/domains/{domain}/builds/{id}/events", .read, .build, note: "the live log as Server-Sent Events"),
            RoutePermission(.get, "/ui/domains/{domain}/builds/{id}/artifacts/{name}", .read, .build),
            RoutePermission(.get, "/ui/domains/{domain}/pipelines", .read, .domain),
            RoutePermission(.get, "/ui/domains/{domain}/pipelines/{pipeline}", .read, .domain),
            RoutePermission(.get, "/ui/domains/{domain}/pipelines/{pipeline}/executions/{execution}", .read, .domain, note: "stages and actions as boxes"),
            RoutePermission(
                .post, "/ui/domains/{domain}/pipelines/{pipeline}/executions/{execution}/approval", .approve, .domain,
                note: "or `admin`; the form is shown only to such tokens"),
        ]
    }()

    func addRoutes(to router: Router<DepotRequestContext>) {
        router.get("/") { _, _ in Response.redirect(to: "/ui/", type: .found) }
        router.post("api/v1/signin-links", use: createSignInLink)
        let ui = router.group("ui").add(middleware: ConsoleHeadersMiddleware())
        ui.get("static/:name", use: staticFile)
        ui.get("signin", use: signInPage)
        ui.post("signin", use: signIn)
        ui.post("signout", use: signOut)
        ui.get("", use: home)
        ui.get("domains/:domain", use: domain)
        ui.post("domains/:domain/repositories", use: createRepository)
        ui.get("domains/:domain/repositories/:repo", use: repository)
        ui.get("domains/:domain/repositories/:repo/upstream-cache", use: upstreamCache)
        let package = "domains/:domain/repositories/:repo/packages/:format/:package"
        ui.get(RouterPath(stringLiteral: package), use: packagePage)
        ui.post(RouterPath(stringLiteral: "\(package)/origin"), use: setOrigin)
        ui.get(RouterPath(stringLiteral: "\(package)/versions/:version"), use: versionPage)
        ui.post(RouterPath(stringLiteral: "\(package)/versions/:version/status"), use: setStatus)
        ui.get("domains/:domain/tokens", use: tokens)
        ui.post("domains/:domain/tokens", use: mintToken)
        ui.post("domains/:domain/tokens/:id/revoke", use: revokeToken)
        ui.get("domains/:domain/builds", use: builds)
        ui.get("domains/:domain/builds/:id", use: build)
        ui.get("domains/:domain/builds/:id/events", use: buildEvents)
        ui.get("domains/:domain/builds/:id/artifacts/:name", use: buildArtifact)
        ui.get("domains/:domain/pipelines", use: pipelines)
        ui.get("domains/:domain/pipelines/:pipeline", use: pipelinePage)
        ui.get("domains/:domain/pipelines/:pipeline/executions/:execution", use: executionPage)
        ui.post("domains/:domain/pipelines/:pipeline/executions/:execution/approval", use: answerApproval)
    }

    // MARK: Callers and pages

    /// The session's identity, re-authenticated now (so revocation and expiry end it at once), else the header's.
    func caller(_ request: Request, _ context: DepotRequestContext) async -> ConsoleCaller {
        guard let id = request.cookies[Self.sessionCookie]?.value, !id.isEmpty else {
            return ConsoleCaller(identity: context.identity)
        }
        guard let session = await sessions.session(id: id) else {
            return ConsoleCaller(identity: context.identity, sessionEnded: true)
        }
        do {
            return ConsoleCaller(identity: try await access.authenticate(secret: session.secret), session: session)
        } catch {
            await sessions.remove(id: id)
            return ConsoleCaller(identity: nil, sessionEnded: true)
        }
    }

    /// Runs a page: errors become pages (401: the sign-in form, with where to come back to).
    func page(
        _ request: Request, _ context: DepotRequestContext, _ body: (ConsoleCaller) async throws -> Response
    ) async -> Response {
        let caller = await caller(request, context)
        do {
            return try await body(caller)
        } catch let error as DepotError {
            if error.kind == .unauthorized {
                let next = request.method == .get ? request.uri.description : "/ui/"
                let message = caller.sessionEnded ? "Your session has ended. Sign in again." : "Sign in to continue."
                return signInResponse(next: next, message: message, status: .unauthorized)
            }
            return errorPage(error, caller: caller)
        } catch {
            return errorPage(DepotError(.internalError, code: "InternalError", "internal server error"), caller: caller)
        }
    }

    /// A form post: the caller's right first (so nobody learns what exists), then the session's CSRF token.
    /// Posts without a session are refused too: a browser may send cached Basic credentials on its own.
    func checkForm(_ form: ConsoleForm, caller: ConsoleCaller) throws {
        guard let session = caller.session, let sent = form["csrf"],
            ConsoleSessionStore.constantTimeEquals(sent, session.csrfToken)
        else { throw DepotError.forbidden("the form's CSRF token is missing or wrong; reload the page and try again") }
    }

    func errorPage(_ error: DepotError, caller: ConsoleCaller) -> Response {
        render(
            "error", caller: caller, title: "\(error.kind.status.code) \(error.kind.status.reasonPhrase)",
            ["status": "\(error.kind.status.code)", "reason": error.kind.status.reasonPhrase, "message": error.message],
            status: error.kind.status)
    }

    /// Renders a page with what every page shows: the signed-in token, the CSRF token for forms, breadcrumbs.
    func render(
        _ template: String, caller: ConsoleCaller, title: String, crumbs: [(String, String)] = [], _ values: [String: Any],
        status: HTTPResponse.Status = .ok
    ) -> Response {
        var all = values
        all["title"] = title
        all["signedIn"] = caller.identity != nil
        all["who"] = caller.identity?.name ?? ""
        all["hasSession"] = caller.session != nil
        all["csrf"] = caller.session?.csrfToken ?? ""
        all["crumbs"] = crumbs.map { ["name": $0.0, "href": $0.1] }
        return views.page(template, all, status: status)
    }

    static func parameter(_ context: DepotRequestContext, _ name: String) throws -> String {
        // Parameters arrive percent-encoded (`%40scope%2Fname`), as in the API.
        guard let raw = context.parameters.get(name), let value = raw.removingPercentEncoding, !value.isEmpty,
            !value.contains("\0")
        else { throw DepotError.badRequest("invalid \(name) in the path", code: "InvalidPath") }
        return value
    }

    /// A path segment for a URL the console writes.
    static func segment(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? value
    }

    // MARK: Static files, sign-in, home

    @Sendable func staticFile(_ request: Request, context: DepotRequestContext) async throws -> Response {
        guard let name = context.parameters.get("name"), let file = views.file(named: name) else {
            return Response(status: .notFound)
        }
        var headers = HTTPFields()
        headers[.contentType] = file.contentType
        headers[.cacheControl] = "public, max-age=3600"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }

    @Sendable func signInPage(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let next = request.uri.queryParameters["next"].map(String.init) ?? "/ui/"
        let link = request.uri.queryParameters["link"].map(String.init) ?? ""
        return signInResponse(next: next, message: nil, status: .ok, link: Self.isLinkCode(link) ? link : nil)
    }

    /// The sign-in form with a fresh pre-session token in a cookie and a hidden field (login CSRF).
    /// With `link`, a sign-in link's page: one button that uses the code (opening the link alone uses nothing up).
    func signInResponse(next: String, message: String?, status: HTTPResponse.Status, link: String? = nil) -> Response {
        let nonce = ConsoleSessionStore.randomToken()
        var response = render(
            "signin", caller: ConsoleCaller(), title: "Sign in",
            [
                "next": Self.safeNext(next), "message": message ?? "", "hasMessage": message != nil, "nonce": nonce,
                "link": link ?? "",
            ], status: status)
        response.setCookie(cookie(Self.signInCookie, nonce, maxAge: 3600))
        return response
    }

    @Sendable func signIn(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let form = try await ConsoleForm.read(request)
        let next = Self.safeNext(form["next"] ?? "/ui/")
        guard let nonce = request.cookies[Self.signInCookie]?.value, let sent = form["nonce"],
            ConsoleSessionStore.constantTimeEquals(nonce, sent)
        else {
            return signInResponse(next: next, message: "The sign-in form expired. Try again.", status: .forbidden)
        }
        let secret: String
        if let code = form["link"], !code.isEmpty {
            guard let linked = await sessions.redeemLink(code) else {
                return signInResponse(
                    next: next, message: "That sign-in link was used already or has expired. Run depot login --tool browser again.",
                    status: .unauthorized)
            }
            secret = linked
        } else {
            secret = (form["token"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let identity = try? await access.authenticate(secret: secret) else {
            return signInResponse(next: next, message: "That token is unknown, expired or revoked.", status: .unauthorized)
        }
        let session = await sessions.create(secret: secret, tokenExpiresAt: identity.expiresAt)
        var response = Response.redirect(to: next, type: .normal)
        response.setCookie(
            cookie(Self.sessionCookie, session.id, maxAge: max(1, Int(session.expiresAt.timeIntervalSinceNow))))
        response.setCookie(cookie(Self.signInCookie, "", maxAge: 0))
        return response
    }

    @Sendable func signOut(_ request: Request, context: DepotRequestContext) async throws -> Response {
        await page(request, context) { caller in
            let form = try await ConsoleForm.read(request)
            try checkForm(form, caller: caller)
            if let session = caller.session { await sessions.remove(id: session.id) }
            var response = Response.redirect(to: "/ui/signin", type: .normal)
            response.setCookie(cookie(Self.sessionCookie, "", maxAge: 0))
            return response
        }
    }

    /// `POST /api/v1/signin-links`: a link that signs a browser in, once, within 5 minutes, with the calling token
    /// (so the session has the token's scope and ends with it).
    @Sendable func createSignInLink(_ request: Request, context: DepotRequestContext) async throws -> Response {
        try policy.authorize(context.identity, .read, on: .domains)
        guard let secret = AuthenticationMiddleware.presentedSecret(request.headers[.authorization]) else {
            throw DepotError.unauthorized()
        }
        let link = await sessions.createLink(secret: secret)
        let url = "\(baseURL.resolve(for: request))/ui/signin?link=\(link.code)"
        return try APIJSON.response(SignInLinkResponse(url: url, expiresAt: link.expiresAt), status: .created)
    }

    /// A link code as `ConsoleSessionStore` makes them: 64 hex digits.
    static func isLinkCode(_ text: String) -> Bool {
        text.utf8.count == 64
            && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    func cookie(_ name: String, _ value: String, maxAge: Int) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/ui", secure: secureCookies, httpOnly: true, sameSite: .strict)
    }

    /// Only console paths: a sign-in link cannot send anyone elsewhere.
    static func safeNext(_ next: String) -> String {
        guard next == "/ui" || next.hasPrefix("/ui/"), !next.contains(".."), !next.contains("\\"),
            next.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
        else { return "/ui/" }
        return next
    }

    @Sendable func home(_ request: Request, context: DepotRequestContext) async throws -> Response {
        await page(request, context) { caller in
            try policy.authorize(caller.identity, .read, on: .domains)
            let names = caller.identity?.scope.domain.map { [$0] }
            let page = try await repositories.listDomains(names: names, page: PageRequest(limit: 200))
            let domains = page.items.map { ["name": $0.name, "href": "/ui/domains/\(Self.segment($0.name))"] }
            return render("home", caller: caller, title: "Domains", ["domains": domains, "more": page.next != nil])
        }
    }
}

/// The answer of `POST /api/v1/signin-links`.
struct SignInLinkResponse: Encodable {
    var url: String
    var expiresAt: Date
}
