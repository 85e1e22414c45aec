import Foundation
import Testing

/// Distributions nobody here wrote: wheels and sdists downloaded from the real PyPI (requests and its
/// dependencies, the build backends, sdists of six and idna), uploaded to Depot with twine, then installed from
/// Depot alone with pip (wheels, and sdists built in an isolated environment whose backends come from Depot too)
/// and with uv.
@Suite("PyPI real distributions")
struct PyPIRealDistributionsTests {
    /// Installed from Depot; their dependencies (certifi, charset-normalizer, idna, urllib3) come along.
    /// setuptools, wheel and flit_core (idna 3.7 builds with `flit_core>=3.2,<4`) serve the sdist builds below.
    static let wheels = ["requests==2.32.3", "setuptools", "wheel", "flit_core>=3.2,<4"]
    static let sdists = ["six==1.16.0", "idna==3.7"]

    @Test(
        "upload real wheels and sdists with twine, install them from Depot with pip and uv",
        .enabled(if: PythonTools.pypiReachable, "pypi.org is not reachable from this machine: skipping the real-distribution test"))
    func uploadAndInstall() async throws {
        let tools = PythonTools.shared
        try #require(tools.available, tools.missingMessage)
        let ws = try Workspace()
        try ws.setUpPyPIRepository()
        let token = ws.server.adminToken
        let admin = "x:\(token)"

        // Download from the public index (the only step that talks to it), for this interpreter's version.
        let pythonVersion = try ws.runPython(tools.python, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let wheelDir = try ws.directory("real-wheels")
        let sdistDir = try ws.directory("real-sdists")
        let wheelDownload = try ws.runPython(tools.python, [
            "-m", "pip", "download", "--index-url", "https://pypi.org/simple/", "--only-binary", ":all:",
            "--python-version", pythonVersion, "-d", wheelDir.path,
        ] + Self.wheels, timeout: 600)
        try #require(wheelDownload.succeeded, "pip download from pypi.org failed:\n\(wheelDownload.output)")
        let sdistDownload = try ws.runPython(tools.python, [
            "-m", "pip", "download", "--index-url", "https://pypi.org/simple/", "--no-binary", ":all:", "--no-deps",
            "-d", sdistDir.path,
        ] + Self.sdists, timeout: 600)
        try #require(sdistDownload.succeeded, "pip download of sdists from pypi.org failed:\n\(sdistDownload.output)")
        let wheelFiles = try FileManager.default.contentsOfDirectory(at: wheelDir, includingPropertiesForKeys: nil).sorted { $0.path < $1.path }
        let sdistFiles = try FileManager.default.contentsOfDirectory(at: sdistDir, includingPropertiesForKeys: nil).sorted { $0.path < $1.path }
        #expect(wheelFiles.allSatisfy { $0.pathExtension == "whl" })
        #expect(Set(sdistFiles.map(\.lastPathComponent)) == ["six-1.16.0.tar.gz", "idna-3.7.tar.gz"], "\(sdistFiles)")
        let expectedProjects: Set<String> = [
            "requests", "certifi", "charset-normalizer", "idna", "urllib3", "setuptools", "wheel", "flit-core", "six",
        ]
        let downloadedProjects = Set(wheelFiles.map { normalize(String($0.lastPathComponent.split(separator: "-")[0])) })
        #expect(downloadedProjects.isSuperset(of: expectedProjects.subtracting(["six"])), "\(downloadedProjects)")

        // twine upload, everything in one command, with the token as password.
        let upload = try ws.runPython(tools.twine, [
            "upload", "--verbose", "--repository-url", "\(ws.server.url)/acme/main/pypi/", "-u", "aws", "-p", token,
        ] + (wheelFiles + sdistFiles).map(\.path), timeout: 600)
        #expect(upload.succeeded, "\(upload.output)")
        let listed = Set(try ws.pypiPackageNames() ?? [])
        #expect(listed == downloadedProjects.union(["six"]), "depot package list: \(listed)")

        // The index carries what the real metadata says: requires-python, PEP 658 metadata, both idna versions.
        let requestsPage = try ws.curl(
            "GET", "/acme/main/pypi/simple/requests/", user: admin, headers: ["Accept: application/vnd.pypi.simple.v1+json"])
        let requestsFile = ((requestsPage.json?["files"] as? [[String: Any]]) ?? []).first
        #expect(requestsFile?["filename"] as? String == "requests-2.32.3-py3-none-any.whl", "\(requestsPage.text)")
        #expect(requestsFile?["requires-python"] as? String == ">=3.8", "\(requestsPage.text)")
        if let url = requestsFile?["url"] as? String {
            let absolute = URL(string: url, relativeTo: URL(string: ws.server.url + "/acme/main/pypi/simple/requests/"))?.absoluteString ?? url
            let metadata = try ws.curl("GET", absolute + ".metadata", user: admin)
            #expect(metadata.status == 200 && metadata.text.contains("Requires-Dist: urllib3"), "\(metadata.status) \(metadata.text.prefix(500))")
            #expect(metadata.text == (try ws.wheelMetadata(wheelDir.appendingPathComponent("requests-2.32.3-py3-none-any.whl"))))
        }
        let idnaPage = try ws.curl("GET", "/acme/main/pypi/simple/idna/", user: admin, headers: ["Accept: application/vnd.pypi.simple.v1+json"])
        let idnaVersions = (idnaPage.json?["versions"] as? [String]) ?? []
        #expect(idnaVersions.contains("3.7") && idnaVersions.count == 2, "\(idnaPage.text)")
        let charsetPage = try ws.curl("GET", "/acme/main/pypi/simple/charset-normalizer/", user: admin, headers: ["Accept: text/html"])
        #expect(SimpleHTML.anchors(charsetPage.text).map(\.text) == wheelFiles.map(\.lastPathComponent).filter { $0.hasPrefix("charset_normalizer-") },
                "\(charsetPage.text)")

        // pip install requests from Depot alone, with its dependencies.
        let index = ws.simpleIndexURL(token: token)
        let venv = try ws.makeVenv("venv-requests")
        let install = try ws.pip(venv, ["install", "--index-url", index, "requests"])
        #expect(install.succeeded, "\(install.output)")
        let imported = try ws.runPython(venv.python, [
            "-c", "import requests, certifi, idna, urllib3, charset_normalizer; print(requests.__version__)",
        ])
        #expect(imported.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "2.32.3", "\(imported.output)")
        for wheel in wheelFiles where ["requests", "certifi", "idna", "urllib3", "charset-normalizer"].contains(projectName(wheel)) {
            #expect(try ws.installedVersion(venv, projectName(wheel)) == version(wheel), "\(wheel.lastPathComponent) not the one installed")
        }

        // The sdists: pip builds them in an isolated environment whose setuptools, wheel and flit_core come from
        // Depot as well (idna 3.7 exists only as an sdist there, six 1.16.0 too).
        let sdistVenv = try ws.makeVenv("venv-sdists")
        let sdistInstall = try ws.pip(sdistVenv, ["install", "--index-url", index, "six==1.16.0", "idna==3.7"], timeout: 600)
        #expect(sdistInstall.succeeded, "\(sdistInstall.output)")
        let sdistImport = try ws.runPython(sdistVenv.python, ["-c", "import six, idna; print(six.__version__, idna.__version__)"])
        #expect(sdistImport.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1.16.0 3.7", "\(sdistImport.output)")

        // uv resolves through the JSON API and installs the same set.
        let uvVenv = try ws.makeVenv("venv-uv-requests", withPip: false)
        let uvInstall = try ws.uv(["pip", "install", "--python", uvVenv.python, "--index-url", index, "requests"])
        #expect(uvInstall.succeeded, "\(uvInstall.output)")
        let uvImport = try ws.runPython(uvVenv.python, [
            "-c", "import requests, certifi, idna, urllib3, charset_normalizer; print(requests.__version__)",
        ])
        #expect(uvImport.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "2.32.3", "\(uvImport.output)")
        #expect(!ws.server.log.contains(" 500 "), "the server answered 500 somewhere:\n\(ws.server.log.split(separator: "\n").filter { $0.contains(" 500 ") }.joined(separator: "\n"))")
    }

    func normalize(_ name: String) -> String {
        name.lowercased().replacingOccurrences(of: "[-_.]+", with: "-", options: .regularExpression)
    }

    func projectName(_ wheel: URL) -> String { normalize(String(wheel.lastPathComponent.split(separator: "-")[0])) }
    func version(_ wheel: URL) -> String { String(wheel.lastPathComponent.split(separator: "-")[1]) }
}
