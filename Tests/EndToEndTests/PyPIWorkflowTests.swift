import Foundation
import Testing

/// The real Python clients against a running `depot serve`: `python -m build`, `depot login --tool
/// twine|pip|uv`, `twine upload`, `pip install`/`pip download`, `uv pip install`, the simple index in HTML and
/// JSON, PEP 658 metadata, yank/unyank, Unlisted, and a filename that never takes other bytes.
@Suite("PyPI workflow")
struct PyPIWorkflowTests {
    static let coreSource = "def greet():\n    return \"core-1.0.0\"\n"

    @Test("build, login, twine upload, pip and uv install, index, yank, unlist, immutability")
    func uploadInstallAndManage() async throws {
        let tools = PythonTools.shared
        try #require(tools.available, tools.missingMessage)
        let ws = try Workspace()
        try ws.setUpPyPIRepository()
        let token = ws.server.adminToken
        let admin = "x:\(token)"

        // Two projects built by setuptools: a library and an app that depends on it.
        let coreDir = try ws.makePythonProject("depot-e2e-core", version: "1.0.0", source: Self.coreSource)
        let appSource = "from depot_e2e_core import greet\n\n\ndef run():\n    return \"app+\" + greet()\n"
        let appDir = try ws.makePythonProject(
            "depot-e2e-app", version: "1.0.0", dependencies: ["depot-e2e-core>=1.0"], source: appSource)
        let core = try ws.buildDistributions(coreDir)
        let app = try ws.buildDistributions(appDir)
        try #require(core.count == 2 && app.count == 2)
        let (coreSdist, coreWheel) = (core[0], core[1])
        #expect(coreSdist.lastPathComponent == "depot_e2e_core-1.0.0.tar.gz" || coreSdist.lastPathComponent == "depot-e2e-core-1.0.0.tar.gz")
        #expect(coreWheel.lastPathComponent == "depot_e2e_core-1.0.0-py3-none-any.whl")

        // depot login --tool twine merges a [depot] section into an existing ~/.pypirc (mode 0600).
        try "[distutils]\nindex-servers =\n    pypi\n\n[pypi]\nusername = __token__\n".write(to: ws.pypirc, atomically: true, encoding: .utf8)
        let twineLogin = try ws.depotLogin(tool: "twine")
        #expect(twineLogin.succeeded, "\(twineLogin.output)")
        let pypirc = try String(contentsOf: ws.pypirc, encoding: .utf8)
        #expect(pypirc.contains("[depot]"), "\(pypirc)")
        #expect(pypirc.contains("[pypi]") && pypirc.contains("username = __token__"), "the existing section must survive:\n\(pypirc)")
        #expect(pypirc.range(of: #"index-servers\s*=[\s\S]*pypi[\s\S]*depot|index-servers\s*=[\s\S]*depot[\s\S]*pypi"#, options: .regularExpression) != nil, "\(pypirc)")
        #expect(pypirc.contains("repository = \(ws.server.url)/acme/main/pypi/"), "\(pypirc)")
        #expect(pypirc.contains("username = depot"), "\(pypirc)")
        #expect(pypirc.contains("password = dpt_"), "\(pypirc)")
        let mode = try FileManager.default.attributesOfItem(atPath: ws.pypirc.path)[.posixPermissions] as? Int
        #expect(mode == 0o600, "~/.pypirc mode \(String(mode ?? 0, radix: 8))")

        // twine upload -r depot, through the ~/.pypirc login wrote.
        for files in [core, app] {
            let upload = try ws.twine(["upload", "--verbose", "-r", "depot"] + files.map(\.path))
            #expect(upload.succeeded, "\(upload.output)")
        }
        #expect(ws.server.log.contains("POST /acme/main/pypi/ 200"), "\(ws.server.log.suffix(2000))")
        #expect(Set(try ws.pypiPackageNames() ?? []) == ["depot-e2e-core", "depot-e2e-app"])

        try checkIndex(ws, admin: admin, sdist: coreSdist, wheel: coreWheel)

        // depot login --tool pip: the default location ($HOME/.config/pip/pip.conf), and PIP_CONFIG_FILE when set.
        let pipDefaultLogin = try ws.depotLogin(tool: "pip")
        #expect(pipDefaultLogin.succeeded, "\(pipDefaultLogin.output)")
        let pipLogin = try ws.depotLogin(tool: "pip", environment: ["PIP_CONFIG_FILE": ws.pipConfigFile.path])
        #expect(pipLogin.succeeded, "\(pipLogin.output)")
        let indexPattern = #"\[global\][\s\S]*index-url\s*=\s*http://depot:dpt_[A-Za-z0-9_\-]+@"#
            + NSRegularExpression.escapedPattern(for: "\(ws.serverHostPort)/acme/main/pypi/simple/")
        for file in [ws.userPipConfigFile, ws.pipConfigFile] {
            let conf = (try? String(contentsOf: file, encoding: .utf8)) ?? "<missing>"
            #expect(conf.range(of: indexPattern, options: .regularExpression) != nil, "\(file.path):\n\(conf)")
        }

        // pip install from Depot alone, in a fresh venv: the dependency comes from Depot too.
        let pipVenv = try ws.makeVenv("venv-pip")
        let pipInstall = try ws.pip(pipVenv, ["install", "depot-e2e-app"])
        #expect(pipInstall.succeeded, "\(pipInstall.output)")
        #expect(pipInstall.output.contains("/acme/main/pypi/simple/"), "pip did not use Depot's index:\n\(pipInstall.output)")
        let run = try ws.runPython(pipVenv.python, ["-c", "import depot_e2e_app; print(depot_e2e_app.run())"])
        #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "app+core-1.0.0", "\(run.output)")
        #expect(try ws.installedVersion(pipVenv, "depot-e2e-core") == "1.0.0")

        // pip 23+ resolves with the PEP 658 metadata files, then downloads the wheels.
        let requests = ws.server.log.split(separator: "\n").filter { $0.contains("GET /acme/main/pypi/") }
        #expect(requests.contains { $0.contains("depot_e2e_app-1.0.0-py3-none-any.whl.metadata 200") }, "\(requests.joined(separator: "\n"))")
        #expect(requests.contains { $0.contains("depot_e2e_core-1.0.0-py3-none-any.whl.metadata 200") }, "\(requests.joined(separator: "\n"))")
        #expect(requests.contains { $0.contains("depot_e2e_core-1.0.0-py3-none-any.whl 200") }, "\(requests.joined(separator: "\n"))")
        #expect(requests.contains { $0.contains("GET /acme/main/pypi/simple/depot-e2e-core/ 200") }, "\(requests.joined(separator: "\n"))")

        // depot login --tool uv: $HOME/.config/uv/uv.toml, or UV_CONFIG_FILE when set; uv pip install uses it.
        let uvAlternative = ws.root.appendingPathComponent("uv-alt/uv.toml")
        let uvAltLogin = try ws.depotLogin(tool: "uv", environment: ["UV_CONFIG_FILE": uvAlternative.path])
        #expect(uvAltLogin.succeeded, "\(uvAltLogin.output)")
        let uvLogin = try ws.depotLogin(tool: "uv")
        #expect(uvLogin.succeeded, "\(uvLogin.output)")
        for file in [ws.userUVConfigFile, uvAlternative] {
            let toml = (try? String(contentsOf: file, encoding: .utf8)) ?? "<missing>"
            #expect(toml.contains("[[index]]"), "\(file.path):\n\(toml)")
            #expect(toml.range(of: #"name\s*=\s*"depot""#, options: .regularExpression) != nil, "\(file.path):\n\(toml)")
            #expect(toml.range(of: #"default\s*=\s*true"#, options: .regularExpression) != nil, "\(file.path):\n\(toml)")
            #expect(toml.contains("depot:dpt_") && toml.contains("@\(ws.serverHostPort)/acme/main/pypi/simple/"), "\(file.path):\n\(toml)")
        }
        let uvVenv = try ws.makeVenv("venv-uv", withPip: false)
        let uvInstall = try ws.uv(["pip", "install", "--python", uvVenv.python, "depot-e2e-app"])
        #expect(uvInstall.succeeded, "\(uvInstall.output)")
        let uvRun = try ws.runPython(uvVenv.python, ["-c", "import depot_e2e_app; print(depot_e2e_app.run())"])
        #expect(uvRun.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "app+core-1.0.0", "\(uvRun.output)")

        // pip download of the sdist (its metadata is prepared with the tools' setuptools, no index needed).
        let sdistDownloads = try ws.directory("download-sdist")
        let sdistDownload = try ws.runPython(tools.python, [
            "-m", "pip", "download", "--no-binary", ":all:", "--no-deps", "--no-build-isolation", "-d", sdistDownloads.path,
            "--index-url", ws.simpleIndexURL(token: token), "depot-e2e-core",
        ])
        #expect(sdistDownload.succeeded, "\(sdistDownload.output)")
        let downloaded = sdistDownloads.appendingPathComponent(coreSdist.lastPathComponent)
        #expect(FileManager.default.fileExists(atPath: downloaded.path), "\(sdistDownload.output)")
        if FileManager.default.fileExists(atPath: downloaded.path) {
            #expect(try ws.sha256(downloaded) == (try ws.sha256(coreSdist)))
        }

        // Version 1.1.0 through the /pypi/legacy/ URL with any username.
        let core11Dir = try ws.makePythonProject(
            "depot-e2e-core", version: "1.1.0", source: Self.coreSource.replacingOccurrences(of: "1.0.0", with: "1.1.0"))
        let core11 = try ws.buildDistributions(core11Dir)
        let legacy = try ws.twine([
            "upload", "--verbose", "--repository-url", "\(ws.server.url)/acme/main/pypi/legacy/", "-u", "anything", "-p", token,
        ] + core11.map(\.path))
        #expect(legacy.succeeded, "\(legacy.output)")
        #expect(try latestWheel(ws, pip: pipVenv, token: token) == "depot_e2e_core-1.1.0-py3-none-any.whl")

        // Yank 1.1.0: data-yanked / "yanked" carry the reason; pip skips it unless pinned with ==.
        let yank = try ws.server.cli([
            "package", "yank", "--domain", "acme", "--repo", "main", "--format", "pypi", "depot-e2e-core", "--version", "1.1.0",
            "--reason", "broken build",
        ])
        #expect(yank.succeeded, "\(yank.output)")
        let yankedJSON = try ws.curl("GET", "/acme/main/pypi/simple/depot-e2e-core/", user: admin, headers: ["Accept: application/vnd.pypi.simple.v1+json"])
        let yankedFiles = (yankedJSON.json?["files"] as? [[String: Any]]) ?? []
        #expect(yankedFiles.count == 4, "\(yankedJSON.text)")
        for file in yankedFiles {
            let name = file["filename"] as? String ?? ""
            if name.contains("1.1.0") {
                #expect(file["yanked"] as? String == "broken build", "\(file)")
            } else {
                #expect(file["yanked"] as? Bool != true && file["yanked"] as? String == nil, "\(file)")
            }
        }
        let yankedHTML = try ws.curl("GET", "/acme/main/pypi/simple/depot-e2e-core/", user: admin, headers: ["Accept: text/html"])
        #expect(SimpleHTML.anchors(yankedHTML.text).count == 4, "\(yankedHTML.text)")
        for anchor in SimpleHTML.anchors(yankedHTML.text) {
            #expect((anchor.attributes["data-yanked"] != nil) == anchor.text.contains("1.1.0"), "\(anchor)")
            if anchor.text.contains("1.1.0") { #expect(anchor.attributes["data-yanked"] == "broken build") }
        }
        let yankVenv = try ws.makeVenv("venv-yank")
        let skipYanked = try ws.pip(yankVenv, ["install", "depot-e2e-core"])
        #expect(skipYanked.succeeded, "\(skipYanked.output)")
        #expect(try ws.installedVersion(yankVenv, "depot-e2e-core") == "1.0.0", "\(skipYanked.output)")
        let pinned = try ws.pip(yankVenv, ["install", "depot-e2e-core==1.1.0"])
        #expect(pinned.succeeded, "\(pinned.output)")
        #expect(try ws.installedVersion(yankVenv, "depot-e2e-core") == "1.1.0", "\(pinned.output)")
        #expect(pinned.output.contains("yanked") && pinned.output.contains("broken build"), "pip should warn about the yanked pin:\n\(pinned.output)")

        // Unyank: 1.1.0 is the newest again.
        let unyank = try ws.server.cli([
            "package", "unyank", "--domain", "acme", "--repo", "main", "--format", "pypi", "depot-e2e-core", "--version", "1.1.0",
        ])
        #expect(unyank.succeeded, "\(unyank.output)")
        let unyanked = try ws.curl("GET", "/acme/main/pypi/simple/depot-e2e-core/", user: admin, headers: ["Accept: text/html"])
        #expect(!unyanked.text.contains("data-yanked"), "\(unyanked.text)")
        #expect(try latestWheel(ws, pip: pipVenv, token: token) == "depot_e2e_core-1.1.0-py3-none-any.whl")

        // Unlisted: 1.1.0 leaves the index, its files stay downloadable by URL; Published brings it back.
        let unlist = try ws.server.cli([
            "package", "set-status", "--domain", "acme", "--repo", "main", "--format", "pypi", "depot-e2e-core", "--version", "1.1.0",
            "--status", "Unlisted",
        ])
        #expect(unlist.succeeded, "\(unlist.output)")
        let unlisted = try ws.curl("GET", "/acme/main/pypi/simple/depot-e2e-core/", user: admin, headers: ["Accept: application/vnd.pypi.simple.v1+json"])
        #expect((unlisted.json?["versions"] as? [String]) == ["1.0.0"], "\(unlisted.text)")
        #expect(((unlisted.json?["files"] as? [[String: Any]]) ?? []).allSatisfy { !(($0["filename"] as? String) ?? "").contains("1.1.0") }, "\(unlisted.text)")
        let hiddenURL = try #require(yankedFiles.first { ($0["filename"] as? String) == "depot_e2e_core-1.1.0-py3-none-any.whl" }?["url"] as? String)
        let hidden = try ws.curl("GET", resolve(hiddenURL, against: ws.server.url + "/acme/main/pypi/simple/depot-e2e-core/"), user: admin)
        #expect(hidden.status == 200, "unlisted file must stay downloadable: \(hidden.status) \(hidden.text.prefix(300))")
        #expect(try ws.sha256(hidden.body) == (try ws.sha256(core11[1])))
        #expect(try latestWheel(ws, pip: pipVenv, token: token) == "depot_e2e_core-1.0.0-py3-none-any.whl")
        let publish = try ws.server.cli([
            "package", "set-status", "--domain", "acme", "--repo", "main", "--format", "pypi", "depot-e2e-core", "--version", "1.1.0",
            "--status", "Published",
        ])
        #expect(publish.succeeded, "\(publish.output)")
        #expect(try latestWheel(ws, pip: pipVenv, token: token) == "depot_e2e_core-1.1.0-py3-none-any.whl")

        // A filename never takes other bytes: 400 "File already exists"; the stored file is unchanged.
        let changedDir = try ws.makePythonProject(
            "depot-e2e-core", version: "1.0.0", source: Self.coreSource.replacingOccurrences(of: "core-1.0.0", with: "changed"))
        let changed = try ws.buildDistributions(changedDir)
        try #require(changed.count == 2)
        #expect(try ws.sha256(changed[1]) != (try ws.sha256(coreWheel)))
        let conflict = try ws.twine(["upload", "--verbose", "-r", "depot", changed[1].path])
        #expect(!conflict.succeeded, "\(conflict.output)")
        #expect(conflict.output.contains("400"), "\(conflict.output)")
        #expect(conflict.output.lowercased().contains("already exists"), "\(conflict.output)")
        let stored = try ws.curl("GET", "/acme/main/pypi/simple/depot-e2e-core/", user: admin, headers: ["Accept: application/vnd.pypi.simple.v1+json"])
        let storedWheel = ((stored.json?["files"] as? [[String: Any]]) ?? []).first { ($0["filename"] as? String) == coreWheel.lastPathComponent }
        #expect((storedWheel?["hashes"] as? [String: Any])?["sha256"] as? String == (try ws.sha256(coreWheel)))

        // The same bytes again succeed. (twine 7 refuses `--skip-existing` itself for any repository but
        // PyPI and TestPyPI, before sending anything, so a plain upload is what clients do here.)
        let again = try ws.twine(["upload", "--verbose", "-r", "depot"] + core.map(\.path))
        #expect(again.succeeded, "\(again.output)")
        let stillOne = try ws.curl("GET", "/acme/main/pypi/simple/depot-e2e-core/", user: admin, headers: ["Accept: application/vnd.pypi.simple.v1+json"])
        let names = ((stillOne.json?["files"] as? [[String: Any]]) ?? []).compactMap { $0["filename"] as? String }
        #expect(names.count == Set(names).count && names.count == 4, "\(names)")

        // The log never shows a token, though pip and uv carried it in their index URL.
        #expect(!ws.server.log.contains("dpt_"))
    }

    @Test("a local version (+) of a dotted, mixed-case project installs with pip and uv")
    func localVersionAndOddName() async throws {
        let tools = PythonTools.shared
        try #require(tools.available, tools.missingMessage)
        let ws = try Workspace()
        try ws.setUpPyPIRepository()
        let token = ws.server.adminToken
        let admin = "x:\(token)"
        let version = "2.0.0+build.7"
        let dir = try ws.makePythonProject(
            "Depot.E2E_Local", version: version, source: "VALUE = 'local'\n", module: "depot_e2e_local")
        let files = try ws.buildDistributions(dir)
        #expect(files.map(\.lastPathComponent) == ["depot_e2e_local-\(version).tar.gz", "depot_e2e_local-\(version)-py3-none-any.whl"])
        let upload = try ws.twine([
            "upload", "--verbose", "--repository-url", "\(ws.server.url)/acme/main/pypi/", "-u", "x", "-p", token,
        ] + files.map(\.path))
        #expect(upload.succeeded, "\(upload.output)")

        let redirect = try ws.curl("GET", "/acme/main/pypi/simple/Depot.E2E_Local/", user: admin)
        #expect(redirect.status == 301 && redirect.headers["location"]?.hasSuffix("/acme/main/pypi/simple/depot-e2e-local/") == true,
                "\(redirect.status) \(redirect.headers)")
        let page = try ws.curl("GET", "/acme/main/pypi/simple/depot-e2e-local/", user: admin, headers: ["Accept: application/vnd.pypi.simple.v1+json"])
        #expect(page.json?["versions"] as? [String] == [version], "\(page.text)")

        // pip percent-encodes the '+' of the file URLs it follows (…/2.0.0%2Bbuild.7/…%2Bbuild.7-py3-none-any.whl);
        // the server must decode them like any other URL.
        let fileURL = try #require(((page.json?["files"] as? [[String: Any]]) ?? []).first { ($0["filename"] as? String)?.hasSuffix(".whl") == true }?["url"] as? String)
        let encoded = fileURL.replacingOccurrences(of: "+", with: "%2B")
        for url in [fileURL, encoded, encoded + ".metadata"] {
            let reply = try ws.curl("GET", url, user: admin)
            #expect(reply.status == 200, "GET \(url) -> \(reply.status) \(reply.text.prefix(200))")
        }

        let index = ws.simpleIndexURL(token: token)
        let venv = try ws.makeVenv("venv-local")
        let pipInstall = try ws.pip(venv, ["install", "--index-url", index, "Depot.E2E_Local==\(version)"])
        #expect(pipInstall.succeeded, "\(pipInstall.output)")
        #expect(try ws.installedVersion(venv, "depot-e2e-local") == version, "\(pipInstall.output)")
        let uvVenv = try ws.makeVenv("venv-local-uv", withPip: false)
        let uvInstall = try ws.uv(["pip", "install", "--python", uvVenv.python, "--index-url", index, "Depot.E2E_Local==\(version)"])
        #expect(uvInstall.succeeded, "\(uvInstall.output)")
        let run = try ws.runPython(uvVenv.python, ["-c", "import depot_e2e_local; print(depot_e2e_local.VALUE)"])
        #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "local", "\(run.output)")
    }

    /// The simple index of depot-e2e-core 1.0.0 in HTML and JSON, redirects, auth, downloads and metadata.
    func checkIndex(_ ws: Workspace, admin: String, sdist: URL, wheel: URL) throws {
        let base = "/acme/main/pypi/simple/"
        let sdistSHA = try ws.sha256(sdist)
        let wheelSHA = try ws.sha256(wheel)

        // Project list, both forms.
        let list = try ws.curl("GET", base, user: admin, headers: ["Accept: text/html"])
        #expect(list.status == 200, "\(list.status) \(list.text)")
        #expect(list.headers["content-type"]?.hasPrefix("text/html") == true, "\(list.headers)")
        let listed = Set(SimpleHTML.anchors(list.text).map(\.text))
        #expect(listed == ["depot-e2e-core", "depot-e2e-app"], "\(list.text)")
        #expect(SimpleHTML.anchors(list.text).allSatisfy { $0.href.hasSuffix("\($0.text)/") }, "\(list.text)")
        let listJSON = try ws.curl("GET", base, user: admin, headers: ["Accept: application/vnd.pypi.simple.v1+json"])
        #expect(listJSON.headers["content-type"]?.hasPrefix("application/vnd.pypi.simple.v1+json") == true, "\(listJSON.headers)")
        let projects = (listJSON.json?["projects"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
        #expect(Set(projects) == ["depot-e2e-core", "depot-e2e-app"], "\(listJSON.text)")

        // Redirects to the normalized URL with a trailing slash.
        for path in [base + "Depot_E2E.Core/", base + "depot-e2e-core", base + "DEPOT-e2e--core"] {
            let redirect = try ws.curl("GET", path, user: admin)
            #expect(redirect.status == 301, "\(path) -> \(redirect.status)")
            #expect(redirect.headers["location"]?.hasSuffix("/acme/main/pypi/simple/depot-e2e-core/") == true, "\(path) -> \(redirect.headers)")
        }
        let slashless = try ws.curl("GET", "/acme/main/pypi/simple", user: admin)
        #expect(slashless.status == 301 && slashless.headers["location"]?.hasSuffix("/acme/main/pypi/simple/") == true, "\(slashless.status) \(slashless.headers)")
        #expect(try ws.curl("GET", base + "no-such-project/", user: admin).status == 404)

        // Reads need a token: 401 with WWW-Authenticate (pip then retries with its credentials); a bad token too.
        let anonymous = try ws.curl("GET", base + "depot-e2e-core/")
        #expect(anonymous.status == 401, "\(anonymous.status)")
        #expect(anonymous.headers["www-authenticate"] != nil, "\(anonymous.headers)")
        #expect(try ws.curl("GET", base + "depot-e2e-core/", user: "x:dpt_not_a_token").status == 401)

        // HTML page: one anchor per file with #sha256=, requires-python, and PEP 658/714 metadata on the wheel.
        let page = try ws.curl("GET", base + "depot-e2e-core/", user: admin, headers: ["Accept: text/html"])
        #expect(page.status == 200, "\(page.status) \(page.text)")
        #expect(page.text.contains("pypi:repository-version"), "\(page.text)")
        let anchors = SimpleHTML.anchors(page.text)
        #expect(Set(anchors.map(\.text)) == [sdist.lastPathComponent, wheel.lastPathComponent], "\(page.text)")
        for anchor in anchors {
            let expected = anchor.text == wheel.lastPathComponent ? wheelSHA : sdistSHA
            #expect(anchor.href.hasSuffix("#sha256=\(expected)"), "\(anchor.href)")
            #expect(anchor.href.contains("/acme/main/pypi/files/"), "\(anchor.href)")
            #expect(anchor.attributes["data-requires-python"] == ">=3.8", "\(anchor)")
            if anchor.text == wheel.lastPathComponent {
                #expect(anchor.attributes["data-core-metadata"] != nil && anchor.attributes["data-dist-info-metadata"] != nil, "\(anchor)")
            }
            #expect(anchor.attributes["data-yanked"] == nil)
        }
        #expect(page.text.contains("data-requires-python=\"&gt;=3.8\""), "requires-python must be HTML-escaped:\n\(page.text)")

        // JSON page (PEP 691/700).
        let pageURL = ws.server.url + base + "depot-e2e-core/"
        let json = try ws.curl("GET", base + "depot-e2e-core/", user: admin, headers: ["Accept: application/vnd.pypi.simple.v1+json"])
        #expect(json.status == 200 && json.headers["content-type"]?.hasPrefix("application/vnd.pypi.simple.v1+json") == true, "\(json.status) \(json.headers)")
        let object = try #require(json.json, "\(json.text)")
        #expect((object["meta"] as? [String: Any])?["api-version"] as? String != nil, "\(json.text)")
        #expect(object["name"] as? String == "depot-e2e-core")
        #expect(object["versions"] as? [String] == ["1.0.0"], "\(json.text)")
        let files = object["files"] as? [[String: Any]] ?? []
        #expect(Set(files.compactMap { $0["filename"] as? String }) == [sdist.lastPathComponent, wheel.lastPathComponent], "\(json.text)")
        let latest = try ws.curl("GET", base + "depot-e2e-core/", user: admin, headers: ["Accept: application/vnd.pypi.simple.latest+json"])
        #expect(latest.headers["content-type"]?.hasPrefix("application/vnd.pypi.simple.v1+json") == true, "latest+json: \(latest.headers)")

        for file in files {
            let name = file["filename"] as? String ?? ""
            let local = name == wheel.lastPathComponent ? wheel : sdist
            let sha = name == wheel.lastPathComponent ? wheelSHA : sdistSHA
            #expect((file["hashes"] as? [String: Any])?["sha256"] as? String == sha, "\(file)")
            #expect(file["requires-python"] as? String == ">=3.8", "\(file)")
            let size = try FileManager.default.attributesOfItem(atPath: local.path)[.size] as? Int
            #expect((file["size"] as? Int) == size, "\(file)")
            #expect(file["upload-time"] as? String != nil, "\(file)")
            let url = resolve(try #require(file["url"] as? String), against: pageURL)
            let download = try ws.curl("GET", url, user: admin)
            #expect(download.status == 200, "\(url) -> \(download.status)")
            #expect(try ws.sha256(download.body) == sha, "downloaded bytes differ from the uploaded \(name)")
            let noAuth = try ws.curl("GET", url)
            #expect(noAuth.status == 401, "file download without a token: \(noAuth.status)")

            if local == wheel {
                let declared = file["core-metadata"] ?? file["dist-info-metadata"]
                #expect(declared != nil && (declared as? Bool) != false, "\(file)")
                let metadata = try ws.curl("GET", url + ".metadata", user: admin)
                #expect(metadata.status == 200, "\(url).metadata -> \(metadata.status)")
                #expect(metadata.text == (try ws.wheelMetadata(wheel)), "served METADATA differs from the wheel's")
                if let hashes = declared as? [String: Any], let expected = hashes["sha256"] as? String {
                    #expect(try ws.sha256(metadata.body) == expected, "core-metadata sha256 does not match the served file")
                }
                #expect(metadata.text.contains("Requires-Python: >=3.8"))
            } else {
                let declared = file["core-metadata"] ?? file["dist-info-metadata"]
                #expect(declared == nil || (declared as? Bool) == false, "sdists have no PEP 658 metadata here: \(file)")
            }
        }
    }

    /// The wheel `pip download --only-binary :all: --no-deps depot-e2e-core` picks (no pin: yanked and unlisted skipped).
    func latestWheel(_ ws: Workspace, pip venv: PythonVenv, token: String) throws -> String? {
        let dir = ws.root.appendingPathComponent("latest-\(UUID().uuidString.prefix(8))")
        let result = try ws.pip(venv, [
            "download", "--only-binary", ":all:", "--no-deps", "-d", dir.path, "--index-url", ws.simpleIndexURL(token: token),
            "depot-e2e-core",
        ])
        #expect(result.succeeded, "\(result.output)")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return files.count == 1 ? files[0] : nil
    }

    func resolve(_ url: String, against base: String) -> String {
        URL(string: url, relativeTo: URL(string: base))?.absoluteString ?? url
    }
}
