import DepotCore
import Foundation
import Testing

@Suite("AuthorizationPolicy")
struct AuthorizationPolicyTests {
    let policy = AuthorizationPolicy()

    func identity(_ id: String = "caller", domain: String?, repositories: [String]? = nil, _ permissions: Set<Permission>) -> Identity {
        Identity(tokenID: id, name: id, scope: TokenScope(domain: domain, repositories: repositories, permissions: permissions))
    }

    func kind(_ caller: Identity?, _ action: Permission, _ resource: AuthorizationResource) -> DepotError.Kind? {
        do {
            try policy.authorize(caller, action, on: resource)
            #expect(policy.permits(caller, action, on: resource))
            return nil
        } catch let error as DepotError {
            #expect(!policy.permits(caller, action, on: resource))
            return error.kind
        } catch {
            return .internalError
        }
    }

    @Test("anonymous callers may read only repositories that allow anonymous reads; anything else is 401")
    func anonymous() {
        #expect(kind(nil, .read, .repository(domain: "acme", name: "public", anonymousRead: true)) == nil)
        let refused: [(Permission, AuthorizationResource)] = [
            (.publish, .repository(domain: "acme", name: "public", anonymousRead: true)),
            (.admin, .repository(domain: "acme", name: "public", anonymousRead: true)),
            (.read, .repository(domain: "acme", name: "private")),
            (.read, .domains), (.read, .domain("acme")), (.admin, .repositorySettings(domain: "acme")),
            (.read, .project(domain: "acme", repository: "public")), (.read, .build(domain: "acme", repository: nil)),
            (.admin, .token(domain: "acme", lineage: ["t"])),
        ]
        for (action, resource) in refused {
            #expect(kind(nil, action, resource) == .unauthorized, "\(action) on \(resource)")
        }
    }

    @Test("authenticated callers need the domain, the repository and the permission (403 otherwise)")
    func repositories() {
        let teamPublisher = identity(domain: "acme", repositories: ["team"], [.publish])
        #expect(kind(teamPublisher, .read, .repository(domain: "acme", name: "team")) == nil)
        #expect(kind(teamPublisher, .publish, .repository(domain: "acme", name: "team")) == nil)
        let denials: [(Identity, Permission, AuthorizationResource)] = [
            (teamPublisher, .admin, .repository(domain: "acme", name: "team")),
            // Another repository, even one anonymous callers may read, and whether or not it exists.
            (teamPublisher, .read, .repository(domain: "acme", name: "secret", anonymousRead: true)),
            (teamPublisher, .read, .repository(domain: "other", name: "team")),
            (identity(domain: "acme", [.read]), .publish, .repository(domain: "acme", name: "team")),
            (identity(domain: "acme", [.admin]), .read, .domain("other")),
            (identity(domain: "acme", [.admin]), .read, .repository(domain: "other", name: "team")),
        ]
        for (caller, action, resource) in denials {
            #expect(kind(caller, action, resource) == .forbidden, "\(caller.scope) \(action) on \(resource)")
        }
        #expect(kind(identity(domain: "acme", [.admin]), .admin, .domain("acme")) == nil)
        #expect(kind(identity(domain: nil, [.admin]), .admin, .repository(domain: "anything", name: "team")) == nil)
    }

    @Test("a repository-limited token may look at its domain but not administer it, nor change what repositories read")
    func repositoryLimitedAdmin() {
        let teamAdmin = identity(domain: "acme", repositories: ["team"], [.admin])
        #expect(kind(teamAdmin, .read, .domain("acme")) == nil)
        #expect(kind(teamAdmin, .admin, .repository(domain: "acme", name: "team")) == nil)
        #expect(kind(teamAdmin, .admin, .domain("acme")) == .forbidden)
        #expect(kind(teamAdmin, .publish, .domain("acme")) == .forbidden)
        // Upstreams, external connection, anonymous read: the domain's admin only.
        #expect(kind(teamAdmin, .admin, .repositorySettings(domain: "acme")) == .forbidden)
        #expect(kind(identity(domain: "acme", [.publish]), .admin, .repositorySettings(domain: "acme")) == .forbidden)
        #expect(kind(identity(domain: "acme", [.admin]), .admin, .repositorySettings(domain: "acme")) == nil)
        #expect(kind(identity(domain: "acme", [.admin]), .admin, .repositorySettings(domain: "other")) == .forbidden)
    }

    @Test("only an all-domain admin manages domains; any token may list them")
    func domains() {
        #expect(kind(identity(domain: nil, [.admin]), .admin, .domains) == nil)
        #expect(kind(identity(domain: "acme", [.admin]), .admin, .domains) == .forbidden)
        #expect(kind(identity(domain: nil, [.publish]), .admin, .domains) == .forbidden)
        #expect(kind(identity(domain: "acme", repositories: ["x"], [.read]), .read, .domains) == nil)
    }

    @Test("projects and builds are judged by their repository; unknown ones only by domain-wide callers")
    func projectsAndBuilds() {
        let teamReader = identity(domain: "acme", repositories: ["team"], [.read])
        let teamPublisher = identity(domain: "acme", repositories: ["team"], [.publish])
        #expect(kind(teamReader, .read, .project(domain: "acme", repository: "team")) == nil)
        #expect(kind(teamReader, .read, .build(domain: "acme", repository: "team")) == nil)
        #expect(kind(teamReader, .publish, .build(domain: "acme", repository: "team")) == .forbidden)
        #expect(kind(teamPublisher, .publish, .build(domain: "acme", repository: "team")) == nil)
        #expect(kind(teamPublisher, .admin, .project(domain: "acme", repository: "team")) == .forbidden)
        #expect(kind(teamReader, .read, .project(domain: "acme", repository: "other")) == .forbidden)
        #expect(kind(teamReader, .read, .build(domain: "acme", repository: "other")) == .forbidden)
        // Unknown: a limited token cannot tell it from a forbidden one; a domain-wide one gets its 404.
        #expect(kind(teamReader, .read, .project(domain: "acme", repository: nil)) == .forbidden)
        #expect(kind(teamReader, .read, .build(domain: "acme", repository: nil)) == .forbidden)
        #expect(kind(identity(domain: "acme", [.read]), .read, .build(domain: "acme", repository: nil)) == nil)
        #expect(kind(identity(domain: "other", [.read]), .read, .build(domain: "acme", repository: nil)) == .forbidden)
    }

    @Test("a token revokes itself and the tokens minted from it; the domain's admin revokes any")
    func tokens() {
        let parent = identity("parent", domain: "acme", repositories: ["team"], [.read])
        #expect(kind(parent, .admin, .token(domain: "acme", lineage: ["child", "parent", "root"])) == nil)
        #expect(kind(parent, .admin, .token(domain: "acme", lineage: ["grandchild", "child", "parent"])) == nil)
        #expect(kind(parent, .admin, .token(domain: "acme", lineage: ["parent"])) == nil)
        #expect(kind(parent, .admin, .token(domain: "acme", lineage: ["sibling", "root"])) == .forbidden)
        #expect(kind(parent, .admin, .token(domain: "acme", lineage: nil)) == .forbidden)
        #expect(kind(identity(domain: "acme", [.admin]), .admin, .token(domain: "acme", lineage: ["any"])) == nil)
        #expect(kind(identity(domain: "acme", [.admin]), .admin, .token(domain: "acme", lineage: nil)) == nil)
        #expect(kind(identity(domain: "acme", repositories: ["team"], [.admin]), .admin, .token(domain: "acme", lineage: ["x"])) == .forbidden)
        #expect(kind(identity(domain: "other", [.admin]), .admin, .token(domain: "acme", lineage: ["x"])) == .forbidden)
    }

    @Test("repository settings that change what a repository reads are recognised")
    func settingsReach() {
        let current = Repository(id: 1, domainID: 1, name: "team", upstreams: ["a"], externalConnection: "public:npmjs")
        #expect(!RepositorySettings(description: "new").changesReach(of: current))
        #expect(!RepositorySettings(upstreams: ["a"], externalConnection: .some("public:npmjs"), allowAnonymousRead: false).changesReach(of: current))
        #expect(RepositorySettings(upstreams: ["a", "b"]).changesReach(of: current))
        #expect(RepositorySettings(upstreams: []).changesReach(of: current))
        #expect(RepositorySettings(externalConnection: .some(nil)).changesReach(of: current))
        #expect(RepositorySettings(allowAnonymousRead: true).changesReach(of: current))
        #expect(!RepositorySettings(description: "x", upstreams: [], externalConnection: .some(nil)).changesReach(of: nil))
        #expect(RepositorySettings(upstreams: ["a"]).changesReach(of: nil))
    }
}
