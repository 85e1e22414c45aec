import DepotCore
import Hummingbird

/// Resolves `{domain}/{repo}` of a registry route and asks the authorization policy about the caller's right on it.
public struct RepositoryAccess: Sendable {
    public let repositories: RepositoryService
    public let policy: AuthorizationPolicy

    public init(repositories: RepositoryService, policy: AuthorizationPolicy) {
        self.repositories = repositories
        self.policy = policy
    }

    /// The repository if the caller may use it with `permission`. The right is checked before the repository is
    /// looked up: a caller without it gets 401 (anonymous) or 403 whether or not the repository exists. Only an
    /// anonymous read needs the repository first (does it allow anonymous reads?), and answers 401 when it does not
    /// exist either.
    public func open(
        domain: String, repository name: String, permission: Permission, context: DepotRequestContext
    ) async throws -> Repository {
        let known = context.identity == nil ? try? await repositories.repository(domain: domain, name: name) : nil
        try policy.authorize(
            context.identity, permission,
            on: .repository(domain: domain, name: name, anonymousRead: known?.allowAnonymousRead ?? false))
        if let known { return known }
        return try await repositories.repository(domain: domain, name: name)
    }
}
