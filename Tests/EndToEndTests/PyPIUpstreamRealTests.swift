import Foundation
import Testing

/// The PyPI proxy against the real public index (public:pypi at its default, https://pypi.org/simple/):
/// a package with dependencies installed through `app -> team -> pypi-store(public:pypi)`.
@Suite("PyPI upstream, real PyPI")
struct PyPIUpstreamRealTests {
    @Test(
        "pip and uv install requests and its dependencies through Depot from the real PyPI",
        .enabled(if: PythonTools.pypiReachable, "pypi.org is not reachable from this machine: skipping the real-PyPI proxy test"))
    func installFromRealPyPI() async throws {
        let chain = try PyPIUpstreamChain(standIn: false)
        let ws = chain.ws

        let (venv, pip) = try chain.pipInstall(["requests==2.32.3", "--only-binary", ":all:"], venv: "venv-pip")
        #expect(pip.succeeded, "\(pip.output)\n\(ws.server.log.suffix(3000))")
        #expect(!pip.output.contains("pypi.org") && !pip.output.contains("pythonhosted"), "pip went around Depot:\n\(pip.output)")
        let run = try ws.runPython(venv.python, ["-c", "import requests; print(requests.__version__)"])
        #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "2.32.3", "\(run.output)")
        let installed = try chain.installed(venv)
        #expect(Set(installed.keys).isSuperset(of: ["requests", "certifi", "charset-normalizer", "idna", "urllib3"]), "\(installed)")

        // Recorded along the path as fetched from public:pypi, with PyPI's upload time.
        for (project, version) in installed {
            try await chain.expectExternal(project, version, publishedAt: nil)
            let body = try await chain.version(version, of: project, in: "app").body
            let published = try Date.ISO8601FormatStyle().parse(try #require(body["publishedAt"] as? String, "\(body)"))
            #expect(published < Date() && published > Date(timeIntervalSince1970: 1_262_304_000), "\(project) \(version): \(body)")
        }
        let requestsVersion = try await chain.version("2.32.3", of: "requests", in: "pypi-store").body
        // The version's newest file (the sdist, uploaded after the wheel) gives its publish time.
        #expect(requestsVersion["publishedAt"] as? String == "2024-05-29T15:37:47Z", "\(requestsVersion)")

        // uv, fresh venv and no cache, gets the same set through app.
        let (uvVenv, uv) = try chain.uvInstall(["requests==2.32.3", "--only-binary", ":all:"], venv: "venv-uv")
        #expect(uv.succeeded, "\(uv.output)")
        #expect(try chain.installed(uvVenv) == installed)
    }
}
