/// The one answer to "may this caller do `action` on `resource`": every route asks it, none decides on its own.
///
/// Rules: without a token only reads of repositories that allow anonymous reads pass (401 otherwise, before any
/// lookup). A token acts within its domain (all domains for the bootstrap token), on its repositories (all of the
/// domain when it has no list), with its permission (`admin` > `publish` > `read`). Domain-level changes (repositories,
/// their upstreams and anonymous read, tokens of others, secrets) need a token not limited to repositories. Projects
/// and builds are judged by the project's repository. A token may revoke itself and the tokens minted from it.
public struct AuthorizationPolicy: Sendable {
    public init() {}

    /// Throws 401 without a caller (unless anonymous access applies), 403 when the caller lacks the right.
    public func authorize(_ caller: Identity?, _ action: Permission, on resource: AuthorizationResource) throws {
        guard let caller else {
            if action == .read, case .repository(_, _, anonymousRead: true) = resource { return }
            throw DepotError.unauthorized()
        }
        guard permits(caller, action, on: resource) else {
            throw DepotError.forbidden("this token does not grant \(action.rawValue) on \(Self.describe(resource))")
        }
    }

    /// `authorize` as a filter, for lists: nothing is listed that the caller could not look at alone.
    public func permits(_ caller: Identity?, _ action: Permission, on resource: AuthorizationResource) -> Bool {
        guard let caller else {
            if action == .read, case .repository(_, _, anonymousRead: true) = resource { return true }
            return false
        }
        let scope = caller.scope
        switch resource {
        case .domains:
            // Listing is filtered by domain; creating and deleting domains is for the bootstrap token.
            return action == .read || (scope.domain == nil && scope.grants(.admin))
        case .domain(let domain):
            return scope.covers(domain: domain) && scope.grants(action) && (action == .read || scope.repositories == nil)
        case .repository(let domain, let name, _):
            return scope.covers(domain: domain, repository: name) && scope.grants(action)
        case .repositorySettings(let domain):
            return isDomainAdmin(scope, of: domain)
        case .project(let domain, let repository), .build(let domain, let repository):
            guard let repository else {
                // Unknown: only those who could see any of the domain's projects learn that (404), others get 403.
                return scope.covers(domain: domain) && scope.repositories == nil && scope.grants(action)
            }
            return scope.covers(domain: domain, repository: repository) && scope.grants(action)
        case .token(let domain, let lineage):
            if isDomainAdmin(scope, of: domain) { return true }
            // Its own token and those it minted (and theirs), whatever the action; unknown ones are not its own.
            return lineage?.contains(caller.tokenID) ?? false
        }
    }

    /// An admin token of the whole domain: not limited to a list of repositories.
    private func isDomainAdmin(_ scope: TokenScope, of domain: String) -> Bool {
        scope.covers(domain: domain) && scope.repositories == nil && scope.grants(.admin)
    }

    private static func describe(_ resource: AuthorizationResource) -> String {
        switch resource {
        case .domains: "all domains"
        case .domain(let domain): "domain '\(domain)'"
        case .repository(let domain, let name, _): "repository '\(domain)/\(name)'"
        case .repositorySettings(let domain): "the upstreams, external connections and anonymous reads of domain '\(domain)'"
        case .project(let domain, let repository?), .build(let domain, let repository?): "repository '\(domain)/\(repository)'"
        case .project(let domain, nil), .build(let domain, nil): "every repository of domain '\(domain)'"
        case .token(let domain, _): "this token of domain '\(domain)' (only its own, those it minted, or as the domain's admin)"
        }
    }
}
