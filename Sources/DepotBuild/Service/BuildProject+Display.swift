import DepotCore
import Foundation

extension BuildProject {
    /// What an API shows instead of a secret: an environment value, the credentials of a git URL.
    public static let redacted = "***"

    /// The git URL as APIs show it: `https://user:token@host/x.git` -> `https://***@host/x.git`. A URL that cannot be
    /// parsed is not shown at all (it might hide credentials where the parser does not look).
    public var displayedGitURL: String? { gitURL.map(Self.redactingCredentials) }

    /// The environment as APIs show it: names only, every value redacted (the stored project keeps them for builds).
    public var displayedEnvironment: [String: String] { environment.mapValues { _ in Self.redacted } }

    public static func redactingCredentials(_ url: String) -> String {
        // scp-like `git@host:path` names a user, never a password.
        guard url.contains("://") else { return url }
        guard var components = URLComponents(string: url) else { return redacted }
        guard components.user != nil || components.password != nil else { return url }
        components.user = redacted
        components.password = nil
        return components.string ?? redacted
    }
}
