import DepotCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DepotServer

/// The web console through the real router: sign-in, sessions bound to the token, CSRF on every form, pages.
@Suite("Console routes")
struct ConsoleRouteTests {
    /// A signed-in browser: the session cookie and the CSRF token its pages carry.
    struct Browser {
        let depot: Depot
        let session: String
        let csrf: String

        func get(_ path: String) async throws -> TestResponse {
            try await depot.request(.get, path, auth: .anonymous, headers: [.cookie: "\(ConsoleController.sessionCookie)=\(session)"])
        }

        func post(_ path: String, _ fields: [String: String], csrf: Bool = true) async throws -> TestResponse {
            var all = fields
            if csrf { all["csrf"] = self.csrf }
            var headers: HTTPFields = [.cookie: "\(ConsoleController.sessionCookie)=\(session)"]
            headers[.contentType] = "application/x-www-form-urlencoded"
            return try await depot.request(.post, path, auth: .anonymous, headers: headers, body: Array(ConsoleRouteTests.form(all).utf8))
        }
    }

    static func form(_ fields: [String: String]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
            .joined(separator: "&")
    }

    static func cookie(_ name: String, in response: TestResponse) -> String? {
        for value in response.headers[values: .setCookie] where value.hasPrefix("\(name)=") {
            return String(value.dropFirst(name.count + 1).prefix { $0 != ";" })
        }
        return nil
    }

    static func hidden(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: #"name="\#(name)" value="([^"]*)""#, options: .regularExpression) else { return nil }
        return String(html[range].dropFirst("name=\"\(name)\" value=\"".count).dropLast())
    }

    static func signIn(_ depot: Depot, token: String) async throws -> Browser {
        let page = try await depot.request(.get, "/ui/signin", auth: .anonymous)
        let nonce = try #require(cookie(ConsoleController.signInCookie, in: page))
        #expect(hidden("nonce", in: page.text) == nonce)
        var headers: HTTPFields = [.cookie: "\(ConsoleController.signInCookie)=\(nonce)"]
        headers[.contentType] = "application/x-www-form-urlencoded"
        let signedIn = try await depot.request(
            .post, "/ui/signin", auth: .anonymous, headers: headers,
            body: Array(form(["token": token, "nonce": nonce, "next": "/ui/"]).utf8))
        try #require(signedIn.status == .seeOther, "\(signedIn.status) \(signedIn.text)")
        let setCookie = try #require(signedIn.headers[values: .setCookie].first { $0.hasPrefix(ConsoleController.sessionCookie) })
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Path=/ui"))
        #expect(!setCookie.contains(token))
        let session = try #require(cookie(ConsoleController.sessionCookie, in: signedIn))
        let home = try await depot.request(.get, "/ui/", auth: .anonymous, headers: [.cookie: "\(ConsoleController.sessionCookie)=\(session)"])
        try #require(home.status == .ok, "\(home.text)")
        return Browser(depot: depot, session: session, csrf: try #require(hidden("csrf", in: home.text)))
    }

    @Test("sign in, browse domain -> repository -> package -> version, search; README rendered inert")
    func browse() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            let readme = """
                # Hello package
                Use **it**. <script>alert('xss')</script>

                [bad](javascript:alert(1)) and [good](https://example.com/docs)
                """
            #expect(try await depot.publish("hello", tarball: NpmPublish.tarball(), readme: readme).status == .created)
            #expect(try await depot.publish("@team/other", tarball: NpmPublish.tarball(2), readme: "x").status == .created)
            let browser = try await Self.signIn(depot, token: depot.adminToken)

            let home = try await browser.get("/ui/")
            #expect(home.text.contains(#"href="/ui/domains/acme""#))
            #expect(home.headers[.contentSecurityPolicy] == ConsoleHeadersMiddleware.contentSecurityPolicy)
            #expect(home.headers[.cacheControl] == "no-store")

            let domain = try await browser.get("/ui/domains/acme")
            #expect(domain.status == .ok && domain.text.contains(#"href="/ui/domains/acme/repositories/main""#))

            let repository = try await browser.get("/ui/domains/acme/repositories/main")
            #expect(repository.status == .ok)
            #expect(repository.text.contains(#"href="/ui/domains/acme/repositories/main/packages/npm/hello""#))
            #expect(repository.text.contains("depot login --tool npm --domain acme --repo main"))
            #expect(repository.text.contains("/acme/main/npm/"))
            #expect(repository.text.contains(#"data-copy="#))

            let found = try await browser.get("/ui/domains/acme/repositories/main?q=hel&format=npm")
            #expect(found.text.contains("packages/npm/hello") && !found.text.contains("packages/npm/%40team%2Fother"))
            let none = try await browser.get("/ui/domains/acme/repositories/main?q=zzz")
            #expect(none.text.contains("No package matches"))

            let package = try await browser.get("/ui/domains/acme/repositories/main/packages/npm/hello")
            #expect(package.status == .ok && package.text.contains("npm install hello@1.0.0"))
            #expect(package.text.contains("INTERNAL") && package.text.contains("ALLOW"))
            let scoped = try await browser.get("/ui/domains/acme/repositories/main/packages/npm/%40team%2Fother")
            #expect(scoped.status == .ok && scoped.text.contains("@team/other"))

            let version = try await browser.get("/ui/domains/acme/repositories/main/packages/npm/hello/versions/1.0.0")
            #expect(version.status == .ok)
            #expect(version.text.contains("<h2>Hello package</h2>"))
            #expect(version.text.contains("<strong>it</strong>"))
            #expect(!version.text.contains("<script>alert"))
            #expect(version.text.contains("&lt;script&gt;"))
            #expect(!version.text.contains("javascript:alert(1)\""))
            #expect(!version.text.contains(#"href="javascript"#))
            #expect(version.text.contains(#"href="https://example.com/docs""#))
            #expect(version.text.contains("left-pad"))
            #expect(version.text.contains("Published"))

            let missing = try await browser.get("/ui/domains/acme/repositories/main/packages/npm/ghost")
            #expect(missing.status == .notFound)
        }
    }

    @Test("an anonymous page request gets the sign-in form with 401; / redirects to /ui/")
    func anonymous() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            let page = try await depot.request(.get, "/ui/domains/acme", auth: .anonymous)
            #expect(page.status == .unauthorized)
            #expect(page.text.contains(#"action="/ui/signin""#) && page.text.contains(#"value="/ui/domains/acme""#))
            let root = try await depot.request(.get, "/", auth: .anonymous)
            #expect(root.status == .found && root.headers[.location] == "/ui/")
            let css = try await depot.request(.get, "/ui/static/console.css", auth: .anonymous)
            #expect(css.status == .ok && css.headers[.contentType]?.hasPrefix("text/css") == true)
        }
    }

    @Test("sign-in refuses a bad token and a form without its nonce")
    func signInRefusals() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            let page = try await depot.request(.get, "/ui/signin", auth: .anonymous)
            let nonce = try #require(Self.cookie(ConsoleController.signInCookie, in: page))
            var headers: HTTPFields = [.cookie: "\(ConsoleController.signInCookie)=\(nonce)"]
            headers[.contentType] = "application/x-www-form-urlencoded"
            let bad = try await depot.request(
                .post, "/ui/signin", auth: .anonymous, headers: headers, body: Array(Self.form(["token": "dpt_nope", "nonce": nonce]).utf8))
            #expect(bad.status == .unauthorized && Self.cookie(ConsoleController.sessionCookie, in: bad) == nil)
            var noCookie = HTTPFields()
            noCookie[.contentType] = "application/x-www-form-urlencoded"
            let forged = try await depot.request(
                .post, "/ui/signin", auth: .anonymous, headers: noCookie,
                body: Array(Self.form(["token": depot.adminToken, "nonce": nonce]).utf8))
            #expect(forged.status == .forbidden && Self.cookie(ConsoleController.sessionCookie, in: forged) == nil)
        }
    }

    @Test("a form post without the CSRF token is refused; with it, a token is minted and shown once, then revoked")
    func csrfAndTokens() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            let browser = try await Self.signIn(depot, token: depot.adminToken)
            let forged = try await browser.post("/ui/domains/acme/tokens", ["permission": "read", "name": "forged"], csrf: false)
            #expect(forged.status == .forbidden)
            let wrong = try await browser.post("/ui/domains/acme/tokens", ["permission": "read", "csrf": "0"], csrf: false)
            #expect(wrong.status == .forbidden)
            // A header-authenticated post has no session, so no CSRF token: refused too.
            var headers = HTTPFields()
            headers[.contentType] = "application/x-www-form-urlencoded"
            let headerOnly = try await depot.request(.post, "/ui/domains/acme/tokens", headers: headers, body: Array("permission=read".utf8))
            #expect(headerOnly.status == .forbidden)

            let minted = try await browser.post("/ui/domains/acme/tokens", ["permission": "read", "name": "ci-reader", "hours": "1"])
            #expect(minted.status == .ok)
            let secret = try #require(minted.text.range(of: #"dpt_[a-z2-7]+"#, options: .regularExpression).map { String(minted.text[$0]) })
            let id = try #require(minted.text.range(of: #"id="new-token-id">[a-z2-7]+"#, options: .regularExpression)
                .map { String(minted.text[$0].dropFirst(#"id="new-token-id">"#.count)) })
            #expect(try await depot.request(.get, "/api/v1/domains/acme/repositories", auth: .bearer(secret)).status == .ok)
            // Shown once: the listing never has it.
            let listing = try await browser.get("/ui/domains/acme/tokens")
            #expect(listing.text.contains(id) && !listing.text.contains(secret))

            #expect(try await browser.post("/ui/domains/acme/tokens/\(id)/revoke", [:], csrf: false).status == .forbidden)
            let revoked = try await browser.post("/ui/domains/acme/tokens/\(id)/revoke", [:])
            #expect(revoked.status == .seeOther)
            #expect(try await depot.request(.get, "/api/v1/domains/acme/repositories", auth: .bearer(secret)).status == .unauthorized)
        }
    }

    @Test("a revoked token's session is refused at once; sign-out ends a session")
    func sessionEnds() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            let token = try await depot.createToken(permissions: ["read"])
            let browser = try await Self.signIn(depot, token: token.secret)
            #expect(try await browser.get("/ui/domains/acme").status == .ok)
            // Read-only: no repository form, and a post that needs admin is refused.
            #expect(!(try await browser.get("/ui/domains/acme").text.contains("create-repository")))
            #expect(try await browser.post("/ui/domains/acme/repositories", ["name": "x"]).status == .forbidden)
            #expect(try await depot.request(.delete, "/api/v1/domains/acme/tokens/\(token.id)").status == .ok)
            let refused = try await browser.get("/ui/domains/acme")
            #expect(refused.status == .unauthorized && refused.text.contains("session has ended"))

            let admin = try await Self.signIn(depot, token: depot.adminToken)
            let out = try await admin.post("/ui/signout", [:])
            #expect(out.status == .seeOther && out.headers[.location] == "/ui/signin")
            #expect(try await admin.get("/ui/").status == .unauthorized)
        }
    }

    @Test("a sign-in link signs a browser in once with the token's scope; without a token there is none")
    func signInLink() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            #expect(try await depot.request(.post, "/api/v1/signin-links", auth: .anonymous).status == .unauthorized)
            let token = try await depot.createToken(permissions: ["read"])
            let created = try await depot.request(.post, "/api/v1/signin-links", auth: .bearer(token.secret))
            try #require(created.status == .created, "\(created.text)")
            let url = try #require(try created.object()["url"] as? String)
            let path = String(url[try #require(url.range(of: "/ui/signin?link=")).lowerBound...])
            let code = String(path.dropFirst("/ui/signin?link=".count))

            func use() async throws -> TestResponse {
                let page = try await depot.request(.get, path, auth: .anonymous)
                #expect(page.status == .ok && Self.hidden("link", in: page.text) == code && !page.text.contains("id=\"token\""))
                let nonce = try #require(Self.cookie(ConsoleController.signInCookie, in: page))
                var headers: HTTPFields = [.cookie: "\(ConsoleController.signInCookie)=\(nonce)"]
                headers[.contentType] = "application/x-www-form-urlencoded"
                return try await depot.request(
                    .post, "/ui/signin", auth: .anonymous, headers: headers, body: Array(Self.form(["link": code, "nonce": nonce]).utf8))
            }
            let first = try await use()
            #expect(first.status == .seeOther)
            let session = try #require(Self.cookie(ConsoleController.sessionCookie, in: first))
            let domain = try await depot.request(.get, "/ui/domains/acme", auth: .anonymous, headers: [.cookie: "\(ConsoleController.sessionCookie)=\(session)"])
            // The read token's session: it reads, and offers no admin form.
            #expect(domain.status == .ok && !domain.text.contains("create-repository"))
            let second = try await use()
            #expect(second.status == .unauthorized && second.text.contains("used already or has expired"))
            #expect(Self.cookie(ConsoleController.sessionCookie, in: second) == nil)
        }
    }

    @Test("admin forms: create a repository, set a version's status and origin controls")
    func adminForms() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            #expect(try await depot.publish("hello", tarball: NpmPublish.tarball()).status == .created)
            let browser = try await Self.signIn(depot, token: depot.adminToken)
            let created = try await browser.post("/ui/domains/acme/repositories", ["name": "team", "description": "Team", "upstreams": "main"])
            #expect(created.status == .seeOther && created.headers[.location] == "/ui/domains/acme/repositories/team")
            let team = try await browser.get("/ui/domains/acme/repositories/team")
            #expect(team.text.contains(#"href="/ui/domains/acme/repositories/main""#))

            let base = "/ui/domains/acme/repositories/main/packages/npm/hello"
            #expect(try await browser.post("\(base)/versions/1.0.0/status", ["status": "Archived"]).status == .seeOther)
            #expect(try await browser.get("\(base)/versions/1.0.0").text.contains(#"<dd id="status">Archived</dd>"#))
            #expect(try await browser.post("\(base)/origin", ["publish": "BLOCK", "upstream": "ALLOW"]).status == .seeOther)
            let described = try await depot.request(.get, "/api/v1/domains/acme/repositories/main/packages/npm/hello").object()
            let origin = try #require(described["originConfiguration"] as? [String: Any])
            #expect(origin["restrictions"] != nil || origin["publish"] != nil)
        }
    }
}

@Suite("Console build pages")
struct ConsoleBuildRouteTests {
    @Test("a build's page shows its phases, and its events stream the log lines then the final status")
    func buildPageAndEvents() async throws {
        let source = FileManager.default.temporaryDirectory.appendingPathComponent("depot-console-build-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: source) }
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        try "version: 0.2\nphases:\n  build:\n    commands:\n      - echo console-line-one\n      - echo console-line-two\n"
            .write(to: source.appendingPathComponent("buildspec.yml"), atomically: true, encoding: .utf8)
        try await Depot.run(configure: { $0.buildSandbox = "none" }) { depot in
            try await depot.standardSetup()
            let project = try await depot.request(
                .post, "/api/v1/domains/acme/projects", json: ["name": "app", "repository": "main", "sourceDirectory": source.path])
            try #require(project.status == .created, "\(project.text)")
            let started = try await depot.request(.post, "/api/v1/domains/acme/projects/app/builds", json: [String: Any]())
            let id = try #require(try started.object()["id"] as? String)
            let browser = try await ConsoleRouteTests.signIn(depot, token: depot.adminToken)

            let events = try await browser.get("/ui/domains/acme/builds/\(id)/events")
            #expect(events.headers[.contentType]?.hasPrefix("text/event-stream") == true)
            #expect(events.text.contains("event: line\ndata: console-line-one\n\n"), "\(events.text)")
            #expect(events.text.hasSuffix("event: end\ndata: SUCCEEDED\n\n"), "\(events.text)")

            let list = try await browser.get("/ui/domains/acme/builds")
            #expect(list.status == .ok && list.text.contains(id))
            let page = try await browser.get("/ui/domains/acme/builds/\(id)")
            #expect(page.status == .ok && page.text.contains("SUCCEEDED") && page.text.contains("console-line-two"))
            #expect(page.text.contains("BUILD") && !page.text.contains("data-events"))
            #expect(try await browser.get("/ui/domains/acme/builds/acme:999").status == .notFound)
        }
    }
}

@Suite("Console cookies under TLS")
struct ConsoleSecureCookieTests {
    @Test("a server that speaks TLS marks the console's cookies Secure")
    func secureCookies() async throws {
        try await Depot.run(configure: { $0.tlsCertificatePath = "/nonexistent/cert.pem" }) { depot in
            let page = try await depot.request(.get, "/ui/signin", auth: .anonymous)
            let cookie = try #require(page.headers[values: .setCookie].first { $0.hasPrefix(ConsoleController.signInCookie) })
            #expect(cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
        }
    }
}
