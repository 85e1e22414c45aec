import DepotBuild
import DepotCore

/// Mints server-side build tokens through AccessService: read + publish on the build's repository only.
struct ServerBuildTokenIssuer: BuildTokenIssuer {
    let access: AccessService
    let maxLifetimeSeconds: Int

    func issue(domain: String, repository: String, lifetimeSeconds: Int, buildID: String) async throws -> BuildToken {
        // The server mints it (no parent token); who may start a build was checked when it was queued.
        let (record, secret) = try await access.createServiceToken(
            scope: TokenScope(domain: domain, repositories: [repository], permissions: [.read, .publish]),
            durationSeconds: Double(min(lifetimeSeconds, maxLifetimeSeconds)), name: BuildToken.name(forBuild: buildID))
        return BuildToken(id: record.id, value: secret)
    }

    func revoke(_ token: BuildToken, domain: String) async throws {
        try await access.revoke(id: token.id, domain: domain)
    }
}
