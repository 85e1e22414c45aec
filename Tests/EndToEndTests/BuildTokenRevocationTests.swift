import Foundation
import Testing

/// `depot build run` by a caller who is not admin: the build token it mints is a child of the caller's token,
/// so the caller revokes it when the build ends (it needed admin before, and the token stayed valid).
@Suite("build: token of a non-admin caller", .serialized)
struct BuildTokenRevocationTests {
    @Test("a publish token runs a build; the build token is its child and is revoked at the end")
    func publisherRevokesItsBuildToken() throws {
        let bw = try BuildWorkspace()
        let created = try bw.server.cli(
            ["token", "create", "--domain", "acme", "--repo", "main", "--permission", "publish", "--duration", "1h", "--json"])
        #expect(created.succeeded, "\(created.output)")
        let minted = (try? JSONSerialization.jsonObject(with: Data(created.stdout.utf8))) as? [String: Any] ?? [:]
        let publisher = try #require(minted["token"] as? String, "\(created.output)")
        let publisherID = try #require(minted["id"] as? String)

        let source = try bw.project("child", ["buildspec.yml": "version: 0.2\nphases:\n  build:\n    commands:\n      - echo built\n"])
        let (run, json, _) = try bw.build(source, extra: ["--token", publisher])
        #expect(run.succeeded, "\(run.output)")
        #expect(json["status"] as? String == "SUCCEEDED")
        #expect(!run.output.contains("Could not revoke"), "\(run.output)")
        #expect(!run.stderr.contains("could not revoke"), "\(run.stderr)")

        let tokens = try bw.server.cli(["token", "list", "--domain", "acme", "--json"])
        let listed = ((try? JSONSerialization.jsonObject(with: Data(tokens.stdout.utf8))) as? [String: Any])?["tokens"] as? [[String: Any]] ?? []
        let buildTokens = listed.filter { ($0["name"] as? String)?.hasPrefix("build-child-") == true }
        #expect(buildTokens.count == 1, "\(tokens.output)")
        #expect(buildTokens.allSatisfy { $0["status"] as? String == "Revoked" && $0["parentID"] as? String == publisherID }, "\(tokens.output)")
    }
}
