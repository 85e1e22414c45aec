import DepotCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import DepotServer

@Suite("Bootstrap and operations")
struct BootstrapTests {
    @Test("the bootstrap admin token is written once, mode 0600, and works")
    func bootstrapToken() async throws {
        try await Depot.run { depot in
            let path = depot.storage.appendingPathComponent("admin.token").path
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            let mode = try #require(attributes[.posixPermissions] as? NSNumber).intValue
            #expect(mode & 0o777 == 0o600)
            #expect(depot.adminToken.hasPrefix("dpt_"))
            #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))
            #expect(FileManager.default.fileExists(atPath: depot.storage.appendingPathComponent("depot.sqlite").path))

            let response = try await depot.request(.get, "/api/v1/domains")
            #expect(response.status == .ok)
            #expect(try response.object()["domains"] as? [Any] != nil)
        }
    }

    @Test("ensureBootstrapToken leaves an existing token file alone")
    func bootstrapIdempotent() async throws {
        let storage = FileManager.default.temporaryDirectory.appendingPathComponent("depot-server-tests-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: storage) }
        var configuration = DepotConfiguration()
        configuration.storagePath = storage.path
        var logger = Logger(label: "test")
        logger.logLevel = .error
        let parts = try buildServerParts(configuration: configuration, logger: logger)
        try await ensureBootstrapToken(configuration: configuration, access: parts.access, logger: logger)
        let file = storage.appendingPathComponent("admin.token")
        let first = try String(contentsOf: file, encoding: .utf8)
        try await ensureBootstrapToken(configuration: configuration, access: parts.access, logger: logger)
        #expect(try String(contentsOf: file, encoding: .utf8) == first)
        #expect(first.hasSuffix("\n"))
        let identity = try await parts.access.authenticate(secret: first.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(identity.scope.domain == nil)
        #expect(identity.scope.grants(.admin))
    }

    @Test("/healthz answers 200 and /metrics exposes request counters")
    func operations() async throws {
        try await Depot.run { depot in
            let health = try await depot.request(.get, "/healthz", auth: .anonymous)
            #expect(health.status == .ok)
            #expect(try health.object()["status"] as? String == "ok")
            _ = try await depot.request(.get, "/api/v1/domains/nope")
            let metrics = try await depot.request(.get, "/metrics", auth: .anonymous)
            #expect(metrics.status == .ok)
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
            #expect(metrics.text.contains("depot_http_requests_total"))
            #expect(metrics.text.contains("status=\"404\""))
            #expect(metrics.text.contains("depot_http_request_duration_seconds"))
        }
    }

    @Test("unknown routes are 404 and errors use the API shape under /api")
    func unknownRoute() async throws {
        try await Depot.run { depot in
            let response = try await depot.request(.get, "/api/v1/nothing-here")
            #expect(response.status == .notFound)
            _ = try response.apiErrorCode()
        }
    }
}

@Suite("Domains API")
struct DomainAPITests {
    @Test("create, duplicate, list, describe and delete")
    func lifecycle() async throws {
        try await Depot.run { depot in
            let created = try await depot.request(.post, "/api/v1/domains", json: ["name": "acme"])
            #expect(created.status == .created)
            #expect(created.headers[.contentType] == "application/json")
            let body = try created.object()
            #expect(body["name"] as? String == "acme")
            #expect(body["repositoryCount"] as? Int == 0)
            #expect(body["createdAt"] as? String != nil)

            let duplicate = try await depot.request(.post, "/api/v1/domains", json: ["name": "acme"])
            #expect(duplicate.status == .conflict)
            #expect(try duplicate.apiErrorCode() == "DomainExists")

            try await depot.createDomain("beta")
            let list = try await depot.request(.get, "/api/v1/domains")
            #expect(list.status == .ok)
            let domains = try #require(try list.object()["domains"] as? [[String: Any]])
            #expect(Set(domains.compactMap { $0["name"] as? String }) == ["acme", "beta"])

            try await depot.createRepository("main")
            let described = try await depot.request(.get, "/api/v1/domains/acme")
            #expect(described.status == .ok)
            #expect(try described.object()["repositoryCount"] as? Int == 1)

            let notEmpty = try await depot.request(.delete, "/api/v1/domains/acme")
            #expect(notEmpty.status == .conflict)
            #expect(try notEmpty.apiErrorCode() == "DomainNotEmpty")

            #expect(try await depot.request(.delete, "/api/v1/domains/beta").status == .ok)
            let gone = try await depot.request(.get, "/api/v1/domains/beta")
            #expect(gone.status == .notFound)
            #expect(try gone.apiErrorCode() == "DomainNotFound")
        }
    }

    @Test("invalid names and malformed bodies are 400")
    func badInput() async throws {
        try await Depot.run { depot in
            for name in ["A", "Acme", "a", "-acme", "acme corp", "api", "../x", String(repeating: "a", count: 51)] {
                let response = try await depot.request(.post, "/api/v1/domains", json: ["name": name])
                #expect(response.status == .badRequest, "\(name)")
                #expect(try response.apiErrorCode() == "InvalidName")
            }
            for body in ["{\"name\":", "not json", "[]", "{\"nom\":\"x\"}", "{\"name\":5}", ""] {
                let response = try await depot.request(.post, "/api/v1/domains", body: Array(body.utf8))
                #expect(response.status == .badRequest, "\(body)")
                #expect(try response.apiErrorCode() == "MalformedBody")
            }
        }
    }

    @Test("domains need a token; only the global admin manages them")
    func authorization() async throws {
        try await Depot.run { depot in
            let anonymous = try await depot.request(.post, "/api/v1/domains", auth: .anonymous, json: ["name": "acme"])
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.wwwAuthenticate]?.contains("Bearer") == true)
            #expect(try anonymous.apiErrorCode() == "Unauthorized")
            #expect(try await depot.request(.get, "/api/v1/domains", auth: .anonymous).status == .unauthorized)

            let bogus = try await depot.request(.get, "/api/v1/domains", auth: .bearer("dpt_notarealtoken"))
            #expect(bogus.status == .unauthorized)
            #expect(bogus.headers[.wwwAuthenticate] != nil)

            try await depot.createDomain("acme")
            try await depot.createDomain("other")
            let domainAdmin = try await depot.createToken(permissions: ["admin"])
            let create = try await depot.request(.post, "/api/v1/domains", auth: .bearer(domainAdmin.secret), json: ["name": "x1"])
            #expect(create.status == .forbidden)
            #expect(try create.apiErrorCode() == "Forbidden")
            // A domain's token sees only its own domain.
            let list = try await depot.request(.get, "/api/v1/domains", auth: .bearer(domainAdmin.secret))
            let names = try #require(try list.object()["domains"] as? [[String: Any]]).compactMap { $0["name"] as? String }
            #expect(names == ["acme"])
            #expect(try await depot.request(.get, "/api/v1/domains/other", auth: .bearer(domainAdmin.secret)).status == .forbidden)
            // HTTP Basic with the token as password works too.
            let basic = try await depot.request(.get, "/api/v1/domains/acme", auth: .basic(user: "aws", password: domainAdmin.secret))
            #expect(basic.status == .ok)
        }
    }
}

@Suite("Repositories API")
struct RepositoryAPITests {
    @Test("create with upstreams, list, describe and endpoint")
    func createAndDescribe() async throws {
        try await Depot.run { depot in
            try await depot.createDomain("acme")
            try await depot.createRepository("shared")
            let created = try await depot.request(
                .post, "/api/v1/domains/acme/repositories",
                json: ["name": "main", "description": "team packages", "upstreams": ["shared"]])
            #expect(created.status == .created)
            let body = try created.object()
            #expect(body["name"] as? String == "main")
            #expect(body["domain"] as? String == "acme")
            #expect(body["description"] as? String == "team packages")
            #expect(body["upstreams"] as? [String] == ["shared"])
            #expect(body["allowAnonymousRead"] as? Bool == false)
            #expect((body["endpoints"] as? [String: String])?["npm"] == "http://localhost/acme/main/npm/")

            let duplicate = try await depot.request(.post, "/api/v1/domains/acme/repositories", json: ["name": "main"])
            #expect(duplicate.status == .conflict)
            #expect(try duplicate.apiErrorCode() == "RepositoryExists")

            let list = try await depot.request(.get, "/api/v1/domains/acme/repositories")
            let names = try #require(try list.object()["repositories"] as? [[String: Any]]).compactMap { $0["name"] as? String }
            #expect(Set(names) == ["main", "shared"])

            let described = try await depot.request(.get, "/api/v1/domains/acme/repositories/main")
            #expect(described.status == .ok)
            #expect(try described.object()["upstreams"] as? [String] == ["shared"])

            let endpoint = try await depot.request(.get, "/api/v1/domains/acme/repositories/main/endpoint?format=npm")
            #expect(endpoint.status == .ok)
            let url = try #require(try endpoint.object()["url"] as? String)
            #expect(url.hasSuffix("/acme/main/npm/"))
            #expect(url == "http://localhost/acme/main/npm/")
            #expect(try endpoint.object()["format"] as? String == "npm")

            let noFormat = try await depot.request(.get, "/api/v1/domains/acme/repositories/main/endpoint")
            #expect(noFormat.status == .badRequest)
            #expect(try noFormat.apiErrorCode() == "MissingFormat")
            let unknownFormat = try await depot.request(.get, "/api/v1/domains/acme/repositories/main/endpoint?format=rubygems")
            #expect(unknownFormat.status == .badRequest)
            #expect(try unknownFormat.apiErrorCode() == "UnknownFormat")

            let missing = try await depot.request(.get, "/api/v1/domains/acme/repositories/nope")
            #expect(missing.status == .notFound)
            #expect(try missing.apiErrorCode() == "RepositoryNotFound")
            let missingDomain = try await depot.request(.post, "/api/v1/domains/nope/repositories", json: ["name": "main"])
            #expect(missingDomain.status == .notFound)
        }
    }

    @Test("the endpoint ignores X-Forwarded-Proto from a peer that is not a trusted proxy, and uses a configured public URL")
    func publicURL() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            var headers = HTTPFields()
            headers[HTTPField.Name("X-Forwarded-Proto")!] = "https"
            let forwarded = try await depot.request(.get, "/api/v1/domains/acme/repositories/main/endpoint?format=npm", headers: headers)
            // Router tests have no peer address, so none is a trusted proxy (ForwardedHeadersTests covers one that is).
            #expect(try forwarded.object()["url"] as? String == "http://localhost/acme/main/npm/")
        }
        try await Depot.run(configure: { $0.publicURL = "https://depot.example.com/" }) { depot in
            try await depot.standardSetup()
            let configured = try await depot.request(.get, "/api/v1/domains/acme/repositories/main/endpoint?format=npm")
            #expect(try configured.object()["url"] as? String == "https://depot.example.com/acme/main/npm/")
        }
    }

    @Test("upstream cycles, unknown upstreams and unknown external connections are refused")
    func upstreamValidation() async throws {
        try await Depot.run { depot in
            try await depot.createDomain("acme")
            try await depot.createRepository("ra")
            try await depot.createRepository("rb", upstreams: ["ra"])
            try await depot.createRepository("rc", upstreams: ["rb"])

            let cycle = try await depot.request(.patch, "/api/v1/domains/acme/repositories/ra", json: ["upstreams": ["rc"]])
            #expect(cycle.status == .badRequest)
            #expect(try cycle.apiErrorCode() == "UpstreamCycle")
            let direct = try await depot.request(.patch, "/api/v1/domains/acme/repositories/ra", json: ["upstreams": ["rb"]])
            #expect(direct.status == .badRequest)
            #expect(try direct.apiErrorCode() == "UpstreamCycle")
            let own = try await depot.request(.patch, "/api/v1/domains/acme/repositories/ra", json: ["upstreams": ["ra"]])
            #expect(own.status == .badRequest)
            // Nothing changed.
            #expect(try await depot.request(.get, "/api/v1/domains/acme/repositories/ra").object()["upstreams"] as? [String] == [])

            let unknown = try await depot.request(
                .post, "/api/v1/domains/acme/repositories", json: ["name": "rd", "upstreams": ["ghost"]])
            #expect(unknown.status == .badRequest)
            #expect(try unknown.apiErrorCode() == "UnknownUpstream")
            let twice = try await depot.request(
                .post, "/api/v1/domains/acme/repositories", json: ["name": "rd", "upstreams": ["ra", "ra"]])
            #expect(twice.status == .badRequest)

            let badConnection = try await depot.request(
                .post, "/api/v1/domains/acme/repositories", json: ["name": "rd", "externalConnection": "public:rubygems"])
            #expect(badConnection.status == .badRequest)
            #expect(try badConnection.apiErrorCode() == "UnknownExternalConnection")
            #expect(try await depot.request(.get, "/api/v1/domains/acme/repositories/rd").status == .notFound)

            let npmjs = try await depot.request(
                .post, "/api/v1/domains/acme/repositories", json: ["name": "npm-store", "externalConnection": "public:npmjs"])
            #expect(npmjs.status == .created)
            #expect(try npmjs.object()["externalConnection"] as? String == "public:npmjs")

            // PATCH: a valid change, then removing the connection with null.
            let patched = try await depot.request(
                .patch, "/api/v1/domains/acme/repositories/rc", json: ["upstreams": ["ra", "npm-store"], "description": "d2"])
            #expect(patched.status == .ok)
            #expect(try patched.object()["upstreams"] as? [String] == ["ra", "npm-store"])
            #expect(try patched.object()["description"] as? String == "d2")
            let removed = try await depot.request(
                .patch, "/api/v1/domains/acme/repositories/npm-store", json: ["externalConnection": NSNull()])
            #expect(removed.status == .ok)
            #expect(try removed.object()["externalConnection"] == nil)
            let badPatch = try await depot.request(
                .patch, "/api/v1/domains/acme/repositories/npm-store", json: ["externalConnection": "public:nope"])
            #expect(badPatch.status == .badRequest)
        }
    }

    @Test("a repository that is an upstream cannot be deleted")
    func deleteInUse() async throws {
        try await Depot.run { depot in
            try await depot.createDomain("acme")
            try await depot.createRepository("shared")
            try await depot.createRepository("main", upstreams: ["shared"])
            let refused = try await depot.request(.delete, "/api/v1/domains/acme/repositories/shared")
            #expect(refused.status == .conflict)
            #expect(try refused.apiErrorCode() == "RepositoryInUse")
            #expect(try await depot.request(.get, "/api/v1/domains/acme/repositories/shared").status == .ok)

            #expect(try await depot.request(.delete, "/api/v1/domains/acme/repositories/main").status == .ok)
            #expect(try await depot.request(.delete, "/api/v1/domains/acme/repositories/shared").status == .ok)
            #expect(try await depot.request(.get, "/api/v1/domains/acme/repositories/shared").status == .notFound)
        }
    }
}
