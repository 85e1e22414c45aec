import Foundation
import Testing

/// A PyPI tree for the upstream stand-in, laid out as pypi.org serves it: each project's Simple API page at
/// `<root>/simple/<project>/index.json` (PEP 691 JSON: name, files with filename, url, hashes.sha256,
/// requires-python, size, upload-time, yanked; PEP 700 versions) and `index.html` (PEP 503 anchors with
/// `#sha256=` and `data-requires-python`), the files themselves at `<root>/packages/<filename>`, linked by
/// absolute URLs as files.pythonhosted.org links are. Serve it with `DEPOT_PYPI_URL=<stand-in>/simple/`.
final class PyPIStandInTree: @unchecked Sendable {
    struct File {
        var filename: String
        var sha256: String
        var size: Int
        var uploadTime: Date
        var requiresPython: String?
        var yanked: Bool
    }

    let root: URL
    private let ws: Workspace
    private var projects: [String: [File]] = [:]
    private var clock = Date(timeIntervalSince1970: 1_559_383_200)  // 2019-06-01T10:00:00Z

    init(root: URL, workspace: Workspace) {
        self.root = root
        ws = workspace
    }

    /// PEP 503 normalization.
    static func normalize(_ name: String) -> String {
        name.lowercased().replacingOccurrences(of: "[-_.]+", with: "-", options: .regularExpression)
    }

    /// Project (normalized) and version of a wheel (`name-version-...whl`) or sdist (`name-version.tar.gz`).
    static func parse(_ filename: String) -> (project: String, version: String) {
        if filename.hasSuffix(".whl") {
            let parts = filename.split(separator: "-")
            return (normalize(String(parts[0])), String(parts[1]))
        }
        let stem = filename.replacingOccurrences(of: #"\.(tar\.gz|zip)$"#, with: "", options: .regularExpression)
        let dash = stem.range(of: "-", options: .backwards)!
        return (normalize(String(stem[..<dash.lowerBound])), String(stem[dash.upperBound...]))
    }

    /// Copies `file` into the tree and rewrites its project's pages. Each file gets an upload time a day and a
    /// minute after the previous one (with microseconds, as PyPI writes them).
    @discardableResult
    func add(_ file: URL, yanked: Bool = false) throws -> (project: String, version: String, filename: String) {
        let filename = file.lastPathComponent
        let (project, version) = Self.parse(filename)
        let packages = root.appendingPathComponent("packages")
        try FileManager.default.createDirectory(at: packages, withIntermediateDirectories: true)
        let target = packages.appendingPathComponent(filename)
        try? FileManager.default.removeItem(at: target)
        try FileManager.default.copyItem(at: file, to: target)
        var requiresPython: String?
        if filename.hasSuffix(".whl") {
            let metadata = try ws.wheelMetadata(target)
            requiresPython = metadata.split(separator: "\n").first { $0.hasPrefix("Requires-Python:") }
                .map { $0.dropFirst("Requires-Python:".count).trimmingCharacters(in: .whitespaces) }
        }
        clock.addTimeInterval(86_400 + 61.123456)
        let entry = File(
            filename: filename, sha256: try ws.sha256(target), size: try Data(contentsOf: target).count, uploadTime: clock,
            requiresPython: requiresPython, yanked: yanked)
        projects[project, default: []].removeAll { $0.filename == filename }
        projects[project, default: []].append(entry)
        try writePages(project)
        return (project, version, filename)
    }

    /// Adds every file in `directory` (sorted by name).
    @discardableResult
    func addAll(in directory: URL) throws -> [(project: String, version: String, filename: String)] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .sorted { $0.lastPathComponent < $1.lastPathComponent }.map { try add($0) }
    }

    /// The publish time Depot should record for `project@version` (its first file's upload time), as the
    /// management API renders it (whole seconds).
    func publishedAt(_ project: String, _ version: String) -> String? {
        let times = (projects[Self.normalize(project)] ?? []).filter { Self.parse($0.filename).version == version }.map(\.uploadTime)
        return times.min().map { $0.formatted(Date.ISO8601FormatStyle()) }
    }

    /// The files of `project` in the tree.
    func files(_ project: String) -> [File] { projects[Self.normalize(project)] ?? [] }

    private func writePages(_ project: String) throws {
        let files = (projects[project] ?? []).sorted { $0.filename < $1.filename }
        let directory = root.appendingPathComponent("simple/\(project)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let time = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        let json: [String: Any] = [
            "meta": ["api-version": "1.1", "_last-serial": files.count],
            "name": project,
            "versions": Array(Set(files.map { Self.parse($0.filename).version })).sorted(),
            "files": files.map { file -> [String: Any] in
                [
                    "filename": file.filename, "url": "{{STAND_IN_URL}}/packages/\(file.filename)",
                    "hashes": ["sha256": file.sha256], "requires-python": file.requiresPython ?? NSNull(),
                    "size": file.size, "upload-time": file.uploadTime.formatted(time), "yanked": file.yanked,
                    "core-metadata": false, "data-dist-info-metadata": false,
                ]
            },
        ]
        try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys, .withoutEscapingSlashes])
            .write(to: directory.appendingPathComponent("index.json"))
        var html = "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.1\">\n"
        html += "    <title>Links for \(project)</title>\n  </head>\n  <body>\n    <h1>Links for \(project)</h1>\n"
        for file in files {
            var attributes = "href=\"{{STAND_IN_URL}}/packages/\(file.filename)#sha256=\(file.sha256)\""
            if let requires = file.requiresPython {
                attributes += " data-requires-python=\"\(requires.replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;"))\""
            }
            if file.yanked { attributes += " data-yanked=\"\"" }
            html += "    <a \(attributes)>\(file.filename)</a><br />\n"
        }
        html += "  </body>\n</html>\n"
        try Data(html.utf8).write(to: directory.appendingPathComponent("index.html"))
    }
}

/// A Depot whose domain `acme` holds the chain `app -> team -> pypi-store(public:pypi)`, with `public:pypi`
/// pointed at a stand-in (or, with `standIn: false`, left at its default, the real https://pypi.org/simple/).
/// Needs the Python tools (`scripts/install-python-tools`).
final class PyPIUpstreamChain: @unchecked Sendable {
    let ws: Workspace
    /// The stand-in and its tree; nil for a chain made with `standIn: false`.
    let standIn: StandInRegistry!
    let tree: PyPIStandInTree!

    init(standIn useStandIn: Bool = true, environment: [String: String] = [:]) throws {
        try #require(PythonTools.shared.available, PythonTools.shared.missingMessage)
        ws = try Workspace()
        var env = environment
        if useStandIn {
            let standIn = try StandInRegistry(root: ws.root.appendingPathComponent("stand-in"))
            tree = PyPIStandInTree(root: standIn.root, workspace: ws)
            try standIn.start()
            env["DEPOT_PYPI_URL"] = standIn.url + "/simple/"
            env.merge(StandInRegistry.depotEnvironment) { given, _ in given }
            self.standIn = standIn
        } else {
            standIn = nil
            tree = nil
        }
        try ws.server.start(environment: env)
        try ws.server.createUpstreamChain(store: "pypi-store", connection: "public:pypi")
    }

    deinit { standIn?.stop() }

    /// Upstream timeout 2 s and metadata fresh for 1 s, for the tests that break the upstream.
    static let shortTimeouts = ["DEPOT_UPSTREAM_TIMEOUT": "2s", "DEPOT_METADATA_TTL": "1s"]

    /// `repository`'s simple index with the admin token as Basic password, as pip and uv take it.
    func index(_ repository: String = "app") -> String { ws.simpleIndexURL(token: ws.server.adminToken, repository: repository) }

    /// `pip install --no-cache-dir` into a fresh venv from `repository`'s index.
    func pipInstall(_ requirements: [String], venv name: String, from repository: String = "app") throws -> (PythonVenv, CommandResult) {
        let venv = try ws.makeVenv(name)
        let result = try ws.pip(venv, ["install", "--no-cache-dir", "--index-url", index(repository)] + requirements, timeout: 600)
        return (venv, result)
    }

    /// `uv pip install --no-cache` into a fresh venv (without pip) from `repository`'s index.
    func uvInstall(_ requirements: [String], venv name: String, from repository: String = "app") throws -> (PythonVenv, CommandResult) {
        let venv = try ws.makeVenv(name, withPip: false)
        let result = try ws.uv(["pip", "install", "--no-cache", "--python", venv.python, "--index-url", index(repository)] + requirements)
        return (venv, result)
    }

    /// `twine upload` of `files` to `repository` with the admin token.
    func twineUpload(_ files: [URL], to repository: String) throws -> CommandResult {
        try ws.runPython(ws.tools.twine, [
            "upload", "--verbose", "--repository-url", "\(ws.server.url)/acme/\(repository)/pypi/", "-u", "depot", "-p", ws.server.adminToken,
        ] + files.map(\.path))
    }

    /// `repository`'s project page for `project` as PEP 691 JSON, fetched with curl and the admin token.
    func jsonPage(_ project: String, in repository: String = "app") throws -> HTTPReply {
        try ws.curl(
            "GET", "/acme/\(repository)/pypi/simple/\(project)/", user: "x:\(ws.server.adminToken)",
            headers: ["Accept: application/vnd.pypi.simple.v1+json"])
    }

    /// A management API call on domain `acme` with the admin token.
    func api(_ method: String, _ path: String, json: [String: Any]? = nil) async throws -> (status: Int, body: [String: Any]) {
        try await ws.server.managementAPI(method, "/api/v1/domains/acme" + path, json: json)
    }

    /// `GET .../repositories/{repo}/packages/pypi/{project}/versions/{v}`.
    func version(_ version: String, of project: String, in repository: String) async throws -> (status: Int, body: [String: Any]) {
        try await api("GET", "/repositories/\(repository)/packages/pypi/\(PyPIStandInTree.normalize(project))/versions/\(version)")
    }

    /// Expects `project@version` recorded in app, team and pypi-store as fetched from public:pypi, with
    /// `publishedAt` when given.
    func expectExternal(_ project: String, _ version: String, publishedAt: String?, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for repository in ["app", "team", "pypi-store"] {
            let (status, body) = try await self.version(version, of: project, in: repository)
            #expect(status == 200, "\(project) \(version) in \(repository): \(status) \(body)", sourceLocation: sourceLocation)
            let origin = body["origin"] as? [String: Any] ?? [:]
            #expect(origin["type"] as? String == "EXTERNAL", "\(project) \(version) in \(repository): \(body)", sourceLocation: sourceLocation)
            #expect(origin["repository"] as? String == "public:pypi", "\(project) \(version) in \(repository): \(body)", sourceLocation: sourceLocation)
            if let publishedAt {
                #expect(body["publishedAt"] as? String == publishedAt, "\(project) \(version) in \(repository): \(body)", sourceLocation: sourceLocation)
            }
        }
    }

    /// Name and version of every distribution installed in `venv` (pip and the standard library's own excluded).
    func installed(_ venv: PythonVenv) throws -> [String: String] {
        let script = """
            import importlib.metadata as m
            for d in m.distributions():
                print(d.metadata['Name'], d.version)
            """
        let listed = try ws.runPython(venv.python, ["-c", script])
        #expect(listed.succeeded, "\(listed.output)")
        var result: [String: String] = [:]
        for line in listed.stdout.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2 else { continue }
            let name = PyPIStandInTree.normalize(String(parts[0]))
            if ["pip", "setuptools"].contains(name) { continue }
            result[name] = String(parts[1])
        }
        return result
    }
}

extension DepotProcess {
    /// Domain `acme` with the chain `app -> team -> <store>(<connection>)`.
    func createUpstreamChain(store: String, connection: String) throws {
        let steps = [
            ["domain", "create", "acme"], ["repo", "create", "--domain", "acme", store, "--external-connection", connection],
            ["repo", "create", "--domain", "acme", "team", "--upstream", store], ["repo", "create", "--domain", "acme", "app", "--upstream", "team"],
        ]
        for step in steps {
            let result = try cli(step)
            #expect(result.succeeded, "depot \(step.joined(separator: " ")): \(result.output)")
        }
    }

    /// A management API call with the admin token, `json` sent as the body; the answer decoded as a JSON
    /// object (empty when it is not one).
    func managementAPI(_ method: String, _ path: String, json: [String: Any]? = nil) async throws -> (status: Int, body: [String: Any]) {
        var headers: [String: String] = [:]
        var body: Data?
        if let json {
            body = try JSONSerialization.data(withJSONObject: json)
            headers["Content-Type"] = "application/json"
        }
        let response = try await request(method, path, token: adminToken, body: body, headers: headers)
        let object = try? JSONSerialization.jsonObject(with: response.body)
        return (response.status, object as? [String: Any] ?? [:])
    }
}
