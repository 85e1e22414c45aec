import Foundation
import Testing

/// PyPI through the chain `app -> team -> pypi-store(public:pypi)`, with public:pypi a local stand-in serving
/// real wheels downloaded from PyPI (requests and its dependencies): pip and uv install through app, the
/// fetched versions recorded along the path with the upstream's upload times, then both again from Depot
/// alone with the stand-in stopped.
@Suite("PyPI upstream install")
struct PyPIUpstreamInstallTests {
    static let requested = ["requests==2.32.3"]
    static let expectedProjects: Set<String> = ["requests", "certifi", "charset-normalizer", "idna", "urllib3"]
    static let check = "import requests, urllib3, idna, certifi, charset_normalizer; print(requests.__version__, idna.encode('bücher.de').decode())"

    @Test(
        "pip and uv install through app -> team -> pypi-store, then again with the upstream stopped",
        .enabled(if: PythonTools.pypiReachable, "pypi.org is not reachable from this machine: cannot download the wheels the stand-in serves"))
    func installThroughChainThenOffline() async throws {
        let chain = try PyPIUpstreamChain()
        let ws = chain.ws
        let standIn: StandInRegistry = chain.standIn
        let tree: PyPIStandInTree = chain.tree

        // Real wheels for this interpreter, from the public index (the only step that talks to it).
        let wheels = try ws.directory("real-wheels")
        let download = try ws.runPython(
            ws.tools.python, ["-m", "pip", "download", "--no-cache-dir", "--index-url", "https://pypi.org/simple/", "--only-binary", ":all:", "-d", wheels.path]
                + Self.requested, timeout: 600)
        try #require(download.succeeded, "pip download from pypi.org failed:\n\(download.output)")
        let added = try tree.addAll(in: wheels)
        #expect(Set(added.map(\.project)) == Self.expectedProjects, "\(added)")

        // pip through app, in a fresh venv without a cache: everything resolves through Depot.
        let (pipVenv, pip) = try chain.pipInstall(Self.requested, venv: "venv-pip")
        #expect(pip.succeeded, "\(pip.output)\n\(ws.server.log.suffix(3000))")
        #expect(!pip.output.contains("pypi.org") && !pip.output.contains(standIn.url), "pip went around Depot:\n\(pip.output)")
        let run = try ws.runPython(pipVenv.python, ["-c", Self.check])
        #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "2.32.3 xn--bcher-kva.de", "\(run.output)")
        let installed = try chain.installed(pipVenv)
        #expect(Set(installed.keys) == Self.expectedProjects, "\(installed)")

        // Each version recorded in app, team and pypi-store as fetched from public:pypi, with the upload time.
        for (project, version) in installed {
            try await chain.expectExternal(project, version, publishedAt: tree.publishedAt(project, version))
        }
        // Every wheel was fetched from the upstream exactly once.
        let counts = try await standIn.requests()
        for file in added {
            #expect(counts["/packages/\(file.filename)"] == 1, "\(file.filename): \(counts)")
        }

        // The page Depot serves lists the upstream's files with their hashes and requires-python, pointing at Depot.
        let page = try chain.jsonPage("urllib3")
        let pageFiles = page.json?["files"] as? [[String: Any]] ?? []
        let upstreamFile = try #require(tree.files("urllib3").first)
        let listed = try #require(pageFiles.first { $0["filename"] as? String == upstreamFile.filename }, "\(page.text)")
        #expect((listed["hashes"] as? [String: String])?["sha256"] == upstreamFile.sha256, "\(listed)")
        #expect(listed["requires-python"] as? String == upstreamFile.requiresPython, "\(listed)")
        #expect((listed["url"] as? String ?? "").hasPrefix(ws.server.url + "/acme/app/pypi/"), "\(listed)")

        // uv through app, fresh venv, no cache: served from what Depot kept (the upstream sees no new downloads).
        let (uvVenv, uv) = try chain.uvInstall(Self.requested, venv: "venv-uv")
        #expect(uv.succeeded, "\(uv.output)")
        let uvRun = try ws.runPython(uvVenv.python, ["-c", Self.check])
        #expect(uvRun.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "2.32.3 xn--bcher-kva.de", "\(uvRun.output)")
        let afterUV = try await standIn.requests()
        for file in added {
            #expect(afterUV["/packages/\(file.filename)"] == 1, "\(file.filename) fetched again: \(afterUV)")
        }

        // The public index goes away: pip and uv still install everything from Depot alone, without caches.
        standIn.stop()
        let (offlinePipVenv, offlinePip) = try chain.pipInstall(Self.requested, venv: "venv-pip-offline")
        #expect(offlinePip.succeeded, "\(offlinePip.output)\n\(ws.server.log.suffix(3000))")
        let offlineRun = try ws.runPython(offlinePipVenv.python, ["-c", Self.check])
        #expect(offlineRun.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "2.32.3 xn--bcher-kva.de", "\(offlineRun.output)")
        // Unpinned too: the cached project pages still resolve.
        let (offlineUVVenv, offlineUV) = try chain.uvInstall(["requests"], venv: "venv-uv-offline")
        #expect(offlineUV.succeeded, "\(offlineUV.output)\n\(ws.server.log.suffix(3000))")
        #expect(try chain.installed(offlineUVVenv) == installed)
        // Through team as well (it kept what app fetched through it).
        let (_, teamPip) = try chain.pipInstall(["requests"], venv: "venv-team-offline", from: "team")
        #expect(teamPip.succeeded, "\(teamPip.output)")
        #expect(!ws.server.log.contains("dpt_"))
    }
}
