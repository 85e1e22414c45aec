import Foundation
import Testing

/// The PyPI proxy when the public index misbehaves: a wheel whose bytes do not match the page's sha256 and a
/// page that is not PEP 691 JSON become clear 502 answers that keep nothing, and the proxy recovers.
@Suite("PyPI upstream failures")
struct PyPIUpstreamFailureTests {
    @Test("wrong hashes, garbage pages and 500s: clear 502s, nothing stored, still serving")
    func badUpstreams() async throws {
        let chain = try PyPIUpstreamChain(environment: PyPIUpstreamChain.shortTimeouts)
        let ws = chain.ws
        let standIn: StandInRegistry = chain.standIn
        let tree: PyPIStandInTree = chain.tree
        let admin = "x:\(ws.server.adminToken)"
        var wheels: [String: String] = [:]
        for name in ["depot-bad-hash", "depot-bad-page", "depot-bad-500"] {
            let module = name.replacingOccurrences(of: "-", with: "_")
            let project = try ws.makePythonProject(name, version: "1.0.0", source: "WHO = \"\(name)\"\n")
            let wheel = try #require(try ws.buildDistributions(project).last)
            wheels[name] = try tree.add(wheel).filename
            #expect(wheels[name] == "\(module)-1.0.0-py3-none-any.whl")
        }
        // PyPI clients get `{"code": ..., "error": message}`.
        func message(_ reply: HTTPReply) -> String {
            [reply.json?["code"] as? String, reply.json?["error"] as? String].compactMap { $0 }.joined(separator: ": ")
        }

        // A wheel whose bytes do not match the sha256 the page declares.
        let hashWheel = try #require(wheels["depot-bad-hash"])
        let hashPath = "/acme/app/pypi/files/depot-bad-hash/1.0.0/\(hashWheel)"
        #expect(try chain.jsonPage("depot-bad-hash").status == 200)
        try await standIn.setMode(.badhash, match: "/packages/depot_bad_hash")
        let mismatched = try ws.curl("GET", hashPath, user: admin)
        #expect(mismatched.status == 502 && message(mismatched).contains("UpstreamChecksumMismatch"), "\(mismatched.status) \(mismatched.text)")
        for repository in ["app", "team", "pypi-store"] {
            #expect(try await chain.version("1.0.0", of: "depot-bad-hash", in: repository).status == 404, "\(repository) kept a bad wheel")
        }
        // pip reports the failure too and installs nothing.
        let (badVenv, pipBad) = try chain.pipInstall(["depot-bad-hash", "--retries", "0"], venv: "venv-bad")
        #expect(!pipBad.succeeded && pipBad.output.contains("502"), "\(pipBad.output)")
        #expect(try ws.installedVersion(badVenv, "depot-bad-hash") == nil)
        // Nothing was kept: with the upstream fixed, the next download fetches the real bytes.
        try await standIn.setMode(.normal)
        let good = try ws.curl("GET", hashPath, user: admin)
        let goodBytes = try Data(contentsOf: tree.root.appendingPathComponent("packages/\(hashWheel)"))
        #expect(good.status == 200 && good.body == goodBytes, "\(good.status) \(good.text.prefix(300))")
        try await chain.expectExternal("depot-bad-hash", "1.0.0", publishedAt: tree.publishedAt("depot-bad-hash", "1.0.0"))

        // A project page that is not JSON, and one that answers 500: 502 naming the upstream, nothing cached.
        for (name, mode, code) in [("depot-bad-page", StandInRegistry.Mode.invalid, "UpstreamInvalid"), ("depot-bad-500", .status500, "500")] {
            let path = "/simple/\(name)/"
            try await standIn.setMode(mode, match: path)
            let page = try chain.jsonPage(name)
            #expect(page.status == 502 && message(page).contains(code), "\(mode): \(page.status) \(page.text)")
            #expect(message(page).contains("public:pypi") || message(page).contains("127.0.0.1"), "\(mode): \(message(page))")
            let html = try ws.curl("GET", "/acme/app/pypi" + path, user: admin)
            #expect(html.status == 502, "\(mode), HTML: \(html.status) \(html.text)")
            let (_, pipPage) = try chain.pipInstall([name, "--retries", "0"], venv: "venv-\(name)")
            #expect(!pipPage.succeeded, "\(pipPage.output)")
            try await standIn.setMode(.normal)
            let before = try await standIn.count(path)
            let recovered = try chain.jsonPage(name)
            #expect(recovered.status == 200, "\(mode), after recovery: \(recovered.status) \(recovered.text)")
            #expect(try await standIn.count(path) == before + 1, "\(mode): the failure was cached")
            #expect(try ws.curl("GET", "/healthz").status == 200)
        }

        // Everything installs once the upstream is back.
        let (venv, install) = try chain.pipInstall(["depot-bad-500", "depot-bad-page", "depot-bad-hash"], venv: "venv-good")
        #expect(install.succeeded, "\(install.output)")
        #expect(try ws.installedVersion(venv, "depot-bad-500") == "1.0.0")
        #expect(try ws.installedVersion(venv, "depot-bad-page") == "1.0.0")
    }
}
