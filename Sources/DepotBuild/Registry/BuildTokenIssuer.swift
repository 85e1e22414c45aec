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
