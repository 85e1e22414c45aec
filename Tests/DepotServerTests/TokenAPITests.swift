import DepotCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DepotServer

@Suite("Tokens API")
struct TokenAPITests {
    @Test("a read token for one repository: minted, limited, listed without its secret, revoked")
    func readTokenLifecycle() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            try await depot.createRepository("other")

            let before = Date()
            let created = try await depot.request(
                .post, "/api/v1/domains/acme/tokens", json: ["repositories": ["main"], "permissions": ["read"]])
            #expect(created.status == .created)
            let body = try created.object()
            let id = try #require(body["id"] as? String)
            let secret = try #require(body["token"] as? String)
            #expect(secret.hasPrefix("dpt_"))
            #expect(secret.count > 40)
            #expect(body["permissions"] as? [String] == ["read"])
            #expect(body["repositories"] as? [String] == ["main"])
            let expiresText = try #require(body["expiresAt"] as? String)
            let expires = try #require(ISO8601DateFormatter().date(from: expiresText))
            // Default lifetime: 12 hours.
            #expect(abs(expires.timeIntervalSince(before) - 43200) < 120)

            // It reads what it covers.
            let read = try await depot.request(.get, "/api/v1/domains/acme/repositories/main", auth: .bearer(secret))
            #expect(read.status == .ok)
            // It cannot change anything, nor see other repositories.
            let create = try await depot.request(
                .post, "/api/v1/domains/acme/repositories", auth: .bearer(secret), json: ["name": "sneaky"])
            #expect(create.status == .forbidden)
            #expect(try create.apiErrorCode() == "Forbidden")
            let other = try await depot.request(.get, "/api/v1/domains/acme/repositories/other", auth: .bearer(secret))
            #expect(other.status == .forbidden)
            let list = try await depot.request(.get, "/api/v1/domains/acme/repositories", auth: .bearer(secret))
            let visible = try #require(try list.object()["repositories"] as? [[String: Any]]).compactMap { $0["name"] as? String }
            #expect(visible == ["main"])
            // Nor mint a broader token, nor list tokens.
            let broader = try await depot.request(
                .post, "/api/v1/domains/acme/tokens", auth: .bearer(secret), json: ["permissions": ["publish"]])
            #expect(broader.status == .forbidden)
            let wider = try await depot.request(
                .post, "/api/v1/domains/acme/tokens", auth: .bearer(secret), json: ["permissions": ["read"]])
            #expect(wider.status == .forbidden)
            let narrower = try await depot.request(
                .post, "/api/v1/domains/acme/tokens", auth: .bearer(secret),
                json: ["repositories": ["main"], "permissions": ["read"], "durationSeconds": 900])
            #expect(narrower.status == .created)
            #expect(try await depot.request(.get, "/api/v1/domains/acme/tokens", auth: .bearer(secret)).status == .forbidden)

            // Without a token: 401 with a challenge.
            let anonymous = try await depot.request(.get, "/api/v1/domains/acme/repositories/main", auth: .anonymous)
            #expect(anonymous.status == .unauthorized)
            let challenge = try #require(anonymous.headers[.wwwAuthenticate])
            #expect(challenge.contains("Bearer"))
            #expect(challenge.contains("Basic"))

            // The admin lists it, without the secret.
            let tokens = try await depot.request(.get, "/api/v1/domains/acme/tokens")
            #expect(tokens.status == .ok)
            #expect(!tokens.text.contains(secret))
            #expect(!tokens.text.contains(depot.adminToken))
            let entries = try #require(try tokens.object()["tokens"] as? [[String: Any]])
            let entry = try #require(entries.first { $0["id"] as? String == id })
            #expect(entry["token"] == nil)
            #expect(entry["status"] as? String == "Active")
            #expect(entry["permissions"] as? [String] == ["read"])
            #expect(entry["repositories"] as? [String] == ["main"])
            #expect(entry["domain"] as? String == "acme")

            // Revoked: 401 at once, listed as revoked.
            #expect(try await depot.request(.delete, "/api/v1/domains/acme/tokens/\(id)").status == .ok)
            let revoked = try await depot.request(.get, "/api/v1/domains/acme/repositories/main", auth: .bearer(secret))
            #expect(revoked.status == .unauthorized)
            #expect(revoked.headers[.wwwAuthenticate] != nil)
            let afterRevoke = try #require(try await depot.request(.get, "/api/v1/domains/acme/tokens").object()["tokens"] as? [[String: Any]])
            #expect(afterRevoke.first { $0["id"] as? String == id }?["status"] as? String == "Revoked")

            let again = try await depot.request(.delete, "/api/v1/domains/acme/tokens/nope")
            #expect(again.status == .notFound)
            #expect(try again.apiErrorCode() == "TokenNotFound")
        }
    }

    @Test("lifetimes must be between 15 minutes and the maximum")
    func durations() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            for seconds in [0, 60, 899, 43201, -5] {
                let response = try await depot.request(
                    .post, "/api/v1/domains/acme/tokens", json: ["permissions": ["read"], "durationSeconds": seconds])
                #expect(response.status == .badRequest, "\(seconds)")
                #expect(try response.apiErrorCode() == "InvalidDuration")
            }
            let shortest = try await depot.request(
                .post, "/api/v1/domains/acme/tokens", json: ["permissions": ["read"], "durationSeconds": 900])
            #expect(shortest.status == .created)
        }
    }

    @Test("bad permissions and malformed bodies are 400")
    func badBodies() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            let unknown = try await depot.request(.post, "/api/v1/domains/acme/tokens", json: ["permissions": ["root"]])
            #expect(unknown.status == .badRequest)
            #expect(try unknown.apiErrorCode() == "InvalidPermissions")
            let none = try await depot.request(.post, "/api/v1/domains/acme/tokens", json: ["permissions": [String]()])
            #expect(none.status == .badRequest)
            #expect(try none.apiErrorCode() == "InvalidPermissions")
            for body in ["{", "{\"permissions\":\"read\"}", "{}", "{\"permissions\":[\"read\"],\"durationSeconds\":\"long\"}"] {
                let response = try await depot.request(.post, "/api/v1/domains/acme/tokens", body: Array(body.utf8))
                #expect(response.status == .badRequest, "\(body)")
                #expect(try response.apiErrorCode() == "MalformedBody")
            }
            let anonymous = try await depot.request(.post, "/api/v1/domains/acme/tokens", auth: .anonymous, json: ["permissions": ["read"]])
            #expect(anonymous.status == .unauthorized)
        }
    }

    @Test("a publish token publishes to its repository only")
    func publishToken() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            try await depot.createRepository("other")
            let token = try await depot.createToken(repositories: ["main"], permissions: ["publish"])
            let tarball = NpmPublish.tarball(3)
            #expect(try await depot.publish("pkg", tarball: tarball, auth: .bearer(token.secret)).status == .created)
            let elsewhere = try await depot.publish("pkg", tarball: tarball, repository: "other", auth: .bearer(token.secret))
            #expect(elsewhere.status == .forbidden)
            let read = try await depot.createToken(repositories: ["main"], permissions: ["read"])
            let readOnly = try await depot.publish("pkg2", tarball: tarball, auth: .bearer(read.secret))
            #expect(readOnly.status == .forbidden)
            // npm's whoami names the token.
            let whoami = try await depot.request(.get, "/acme/main/npm/-/whoami", auth: .bearer(read.secret))
            #expect(whoami.status == .ok)
            #expect(try whoami.object()["username"] as? String != nil)
        }
    }
}
