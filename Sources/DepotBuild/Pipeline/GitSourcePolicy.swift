import Foundation

/// Which git repositories a Source/Git action may fetch, from the server's configuration: anyone who may create a
/// pipeline names the repository, and the server runs git on it. Remote repositories (https, http, ssh, git and
/// scp-like `user@host:path`) must be on an allowed host; local ones (absolute paths and `file://` URLs) inside an
/// allowed directory, and there is none unless configured. Transport helpers (`ext::`, `fd::`, any `<helper>::`)
/// and anything git could read as an option are always refused.
public struct GitSourcePolicy: Sendable, Hashable {
    /// Host names (`git.example.com`), `*.example.com` for its subdomains, or `*` for every host.
    public var allowedHosts: [String]
    /// Absolute directories: a local repository at or below one of them may be fetched.
    public var allowedDirectories: [String]

    public init(allowedHosts: [String] = ["*"], allowedDirectories: [String] = []) {
        self.allowedHosts = allowedHosts
        self.allowedDirectories = allowedDirectories
    }

    /// Whether git may use its file transport at all.
    public var allowsLocalRepositories: Bool { !allowedDirectories.isEmpty }

    /// Whether every host is allowed (then a redirect cannot lead anywhere that was not already allowed).
    var allowsEveryHost: Bool { allowedHosts.contains("*") }

    /// Why `repository` may not be fetched, or nil when it may: its form (`formRefusal`), then this server's lists.
    public func refusal(_ repository: String) -> String? {
        if let refusal = Self.formRefusal(repository) { return refusal }
        if let path = Self.localPath(repository) { return localRefusal(path: path) }
        let host = Self.remoteHost(repository) ?? ""
        guard isAllowed(host: host) else {
            return "host \(host) is not allowed for pipeline sources (the server's pipelines.gitAllowedHosts)"
        }
        return nil
    }

    /// Why `repository` is not a form git may be given whatever the server allows (an option, a transport helper,
    /// a file URL with a host or escapes, a relative path), or nil when it is one: checked when a definition is saved.
    public static func formRefusal(_ repository: String) -> String? {
        if repository.isEmpty { return "names no repository" }
        if repository.hasPrefix("-") { return "must not start with '-' (git would read it as an option)" }
        if repository.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "must not contain control characters"
        }
        // `<helper>::<address>` runs a transport helper (ext:: runs a command); never a repository.
        if repository.contains("::") { return "transport helpers such as ext:: are refused" }
        if repository.lowercased().hasPrefix("file:") || repository.hasPrefix("/") {
            guard let path = localPath(repository) else { return "must be file:///absolute/path (no host, no %-escapes)" }
            if path.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) { return "must not contain '.' or '..' components" }
            return nil
        }
        if repository.unicodeScalars.contains(where: { $0.properties.isWhitespace }) { return "a git URL must not contain spaces" }
        guard let host = remoteHost(repository) else {
            return "must be a git URL (https, http, ssh, git, or user@host:path) or an absolute path"
        }
        if host.isEmpty || host.hasPrefix("-") { return "names no valid host" }
        return nil
    }

    /// The directory of a local repository (an absolute path or a `file:///` URL), nil for other forms.
    static func localPath(_ repository: String) -> String? {
        if repository.hasPrefix("/") { return repository }
        guard repository.lowercased().hasPrefix("file://"), !repository.contains("%"), let components = URLComponents(string: repository),
            ["", "localhost"].contains(components.host ?? ""), components.path.hasPrefix("/")
        else { return nil }
        return components.path
    }

    /// The host of a remote repository URL, nil when it is not one of the remote forms git is allowed to use.
    static func remoteHost(_ repository: String) -> String? {
        let lowered = repository.lowercased()
        if ["https://", "http://", "ssh://", "git://"].contains(where: lowered.hasPrefix) {
            guard let components = URLComponents(string: repository), let host = components.host else { return nil }
            if let user = components.user, user.hasPrefix("-") { return nil }
            return host.lowercased()
        }
        // scp-like `git@host:owner/repo.git`: the user and the host may not read as options, nor the path.
        guard !lowered.contains("://"), let colon = repository.firstIndex(of: ":"), let at = repository.firstIndex(of: "@"), at < colon
        else { return nil }
        let user = repository[..<at], host = repository[repository.index(after: at)..<colon]
        let path = repository[repository.index(after: colon)...]
        guard !user.isEmpty, !user.hasPrefix("-"), !path.isEmpty, !path.hasPrefix("-"), !host.contains("/") else { return nil }
        return host.lowercased()
    }

    func isAllowed(host: String) -> Bool {
        allowedHosts.contains { pattern in
            let pattern = pattern.lowercased()
            if pattern == "*" { return true }
            if pattern.hasPrefix("*.") { return host.hasSuffix(pattern.dropFirst()) && host.count > pattern.count - 1 }
            return host == pattern
        }
    }

    /// A local repository must lie inside an allowed directory once symbolic links are followed.
    private func localRefusal(path: String) -> String? {
        guard allowsLocalRepositories else {
            return "local repositories are refused unless the server allows their directory (pipelines.gitAllowedPaths)"
        }
        let resolved = Self.resolved(path)
        let inside = allowedDirectories.contains { directory in
            let base = Self.resolved(directory)
            return resolved == base || resolved.hasPrefix(base.hasSuffix("/") ? base : base + "/")
        }
        return inside ? nil : "\(path) is outside the directories the server allows for local repositories (pipelines.gitAllowedPaths)"
    }

    private static func resolved(_ path: String) -> String {
        URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
    }
}
