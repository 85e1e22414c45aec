import DepotCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DepotServer

/// Regression tests for the authorization gaps of issue 11: each failed before the one policy.
@Suite("Authorization gaps")
struct AuthorizationGapTests {
    @Test("an admin token limited to a repository cannot change its upstreams, external connection or anonymous read")
    func repositoryAdminCannotWidenItsReach() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            try await depot.createRepository("secret")
            #expect(try await depot.publish("hidden", tarball: NpmPublish.tarball(), repository: "secret").status == .created)
            let teamAdmin = try await depot.createToken(repositories: ["main"], permissions: ["admin"])
            let auth = Depot.Auth.bearer(teamAdmin.secret)
            let main = "/api/v1/domains/acme/repositories/main"

            for change in [["upstreams": ["secret"]], ["allowAnonymousRead": true], ["externalConnection": "public:npmjs"]] as [[String: Any]] {
                let response = try await depot.request(.patch, main, auth: auth, json: change)
                #expect(response.status == .forbidden, "\(change): \(response.text)")
            }
            // Nor create a repository reading from another one.
            let created = try await depot.request(
                .post, "/api/v1/domains/acme/repositories", auth: auth, json: ["name": "mine", "upstreams": ["secret"]])
            #expect(created.status == .forbidden)
            // Nothing changed: the package of `secret` stays out of its reach.
            let described = try await depot.request(.get, main).object()
            #expect(described["upstreams"] as? [String] == [])
            #expect(described["allowAnonymousRead"] as? Bool == false)
            #expect(try await depot.request(.get, "/acme/main/npm/hidden", auth: auth).status == .notFound)
            #expect(try await depot.request(.get, "/acme/secret/npm/hidden", auth: auth).status == .forbidden)

            // Its description, and settings sent unchanged, are still its to change.
            let description = try await depot.request(
                .patch, main, auth: auth, json: ["description": "team packages", "upstreams": [String](), "allowAnonymousRead": false])
            #expect(description.status == .ok, "\(description.text)")
            // The domain's admin may.
            let domainAdmin = try await depot.createToken(permissions: ["admin"])
            let upstream = try await depot.request(.patch, main, auth: .bearer(domainAdmin.secret), json: ["upstreams": ["secret"]])
            #expect(upstream.status == .ok)
        }
    }

    /// A project of repository `main` with one build; returns the build id.
    func buildSetup(_ depot: Depot, source: URL) async throws -> String {
        try await depot.standardSetup()
        try await depot.createRepository("other")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        let project = try await depot.request(
            .post, "/api/v1/domains/acme/projects", json: ["name": "app", "repository": "main", "sourceDirectory": source.path])
        try #require(project.status == .created, "\(project.text)")
        let started = try await depot.request(.post, "/api/v1/domains/acme/projects/app/builds", json: [String: Any]())
        try #require(started.status == .accepted, "\(started.text)")
        return try #require(try started.object()["id"] as? String)
    }

    @Test("every build endpoint refuses a token scoped to another repository (403), and lists hide what it may not see")
    func buildEndpointsNeedTheProjectsRepository() async throws {
        let source = FileManager.default.temporaryDirectory.appendingPathComponent("depot-authz-src-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: source) }
        try await Depot.run { depot in
            let id = try await buildSetup(depot, source: source)
            let outsider = Depot.Auth.bearer(try await depot.createToken(repositories: ["other"], permissions: ["admin"]).secret)
            let base = "/api/v1/domains/acme"
            let build = "\(base)/builds/\(id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)!)"
            let refused: [(HTTPRequest.Method, String)] = [
                (.get, "\(base)/projects/app"), (.post, "\(base)/projects/app/builds"), (.get, build), (.get, "\(build)/logs"),
                (.get, "\(build)/logs?follow=true"), (.post, "\(build)/stop"), (.get, "\(build)/artifacts/out.zip"),
                // Unknown ones look the same to it.
                (.get, "\(base)/projects/nothing"), (.get, "\(base)/builds/nothing:1"), (.post, "\(base)/builds/nothing:1/stop"),
            ]
            for (method, uri) in refused {
                let response = try await depot.request(method, uri, auth: outsider, json: [String: Any]())
                #expect(response.status == .forbidden, "\(method) \(uri): \(response.status) \(response.text)")
            }
            let create = try await depot.request(
                .post, "\(base)/projects", auth: outsider, json: ["name": "mine", "repository": "main", "sourceDirectory": source.path])
            #expect(create.status == .forbidden)
            let projects = try #require(try await depot.request(.get, "\(base)/projects", auth: outsider).object()["projects"] as? [Any])
            #expect(projects.isEmpty)
            let builds = try #require(try await depot.request(.get, "\(base)/builds", auth: outsider).object()["builds"] as? [Any])
            #expect(builds.isEmpty)

            // A reader of `main` sees them but neither starts nor stops builds.
            let reader = Depot.Auth.bearer(try await depot.createToken(repositories: ["main"], permissions: ["read"]).secret)
            #expect(try await depot.request(.get, "\(base)/projects/app", auth: reader).status == .ok)
            #expect(try await depot.request(.get, build, auth: reader).status == .ok)
            let log = try await depot.request(.get, "\(build)/logs", auth: reader)
            #expect(log.status == .ok)
            // A build's output is the build's bytes: never rendered as a page of Depot's origin.
            #expect(log.headers[.contentSecurityPolicy] == "sandbox" && log.headers[.xContentTypeOptions] == "nosniff")
            let listed = try #require(try await depot.request(.get, "\(base)/builds", auth: reader).object()["builds"] as? [[String: Any]])
            #expect(listed.map { $0["id"] as? String } == [id])
            #expect(try await depot.request(.post, "\(build)/stop", auth: reader).status == .forbidden)
            #expect(try await depot.request(.post, "\(base)/projects/app/builds", auth: reader, json: [String: Any]()).status == .forbidden)
            #expect(try await depot.request(.get, "\(base)/projects/nothing", auth: reader).status == .forbidden)
            // Its publisher stops them (409 once ended); its admin creates projects from git, not from server directories.
            let publisher = Depot.Auth.bearer(try await depot.createToken(repositories: ["main"], permissions: ["publish"]).secret)
            #expect([.ok, .conflict].contains(try await depot.request(.post, "\(build)/stop", auth: publisher).status))
            let mainAdmin = Depot.Auth.bearer(try await depot.createToken(repositories: ["main"], permissions: ["admin"]).secret)
            let created = try await depot.request(
                .post, "\(base)/projects", auth: mainAdmin,
                json: ["name": "second", "repository": "main", "gitURL": "https://git.example.com/acme/app.git"])
            #expect(created.status == .created, "\(created.text)")
            let serverDirectory = try await depot.request(
                .post, "\(base)/projects", auth: mainAdmin, json: ["name": "third", "repository": "main", "sourceDirectory": source.path])
            #expect(serverDirectory.status == .forbidden)
            // A domain-wide reader learns that an unknown build does not exist.
            let domainReader = Depot.Auth.bearer(try await depot.createToken(permissions: ["read"]).secret)
            #expect(try await depot.request(.get, "\(base)/builds/nothing:1", auth: domainReader).status == .notFound)
        }
    }

    @Test("credentials in a project's git URL and its environment values never appear in a response")
    func projectSecretsRedacted() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            let created = try await depot.request(
                .post, "/api/v1/domains/acme/projects",
                json: [
                    "name": "app", "repository": "main", "gitURL": "https://deploy:s3cr3t-pat@git.example.com/acme/app.git",
                    "environment": ["API_KEY": "topsecret-value"],
                ])
            #expect(created.status == .created, "\(created.text)")
            let responses = [
                created, try await depot.request(.get, "/api/v1/domains/acme/projects/app"),
                try await depot.request(.get, "/api/v1/domains/acme/projects"),
            ]
            for response in responses {
                #expect(!response.text.contains("s3cr3t-pat"), "\(response.text)")
                #expect(!response.text.contains("deploy:"), "\(response.text)")
                #expect(!response.text.contains("topsecret-value"), "\(response.text)")
                #expect(response.text.contains("git.example.com/acme/app.git"))
                #expect(response.text.contains("API_KEY"))
            }
            let project = try await depot.request(.get, "/api/v1/domains/acme/projects/app").object()
            #expect(project["gitURL"] as? String == "https://***@git.example.com/acme/app.git")
            #expect(project["environment"] as? [String: String] == ["API_KEY": "***"])
            #expect(ProjectResponse.redactingCredentials("git@github.com:acme/app.git") == "git@github.com:acme/app.git")
            #expect(ProjectResponse.redactingCredentials("https://github.com/acme/app.git") == "https://github.com/acme/app.git")
        }
    }

    @Test("a child token expires with its parent; a token revokes those it minted without admin; revocation cascades")
    func childTokens() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            let tokens = "/api/v1/domains/acme/tokens"
            let parentResponse = try await depot.request(
                .post, tokens, json: ["repositories": ["main"], "permissions": ["publish"], "durationSeconds": 900])
            let parent = try parentResponse.object()
            let parentSecret = try #require(parent["token"] as? String)
            let parentID = try #require(parent["id"] as? String)

            // What `depot build run` asks for: read + publish, an hour, a build name. Capped at the parent's expiry.
            let childResponse = try await depot.request(
                .post, tokens, auth: .bearer(parentSecret),
                json: ["repositories": ["main"], "permissions": ["read", "publish"], "durationSeconds": 3600, "name": "build-app-1"])
            #expect(childResponse.status == .created)
            let child = try childResponse.object()
            #expect(child["expiresAt"] as? String == parent["expiresAt"] as? String)
            let childID = try #require(child["id"] as? String)
            let childSecret = try #require(child["token"] as? String)
            let listed = try #require(try await depot.request(.get, tokens).object()["tokens"] as? [[String: Any]])
            #expect(listed.first { $0["id"] as? String == childID }?["parentID"] as? String == parentID)

            // The parent (publish, not admin) revokes its own child.
            let revoked = try await depot.request(.delete, "\(tokens)/\(childID)", auth: .bearer(parentSecret))
            #expect(revoked.status == .ok, "\(revoked.text)")
            #expect(try await depot.request(.get, "/acme/main/npm/x", auth: .bearer(childSecret)).status == .unauthorized)
            // But not a token it did not mint, nor an unknown one (same answer), nor list tokens.
            let sibling = try await depot.createToken(repositories: ["main"], permissions: ["read"])
            #expect(try await depot.request(.delete, "\(tokens)/\(sibling.id)", auth: .bearer(parentSecret)).status == .forbidden)
            #expect(try await depot.request(.delete, "\(tokens)/nosuchtoken", auth: .bearer(parentSecret)).status == .forbidden)
            #expect(try await depot.request(.get, tokens, auth: .bearer(parentSecret)).status == .forbidden)

            // Revoking the parent revokes the tokens minted from it, down the tree.
            let second = try await depot.createToken(repositories: ["main"], permissions: ["read"], auth: .bearer(parentSecret))
            let grandchild = try await depot.createToken(repositories: ["main"], permissions: ["read"], auth: .bearer(second.secret))
            #expect(try await depot.request(.delete, "\(tokens)/\(parentID)").status == .ok)
            for secret in [parentSecret, second.secret, grandchild.secret] {
                #expect(try await depot.request(.get, "/acme/main/npm/x", auth: .bearer(secret)).status == .unauthorized)
            }
            #expect(try await depot.request(.get, "/acme/main/npm/x", auth: .bearer(sibling.secret)).status == .notFound)
        }
    }

    @Test("anonymous copy answers 401 whether or not the repositories exist; a limited token 403")
    func copyOracle() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            try await depot.createRepository("secret")
            let limited = Depot.Auth.bearer(try await depot.createToken(repositories: ["main"], permissions: ["admin"]).secret)
            for (source, destination) in [("main", "secret"), ("ghost", "phantom"), ("secret", "main"), ("ghost", "main")] {
                let body: [String: Any] = [
                    "sourceRepository": source, "destinationRepository": destination, "format": "npm", "package": "p", "versions": ["1.0.0"],
                ]
                for domain in ["acme", "nowhere"] {
                    let anonymous = try await depot.request(.post, "/api/v1/domains/\(domain)/copy", auth: .anonymous, json: body)
                    #expect(anonymous.status == .unauthorized, "\(domain) \(source)->\(destination): \(anonymous.text)")
                }
                let forbidden = try await depot.request(.post, "/api/v1/domains/acme/copy", auth: limited, json: body)
                #expect(forbidden.status == .forbidden, "\(source)->\(destination): \(forbidden.text)")
            }
            // Not even a malformed body is read first.
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            let malformed = try await depot.request(
                .post, "/api/v1/domains/acme/copy", auth: .anonymous, headers: headers, body: Array("{".utf8))
            #expect(malformed.status == .unauthorized)
        }
    }
}
