import DepotCore
import DepotHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import Testing

private func basic(_ credentials: String) -> String {
    "Basic " + Data(credentials.utf8).base64EncodedString()
}

@Suite("AuthenticationMiddleware.presentedSecret")
struct PresentedSecretTests {
    @Test("no header, no secret")
    func noHeader() {
        #expect(AuthenticationMiddleware.presentedSecret(nil) == nil)
    }

    @Test(
        "Bearer tokens, scheme in any case",
        arguments: [
            ("Bearer dpt_abc", "dpt_abc"), ("bearer dpt_abc", "dpt_abc"), ("BEARER dpt_abc", "dpt_abc"),
            ("Bearer  dpt_abc ", "dpt_abc"),
        ])
    func bearer(header: String, expected: String) {
        #expect(AuthenticationMiddleware.presentedSecret(header) == expected)
    }

    @Test(
        "Basic: the password is the token, whatever the username",
        arguments: [
            ("aws:dpt_abc", "dpt_abc"), ("__token__:dpt_abc", "dpt_abc"), (":dpt_abc", "dpt_abc"),
            ("someone@example.com:dpt_abc", "dpt_abc"),
            // Only the first colon separates the username; the password may contain colons.
            ("user:pa:ss:word", "pa:ss:word"), ("user:dpt_x::", "dpt_x::"),
        ])
    func basicAuth(credentials: String, expected: String) {
        #expect(AuthenticationMiddleware.presentedSecret(basic(credentials)) == expected)
        #expect(AuthenticationMiddleware.presentedSecret("basic " + Data(credentials.utf8).base64EncodedString()) == expected)
    }

    @Test("a bare Depot token is the secret (Cargo sends the token as the whole header)")
    func bareToken() {
        #expect(AuthenticationMiddleware.presentedSecret("dpt_abc") == "dpt_abc")
        #expect(AuthenticationMiddleware.presentedSecret("xyz_abc") == nil)
    }

    @Test(
        "malformed headers present no secret",
        arguments: [
            "", "Bearer", "Basic", "Token dpt_abc", "Digest username=x", "abc", "Basic !!!notbase64!!!",
            "Basic " + Data("no-colon-here".utf8).base64EncodedString(), "Basic " + Data([0xff, 0xfe, 0x3a, 0x41]).base64EncodedString(),
        ])
    func malformed(header: String) {
        #expect(AuthenticationMiddleware.presentedSecret(header) == nil)
    }
}

/// An application with the real edge (errors, metrics) and authentication in front of a few routes.
struct EdgeApp {
    let store = InMemoryStore()
    let registry = PrometheusCollectorRegistry()
    let access: AccessService
    let repositories: RepositoryService

    init() {
        access = AccessService(store: store, defaultLifetime: 3600, maxLifetime: 86_400)
        repositories = RepositoryService(
            store: store, collector: BlobCollector(store: store, blobs: NoBlobs(), logger: quietLogger), externalConnections: [])
    }

    func makeApplication() -> some ApplicationProtocol {
        let router = Router(context: DepotRequestContext.self)
        router.add(middleware: EdgeMiddleware(metrics: registry, logger: quietLogger, accessLog: nil, errorStyle: { path in
            path.hasPrefix("/api/") ? .api : .registry
        }))
        router.add(middleware: AuthenticationMiddleware(access: access))
        router.get("/whoami") { _, context -> String in
            context.identity.map { "\($0.name) \($0.scope.domain ?? "*")" } ?? "anonymous"
        }
        let repositoryAccess = RepositoryAccess(repositories: repositories, policy: AuthorizationPolicy())
        router.get("/:domain/:repo/read") { _, context -> String in
            let repository = try await repositoryAccess.open(
                domain: try context.parameters.require("domain"), repository: try context.parameters.require("repo"),
                permission: .read, context: context)
            return "read \(repository.name)"
        }
        router.get("/:domain/:repo/publish") { _, context -> String in
            let repository = try await repositoryAccess.open(
                domain: try context.parameters.require("domain"), repository: try context.parameters.require("repo"),
                permission: .publish, context: context)
            return "publish \(repository.name)"
        }
        return Application(router: router)
    }
}

@Suite("Authentication through the edge")
struct AuthenticationMiddlewareTests {
    @Test("no Authorization header: anonymous; a valid token (Bearer or Basic) sets the identity")
    func identities() async throws {
        let edge = EdgeApp()
        let secret = try await edge.access.createBootstrapToken()
        try await edge.makeApplication().test(.router) { client in
            try await client.execute(uri: "/whoami", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "anonymous")
            }
            try await client.execute(uri: "/whoami", method: .get, headers: [.authorization: "Bearer \(secret)"]) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "admin *")
            }
            try await client.execute(uri: "/whoami", method: .get, headers: [.authorization: basic("aws:\(secret)")]) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "admin *")
            }
        }
    }

    @Test("a request asking for an upgrade (Cargo's h2c) is answered with Connection: close, errors included")
    func upgradeClosesTheConnection() async throws {
        let edge = EdgeApp()
        let secret = try await edge.access.createBootstrapToken()
        try await edge.makeApplication().test(.router) { client in
            for token in [secret, "dpt_wrong"] {
                let headers: HTTPFields = [.authorization: "Bearer \(token)", .upgrade: "h2c", .connection: "Upgrade, HTTP2-Settings"]
                try await client.execute(uri: "/whoami", method: .get, headers: headers) { response in
                    #expect(response.headers[.connection] == "close")
                }
            }
            try await client.execute(uri: "/whoami", method: .get) { response in
                #expect(response.headers[.connection] == nil)
            }
        }
    }

    @Test("a bad token is a 401 at once, with WWW-Authenticate")
    func badToken() async throws {
        let edge = EdgeApp()
        try await edge.makeApplication().test(.router) { client in
            for header in ["Bearer dpt_unknown", basic("user:dpt_unknown"), "Bearer not-even-a-depot-token"] {
                try await client.execute(uri: "/whoami", method: .get, headers: [.authorization: header]) { response in
                    #expect(response.status == .unauthorized)
                    let challenges = response.headers[values: .wwwAuthenticate]
                    #expect(challenges.contains { $0.hasPrefix("Bearer") } && challenges.contains { $0.hasPrefix("Basic") })
                }
            }
        }
    }

    @Test("a revoked token is refused")
    func revokedToken() async throws {
        let edge = EdgeApp()
        let admin = try await edge.access.authenticate(secret: try await edge.access.createBootstrapToken())
        let minted = try await edge.access.createToken(
            by: admin, scope: TokenScope(domain: "acme", permissions: [.read]), durationSeconds: nil, name: "ci")
        try await edge.access.revoke(id: minted.record.id, domain: "acme")
        try await edge.makeApplication().test(.router) { client in
            try await client.execute(uri: "/whoami", method: .get, headers: [.authorization: "Bearer \(minted.secret)"]) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test("RepositoryAccess: anonymous callers learn nothing; limited ones get 403, domain-wide ones 404 or 403")
    func repositoryAccess() async throws {
        let edge = EdgeApp()
        _ = try await edge.repositories.createDomain(name: "acme")
        _ = try await edge.repositories.createRepository(
            domain: "acme", name: "public", settings: RepositorySettings(allowAnonymousRead: true))
        _ = try await edge.repositories.createRepository(domain: "acme", name: "private", settings: RepositorySettings())
        let admin = try await edge.access.authenticate(secret: try await edge.access.createBootstrapToken())
        let reader = try await edge.access.createToken(
            by: admin, scope: TokenScope(domain: "acme", repositories: ["private"], permissions: [.read]), durationSeconds: nil,
            name: nil)
        let bearer: HTTPFields = [.authorization: "Bearer \(reader.secret)"]
        let domainReader = try await edge.access.createToken(
            by: admin, scope: TokenScope(domain: "acme", permissions: [.read]), durationSeconds: nil, name: nil)
        let domainBearer: HTTPFields = [.authorization: "Bearer \(domainReader.secret)"]

        try await edge.makeApplication().test(.router) { client in
            // Anonymous.
            try await client.execute(uri: "/acme/public/read", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "read public")
            }
            try await client.execute(uri: "/acme/public/publish", method: .get) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/acme/private/read", method: .get) { #expect($0.status == .unauthorized) }
            // A missing repository looks the same as a private one to anonymous callers.
            try await client.execute(uri: "/acme/ghost/read", method: .get) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/nodomain/ghost/read", method: .get) { #expect($0.status == .unauthorized) }

            // Authenticated, limited to "private" with read.
            try await client.execute(uri: "/acme/private/read", method: .get, headers: bearer) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "read private")
            }
            try await client.execute(uri: "/acme/private/publish", method: .get, headers: bearer) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/acme/public/publish", method: .get, headers: bearer) { #expect($0.status == .forbidden) }
            // A repository it is not limited to: 403 whether it exists or not.
            try await client.execute(uri: "/acme/public/read", method: .get, headers: bearer) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/acme/ghost/read", method: .get, headers: bearer) { #expect($0.status == .forbidden) }
            // A reader of the whole domain may learn that a repository does not exist.
            try await client.execute(uri: "/acme/ghost/read", method: .get, headers: domainBearer) { #expect($0.status == .notFound) }
        }
    }
}
