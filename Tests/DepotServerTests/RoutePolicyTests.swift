import DepotCore
import DepotHTTP
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import DepotServer

/// Walks the router: every route must be declared with the permission it needs, anonymous and foreign callers get
/// 401/403 on every protected route whether or not what it names exists, and the README's table is the declarations.
@Suite("Route policy")
struct RoutePolicyTests {
    /// The router's routes as `METHOD /path`.
    static func routerRoutes() throws -> [String] {
        let storage = FileManager.default.temporaryDirectory.appendingPathComponent("depot-routes-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: storage) }
        var configuration = DepotConfiguration()
        configuration.storagePath = storage.path
        var logger = Logger(label: "depot-route-tests")
        logger.logLevel = .critical
        let parts = try buildServerParts(configuration: configuration, logger: logger)
        return parts.router.routes.map { "\($0.method) \($0.path)" }
    }

    static func key(_ permission: RoutePermission) -> String { "\(permission.method) \(permission.path)" }

    @Test("every route of the router is declared once, and every declaration is a route")
    func everyRouteDeclared() throws {
        let routes = try Self.routerRoutes()
        let declared = routePermissions().map(Self.key)
        #expect(Set(declared).count == declared.count, "declared twice: \(declared.filter { d in declared.filter { $0 == d }.count > 1 })")
        let undeclared = Set(routes).subtracting(declared)
        #expect(undeclared.isEmpty, "routes without a permission in the policy: \(undeclared.sorted())")
        let stale = Set(declared).subtracting(routes)
        #expect(stale.isEmpty, "declared routes the router does not have: \(stale.sorted())")
    }

    /// A concrete URI for a declared route: parameters filled in, catch-alls given a path that needs the route's permission.
    static func uri(_ permission: RoutePermission, domain: String, repository: String) -> String {
        let wildcard: String
        switch (permission.path, permission.method) {
        case (let path, .post) where path.hasSuffix("/npm/**"): wildcard = "-/package/pkg/dist-tags/beta"
        case (let path, .delete) where path.hasSuffix("/npm/**"): wildcard = "pkg/-rev/1-abc"
        case (let path, _) where path.hasSuffix("/maven/**"): wildcard = "com/acme/lib/1.0/lib-1.0.jar"
        case (let path, .put) where path.hasSuffix("/cargo/**"): wildcard = "api/v1/crates/new"
        case (let path, .delete) where path.hasSuffix("/cargo/**"): wildcard = "api/v1/crates/pkg/1.0.0/yank"
        case (let path, _) where path.hasSuffix("/cargo/**"): wildcard = "config.json"
        default: wildcard = "pkg"
        }
        let values = [
            "{domain}": domain, "{repo}": repository, "{project}": "proj", "{version}": "1.0", "{filename}": "proj-1.0.tar.gz",
            "{format}": "npm", "{package}": "pkg", "{scope}": "acme", "{id}": "proj:1", "{name}": "thing", "**": wildcard,
        ]
        return values.reduce(permission.path) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
    }

    static let body = Array(#"{"name":"x","repository":"main","sourceRepository":"main","destinationRepository":"other","format":"npm","package":"pkg","versions":["1.0.0"],"permissions":["read"],"value":"v","status":"Archived","publish":"ALLOW","upstream":"ALLOW"}"#.utf8)

    func send(_ depot: Depot, _ permission: RoutePermission, domain: String, repository: String, auth: Depot.Auth) async throws -> TestResponse {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        let hasBody = [.post, .put, .patch].contains(permission.method)
        return try await depot.request(
            permission.method, Self.uri(permission, domain: domain, repository: repository), auth: auth, headers: headers,
            body: hasBody ? Self.body : nil)
    }

    @Test("an anonymous request to every protected route gets 401, whether or not its domain and repository exist")
    func anonymousGets401() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            try await depot.createRepository("other")
            for permission in routePermissions() where permission.action != nil {
                for (domain, repository) in [("acme", "main"), ("acme", "ghost"), ("nowhere", "main")] {
                    let response = try await send(depot, permission, domain: domain, repository: repository, auth: .anonymous)
                    // The AWS-compatible API answers as AWS does: 403 MissingAuthenticationTokenException.
                    let aws = permission.path.hasPrefix("/api/aws/")
                    #expect(
                        aws ? response.status == .forbidden && response.text.contains("MissingAuthenticationTokenException") : response.status == .unauthorized,
                        "\(permission.method) \(Self.uri(permission, domain: domain, repository: repository)): \(response.status) \(response.text)")
                }
            }
        }
    }

    @Test("a token of another domain gets 403 on every route of this one, whether or not it exists")
    func foreignTokenGets403() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            try await depot.createRepository("other")
            try await depot.createDomain("elsewhere")
            let foreign = try await depot.createToken(in: "elsewhere", permissions: ["admin"])
            for permission in routePermissions() where permission.action != nil && permission.path.contains("{domain}") {
                for domain in ["acme", "nowhere"] {
                    let response = try await send(depot, permission, domain: domain, repository: "main", auth: .bearer(foreign.secret))
                    #expect(
                        response.status == .forbidden,
                        "\(permission.method) \(Self.uri(permission, domain: domain, repository: "main")): \(response.status) \(response.text)")
                }
            }
        }
    }

    @Test("a token limited to one repository gets the same 403 for another repository that exists and one that does not")
    func limitedTokenLearnsNothing() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            try await depot.createRepository("secret")
            let limited = try await depot.createToken(repositories: ["main"], permissions: ["admin"])
            for permission in routePermissions() where permission.action != nil && permission.path.contains("{repo}") {
                for repository in ["secret", "ghost"] {
                    let response = try await send(depot, permission, domain: "acme", repository: repository, auth: .bearer(limited.secret))
                    #expect(
                        response.status == .forbidden,
                        "\(permission.method) \(Self.uri(permission, domain: "acme", repository: repository)): \(response.status) \(response.text)")
                }
            }
        }
    }

    /// The README's row for a declaration.
    static func readmeRow(_ permission: RoutePermission) -> String {
        "| \(permission.method) | `\(permission.path)` | \(permission.requirement) | \(permission.note ?? "") |"
    }

    @Test("the README's route table lists exactly the declared routes with their permissions")
    func readmeTable() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
        let rows = text.split(separator: "\n").map(String.init).filter { line in methods.contains { line.hasPrefix("| \($0) | `/") } }
        let expected = routePermissions().map(Self.readmeRow)
        #expect(rows == expected, "the README's route table should be:\n\(expected.joined(separator: "\n"))")
    }
}
