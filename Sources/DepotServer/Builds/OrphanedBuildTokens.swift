import DepotBuild
import DepotCore
import Foundation

/// Tokens of builds a previous run of the server left unfinished: nothing would revoke them at the build's end,
/// so they would stay valid for up to the build timeout.
enum OrphanedBuildTokens {
    /// Revokes them; returns how many were revoked.
    static func revoke(buildIDs: [String], access: AccessService, domains: RepositoryService) async throws -> Int {
        let names = Set(buildIDs.map(BuildToken.name(forBuild:)))
        var revoked = 0
        for domain in try await domains.listDomains() {
            for token in try await access.listTokens(domain: domain.name) where names.contains(token.name) && token.revokedAt == nil {
                try await access.revoke(id: token.id, domain: domain.name)
                revoked += 1
            }
        }
        return revoked
    }
}
