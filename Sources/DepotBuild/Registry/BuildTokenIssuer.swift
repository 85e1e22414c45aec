/// A token minted for one build: read + publish on the build's repository, revoked when the build ends.
public struct BuildToken: Sendable {
    public var id: String
    public var value: String

    public init(id: String, value: String) {
        self.id = id
        self.value = value
    }
}

/// Mints and revokes build tokens: through the token API for `depot build run`, through AccessService on the server.
public protocol BuildTokenIssuer: Sendable {
    func issue(domain: String, repository: String, lifetimeSeconds: Int, buildID: String) async throws -> BuildToken
    func revoke(_ token: BuildToken, domain: String) async throws
}

extension BuildToken {
    /// The token's name: `build-` and the build id, in the characters and length token names allow.
    public static func name(forBuild buildID: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.@")
        return String(("build-" + buildID).map { allowed.contains($0) ? $0 : "-" }.prefix(64))
    }
}
