import DepotCore
import Hummingbird

/// Resolves `{domain}/{repo}` of a registry route and checks the caller's permission on it.
public struct RepositoryAccess: Sendable {
    public let repositories: RepositoryService
    public let access: AccessService

    public init(repositories: RepositoryService, access: AccessService) {
        self.repositories = repositories
        self.access = access
    }

    /// The repository if the caller may use it with `permission`. An anonymous caller of a repository
    /// that does not allow anonymous reads gets 401 before anything about the repository is revealed.
    public func open(
        domain: String, repository name: String, permission: Permission, context: DepotRequestContext
    ) async throws -> Repository {
        guard let repository = try? await repositories.repository(domain: domain, name: name) else {
            guard context.identity != nil else { throw DepotError.unauthorized() }
            throw DepotError.notFound("repository '\(domain)/\(name)' does not exist", code: "RepositoryNotFound")
        }
        try access.authorize(context.identity, domain: domain, repository: repository, permission: permission)
        return repository
    }
}
