import Foundation
import Testing

/// A PyPI version with several files upstream (an sdist and a wheel): the page Depot serves lists every file
/// of every version, fetched or not, with the upstream's hashes; a file is added to the stored version when it
/// is first downloaded; with the upstream gone, the stale page still lists them and the fetched files install.
@Suite("PyPI upstream file merging")
struct PyPIUpstreamMergeTests {
    @Test("stored and upstream files of one version are merged on the page; fetched ones stay with the upstream gone")
    func mergeFilesPerVersion() async throws {
        let chain = try PyPIUpstreamChain(environment: PyPIUpstreamChain.shortTimeouts)
        var files: [String: URL] = [:]
        for version in ["1.0.0", "1.1.0"] {
            let project = try chain.ws.makePythonProject("depot-merge-lib", version: version, source: "VERSION = \"\(version)\"\n")
            for file in try chain.ws.buildDistributions(project) {
                try chain.tree.add(file)
                files[file.lastPathComponent] = file
            }
        }
        #expect(files.count == 4, "\(files.keys.sorted())")
        func pageFiles(_ repository: String = "app") throws -> [String: String] {
            let page = try chain.jsonPage("depot-merge-lib", in: repository)
            var listed: [String: String] = [:]
            for file in page.json?["files"] as? [[String: Any]] ?? [] {
                if let name = file["filename"] as? String { listed[name] = (file["hashes"] as? [String: String])?["sha256"] }
            }
            return listed
        }
        let expected = Dictionary(uniqueKeysWithValues: chain.tree.files("depot-merge-lib").map { ($0.filename, $0.sha256) })
        #expect(try pageFiles() == expected)

        // pip takes the 1.0.0 wheel (kept in team too); both pages still list all four files.
        let (venv, pip) = try chain.pipInstall(["depot-merge-lib==1.0.0", "--only-binary", ":all:"], venv: "venv-wheel")
        #expect(pip.succeeded, "\(pip.output)")
        #expect(try chain.ws.runPython(venv.python, ["-c", "import depot_merge_lib as m; print(m.VERSION)"]).stdout.contains("1.0.0"))
        #expect(try pageFiles() == expected)
        #expect(try pageFiles("team") == expected)
        let wheel = "depot_merge_lib-1.0.0-py3-none-any.whl"
        let sdist = try #require(files.keys.first { $0.hasSuffix("1.0.0.tar.gz") })
        let stored = try await chain.version("1.0.0", of: "depot-merge-lib", in: "team")
        #expect(stored.status == 200, "\(stored.body)")

        // The sdist of the same version is fetched on its first download and joins the stored version.
        let sdistReply = try chain.ws.curl("GET", "/acme/app/pypi/files/depot-merge-lib/1.0.0/\(sdist)", user: "x:\(chain.ws.server.adminToken)")
        let sdistBytes = try Data(contentsOf: try #require(files[sdist]))
        #expect(sdistReply.status == 200 && sdistReply.body == sdistBytes, "\(sdistReply.status) \(sdistReply.text.prefix(300))")
        try await chain.expectExternal("depot-merge-lib", "1.0.0", publishedAt: chain.tree.publishedAt("depot-merge-lib", "1.0.0"))

        // The upstream goes away and the cached page expires: the stale page still lists every file, and the
        // files Depot fetched are served from its store.
        chain.standIn.stop()
        try await Task.sleep(for: .milliseconds(1_200))
        #expect(try pageFiles() == expected)
        for name in [wheel, sdist] {
            let reply = try chain.ws.curl("GET", "/acme/app/pypi/files/depot-merge-lib/1.0.0/\(name)", user: "x:\(chain.ws.server.adminToken)")
            let bytes = try Data(contentsOf: try #require(files[name]))
            #expect(reply.status == 200 && reply.body == bytes, "\(name): \(reply.status)")
        }
        let (offlineVenv, offline) = try chain.uvInstall(["depot-merge-lib==1.0.0", "--only-binary", ":all:"], venv: "venv-offline")
        #expect(offline.succeeded, "\(offline.output)")
        #expect(try chain.ws.installedVersion(offlineVenv, "depot-merge-lib") == "1.0.0")
        // A file never fetched cannot be had now: a clear gateway error, not a broken file.
        let missing = try chain.ws.curl("GET", "/acme/app/pypi/files/depot-merge-lib/1.1.0/depot_merge_lib-1.1.0-py3-none-any.whl", user: "x:\(chain.ws.server.adminToken)")
        #expect([502, 504].contains(missing.status), "\(missing.status) \(missing.text)")
    }
}
