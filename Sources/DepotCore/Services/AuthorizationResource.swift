/// What a request acts on, as far as authorization is concerned. Resources known only by name are checked before
/// they are looked up, so a caller without the right learns nothing of whether they exist.
public enum AuthorizationResource: Sendable, Equatable {
    /// The set of domains: create and delete (admin of every domain), list (any token; filtered).
    case domains
    /// A domain as a whole: its description, the lists of its repositories, projects and builds, tokens, secrets.
    case domain(String)
    /// A repository and its packages. `anonymousRead` when it is known to exist and allows anonymous reads.
    case repository(domain: String, name: String, anonymousRead: Bool = false)
    /// A repository's upstreams, external connection and anonymous read: they decide what the repository can read,
    /// so changing them is for the domain's admins, not a repository's.
    case repositorySettings(domain: String)
    /// A build project, through its repository; nil when the project is unknown.
    case project(domain: String, repository: String?)
    /// A build, through its project's repository; nil when the build (or its project) is unknown.
    case build(domain: String, repository: String?)
    /// A token, by its lineage: its id then its ancestors' (nearest first); nil when unknown.
    case token(domain: String, lineage: [String]?)

    /// The resource's kind, as route declarations and the README name it.
    public var kind: Kind {
        switch self {
        case .domains: .domains
        case .domain: .domain
        case .repository: .repository
        case .repositorySettings: .repositorySettings
        case .project: .project
        case .build: .build
        case .token: .token
        }
    }

    public enum Kind: String, Sendable, CaseIterable {
        case domains, domain, repository, repositorySettings, project, build, token
    }
}
