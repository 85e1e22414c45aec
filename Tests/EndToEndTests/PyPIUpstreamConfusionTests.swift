import Foundation
import Testing

/// The dependency-confusion defence with real pip and twine: an internal project shadows a same-named public
/// one with a higher version, and a name that exists only upstream cannot be uploaded until its origin
/// controls allow it.
@Suite("PyPI upstream dependency confusion")
struct PyPIUpstreamConfusionTests {
    @Test("internal projects win over upstream ones; uploading an upstream-only name needs origin controls")
    func dependencyConfusion() async throws {
        let chain = try PyPIUpstreamChain()
        let ws = chain.ws
        let standIn: StandInRegistry = chain.standIn
        let tree: PyPIStandInTree = chain.tree
        func build(_ name: String, _ version: String, says text: String) throws -> [URL] {
            let module = name.replacingOccurrences(of: "-", with: "_")
            let project = try ws.makePythonProject(name, version: version, source: "WHO = \"\(text)\"\n", directoryName: "\(module)-\(version)")
            return try ws.buildDistributions(project)
        }
        func who(_ venv: PythonVenv, _ module: String) throws -> String {
            try ws.runPython(venv.python, ["-c", "import \(module); print(\(module).WHO)"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        // The internal project is uploaded to team while the public index does not know the name.
        let uploaded = try chain.twineUpload(try build("depot-confusion-lib", "1.0.0", says: "internal"), to: "team")
        #expect(uploaded.succeeded, "\(uploaded.output)")

        // Then someone publishes the same name publicly with a higher version (sdist and wheel).
        for file in try build("depot-confusion-lib", "99.0.0", says: "from the public index") { try tree.add(file) }
        try await standIn.resetCounts()

        let (venv, install) = try chain.pipInstall(["depot-confusion-lib"], venv: "venv-pip")
        #expect(install.succeeded, "\(install.output)")
        #expect(try who(venv, "depot_confusion_lib") == "internal")
        let (uvVenv, uvInstall) = try chain.uvInstall(["depot-confusion-lib"], venv: "venv-uv")
        #expect(uvInstall.succeeded, "\(uvInstall.output)")
        #expect(try who(uvVenv, "depot_confusion_lib") == "internal")
        // The public version is not listed, cannot be asked for by number, and the public index was never consulted.
        let page = try chain.jsonPage("depot-confusion-lib")
        #expect(page.status == 200 && page.json?["versions"] as? [String] == ["1.0.0"], "\(page.text)")
        let (_, pinned) = try chain.pipInstall(["depot-confusion-lib==99.0.0"], venv: "venv-pinned")
        #expect(!pinned.succeeded, "\(pinned.output)")
        let direct = try ws.curl(
            "GET", "/acme/app/pypi/files/depot-confusion-lib/99.0.0/depot_confusion_lib-99.0.0-py3-none-any.whl", user: "x:\(ws.server.adminToken)")
        #expect(direct.status == 404, "\(direct.status) \(direct.text)")
        let consulted = try await standIn.requests()
        #expect(consulted.keys.filter { $0.contains("confusion") }.isEmpty, "\(consulted)")
        let (appStatus, appVersion) = try await chain.version("1.0.0", of: "depot-confusion-lib", in: "app")
        #expect(appStatus == 200 && (appVersion["origin"] as? [String: Any])?["type"] as? String == "INTERNAL", "\(appVersion)")

        // A name that exists only on the public index: uploading it to team (or app) is refused.
        for file in try build("depot-public-only", "2.0.0", says: "public") { try tree.add(file) }
        let mine = try build("depot-public-only", "2.1.0", says: "mine")
        for repository in ["team", "app"] {
            let refused = try chain.twineUpload(mine, to: repository)
            #expect(!refused.succeeded, "\(repository): \(refused.output)")
            #expect(refused.output.contains("403") && refused.output.contains("dependency-confusion"), "\(repository): \(refused.output)")
        }
        #expect(try await chain.version("2.1.0", of: "depot-public-only", in: "team").status == 404)

        // Once its origin controls allow publishing (and block the upstream), the upload succeeds and installs
        // get the internal version only.
        let origin = try await chain.api(
            "PUT", "/repositories/team/packages/pypi/depot-public-only/origin", json: ["publish": "ALLOW", "upstream": "BLOCK"])
        #expect(origin.status == 200, "\(origin.body)")
        let controls = origin.body["originConfiguration"] as? [String: Any] ?? [:]
        #expect(controls["publish"] as? String == "ALLOW" && controls["upstream"] as? String == "BLOCK", "\(origin.body)")
        let allowed = try chain.twineUpload(mine, to: "team")
        #expect(allowed.succeeded, "\(allowed.output)")
        let (mineVenv, installMine) = try chain.pipInstall(["depot-public-only"], venv: "venv-mine")
        #expect(installMine.succeeded, "\(installMine.output)")
        #expect(try who(mineVenv, "depot_public_only") == "mine")
        let minePage = try chain.jsonPage("depot-public-only")
        #expect(minePage.json?["versions"] as? [String] == ["2.1.0"], "\(minePage.text)")
    }
}
