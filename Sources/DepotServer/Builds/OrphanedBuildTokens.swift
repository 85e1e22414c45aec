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
        // A sweep at start-up: it walks every page of every domain's tokens.
        for domain in try await Page.all({ try await domains.listDomains(page: $0) }) {
            var page = PageRequest(limit: PageRequest.maximumLimit)
            while true {
                let tokens = try await access.listTokens(domain: domain.name, page: page)
                for token in tokens.items where names.contains(token.name) && token.revokedAt == nil {
                    try await access.revoke(id: token.id, domain: domain.name)
                    revoked += 1
                }
                guard let next = tokens.next else { break }
                page.after = next
            }
        }
        return revoked
    }
}
