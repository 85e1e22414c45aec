/// Edits an `.npmrc` for `depot login --tool npm`: sets the registry (or a scope's registry) and the
/// `//host/path/:_authToken` line for it, keeping every other line as it was.
public enum NpmrcFile {
    public static func merged(existing: String, registryURL: String, token: String, scope: String?) -> String {
        let registry = registryURL.hasSuffix("/") ? registryURL : registryURL + "/"
        let registryKey = scope.map { "\(normalizedScope($0)):registry" } ?? "registry"
        let authKey = "\(nerfDart(registry)):_authToken"
        var lines = existing.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        lines.removeAll { line in
            let key = line.split(separator: "=", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) }
            return key == registryKey || key == authKey
        }
        lines.append("\(registryKey)=\(registry)")
        lines.append("\(authKey)=\(token)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// npm's "nerf dart": the registry URL without its scheme, e.g. `//host:port/d/r/npm/`.
    public static func nerfDart(_ url: String) -> String {
        var rest = Substring(url)
        if let range = rest.range(of: "://") { rest = rest[range.upperBound...] }
        return "//" + rest
    }

    static func normalizedScope(_ scope: String) -> String {
        scope.hasPrefix("@") ? scope : "@" + scope
    }
}
