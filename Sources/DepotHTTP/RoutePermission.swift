import DepotCore
import Hummingbird

/// What one route (method + Hummingbird path pattern) needs, as its controller declares it next to its routes.
/// The server's router is checked against these declarations (a route without one fails a test) and the README's
/// route table is written from them.
public struct RoutePermission: Sendable, Equatable {
    public let method: HTTPRequest.Method
    /// The pattern as the router describes it: `/api/v1/domains/{domain}`, `/{domain}/{repo}/npm/**`.
    public let path: String
    /// nil: no token needed.
    public let action: Permission?
    public let resource: AuthorizationResource.Kind?
    /// A repository that allows anonymous reads answers this route without a token.
    public let anonymousRead: Bool
    /// What else the route checks or how a catch-all route splits.
    public let note: String?

    public init(
        _ method: HTTPRequest.Method, _ path: String, _ action: Permission, _ resource: AuthorizationResource.Kind,
        anonymousRead: Bool = false, note: String? = nil
    ) {
        self.method = method
        self.path = path
        self.action = action
        self.resource = resource
        self.anonymousRead = anonymousRead
        self.note = note
    }

    private init(method: HTTPRequest.Method, path: String, note: String?) {
        self.method = method
        self.path = path
        action = nil
        resource = nil
        anonymousRead = true
        self.note = note
    }

    /// A route anyone may call.
    public static func open(_ method: HTTPRequest.Method, _ path: String, note: String? = nil) -> RoutePermission {
        RoutePermission(method: method, path: path, note: note)
    }

    /// The permission in words (the README's table).
    public var requirement: String {
        guard let action, let resource else { return "none" }
        let right: String =
            switch resource {
            case .domains: action == .read ? "any valid token" : "`admin` on all domains (the bootstrap token)"
            case .domain: action == .read ? "`read` on the domain" : "`\(action.rawValue)` on the whole domain"
            case .repository: "`\(action.rawValue)` on the repository"
            case .repositorySettings: "`admin` on the whole domain"
            case .project: "`\(action.rawValue)` on the project's repository"
            case .build: "`\(action.rawValue)` on the build's project's repository"
            case .token: "`admin` on the whole domain, or the token itself or one it was minted from"
            }
        return anonymousRead ? right + " (none if the repository allows anonymous reads)" : right
    }
}
