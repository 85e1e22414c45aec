import Foundation
import Testing

/// The dependency-confusion defence with real npm: an internal package shadows a same-named public one with a
/// higher version, and a name that exists only upstream cannot be published until its origin controls allow it.
@Suite("npm upstream dependency confusion")
struct NpmUpstreamConfusionTests {
    @Test("internal packages win over upstream ones; publishing an upstream-only name needs origin controls")
    func dependencyConfusion() async throws {
        let chain = try NpmUpstreamChain()
        let ws = chain.ws

        // The internal package is published to team while the public registry does not know the name.
        let internalPackage = try ws.makePackage("depot-confusion-lib", version: "1.0.0", body: "module.exports = 'internal';\n")
        let published = try ws.npm(["publish", "--registry", chain.registry("team")], in: internalPackage)
        #expect(published.succeeded, "\(published.output)")

        // Then someone publishes the same name publicly with a higher version.
        let attacker = try ws.makePackage(
            "depot-confusion-lib", version: "99.0.0", body: "module.exports = 'from the public registry';\n",
            directoryName: "attacker-lib")
        try chain.tree.add(directory: attacker)
        try await chain.standIn.resetCounts()

        #expect(try chain.installAndLoad("depot-confusion-lib", project: "project") == "internal")
        let versions = try ws.npm(["view", "depot-confusion-lib", "versions", "--json"])
        #expect(versions.stdout.contains("1.0.0") && !versions.stdout.contains("99.0.0"), "\(versions.output)")
        // The public version cannot be asked for by number either, and the public registry was never consulted.
        let pinned = try ws.npm(
            ["install", "depot-confusion-lib@99.0.0"], in: ws.root.appendingPathComponent("project"), cache: "npm-cache-project")
        #expect(!pinned.succeeded, "\(pinned.output)")
        #expect(try await chain.standIn.count("/depot-confusion-lib") == 0)
        #expect(try await chain.standIn.count("/depot-confusion-lib/-/depot-confusion-lib-99.0.0.tgz") == 0)
        let (appStatus, appVersion) = try await chain.version("1.0.0", of: "depot-confusion-lib", in: "app")
        #expect(appStatus == 200 && (appVersion["origin"] as? [String: Any])?["type"] as? String == "INTERNAL", "\(appVersion)")

        // A name that exists only on the public registry: publishing it to team is refused.
        let publicOnly = try ws.makePackage("depot-public-only", version: "2.0.0", body: "module.exports = 'public';\n", directoryName: "public-only")
        try chain.tree.add(directory: publicOnly)
        let mine = try ws.makePackage("depot-public-only", version: "2.1.0", body: "module.exports = 'mine';\n", directoryName: "mine")
        let refused = try ws.npm(["publish", "--registry", chain.registry("team")], in: mine)
        #expect(!refused.succeeded)
        #expect(refused.output.contains("403") && refused.output.contains("dependency-confusion"), "\(refused.output)")
        // Through app too (app sees it through team and npm-store).
        let refusedApp = try ws.npm(["publish", "--registry", chain.registry("app")], in: mine)
        #expect(!refusedApp.succeeded && refusedApp.output.contains("403"), "\(refusedApp.output)")
        let raw = try await chain.api("GET", "/repositories/team/packages/npm/depot-public-only/versions/2.1.0")
        #expect(raw.status == 404, "\(raw.body)")

        // Once its origin controls allow publishing (and block the upstream), the publish succeeds and
        // installs get the internal version only.
        let origin = try await chain.api(
            "PUT", "/repositories/team/packages/npm/depot-public-only/origin", json: ["publish": "ALLOW", "upstream": "BLOCK"])
        #expect(origin.status == 200, "\(origin.body)")
        let controls = origin.body["originConfiguration"] as? [String: Any] ?? [:]
        #expect(controls["publish"] as? String == "ALLOW" && controls["upstream"] as? String == "BLOCK", "\(origin.body)")
        let allowed = try ws.npm(["publish", "--registry", chain.registry("team")], in: mine)
        #expect(allowed.succeeded, "\(allowed.output)")
        #expect(try chain.installAndLoad("depot-public-only", project: "project-2") == "mine")
        let listed = try ws.npm(["view", "depot-public-only", "versions", "--json"])
        #expect(listed.stdout.contains("2.1.0") && !listed.stdout.contains("2.0.0"), "\(listed.output)")
    }
}
