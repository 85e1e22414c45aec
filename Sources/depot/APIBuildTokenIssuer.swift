import DepotBuild
import Foundation

/// Mints and revokes build tokens through the server's token API with the caller's token (for `depot build run`).
struct APIBuildTokenIssuer: BuildTokenIssuer {
    let client: DepotClient

    func issue(domain: String, repository: String, lifetimeSeconds: Int, buildID: String) async throws -> BuildToken {
        let result = try await client.call(
            "POST", "api/v1/domains/\(segment(domain))/tokens",
            body: [
                "repositories": [repository], "permissions": ["read", "publish"], "durationSeconds": lifetimeSeconds,
                "name": BuildToken.name(forBuild: buildID),
            ])
        guard let object = result as? [String: Any], let id = object["id"] as? String, let token = object["token"] as? String else {
            throw ClientError(status: 0, code: "BadResponse", message: "the server sent no token")
        }
        return BuildToken(id: id, value: token)
    }

    /// The caller's token minted this one, so it may revoke it without being admin. A failure is also said on stderr
    /// (the build log is not shown with `--json`): the token would stay valid until it expires.
    func revoke(_ token: BuildToken, domain: String) async throws {
        do {
            _ = try await client.call("DELETE", "api/v1/domains/\(segment(domain))/tokens/\(segment(token.id))")
        } catch {
            FileHandle.standardError.write(Data(
                "depot: could not revoke the build token \(token.id): \(error); revoke it with `depot token revoke --domain \(domain) \(token.id)`\n".utf8))
            throw error
        }
    }
}
