import Foundation
import Testing

/// The Python clients the PyPI end-to-end tests drive (python, pip, twine, uv, build), installed by
/// `scripts/install-python-tools` into a virtualenv; `scripts/test` exports its `bin` as `DEPOT_PYTHON_TOOLS`.
struct PythonTools: Sendable {
    let bin: URL

    static let shared = PythonTools()

    init() {
        if let configured = ProcessInfo.processInfo.environment["DEPOT_PYTHON_TOOLS"], !configured.isEmpty {
            bin = URL(fileURLWithPath: configured)
        } else {
            bin = Self.packageRoot.appendingPathComponent(".build/python-tools/bin")
        }
    }

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    var python: String { bin.appendingPathComponent("python").path }
    var twine: String { bin.appendingPathComponent("twine").path }
    var uv: String { bin.appendingPathComponent("uv").path }

    /// Whether python, twine and uv are all there; tests `#require` it with a message naming the fix.
    var available: Bool {
        [python, twine, uv].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
    }

    var missingMessage: Comment {
        "Python tools not found in \(bin.path): run scripts/install-python-tools (or set DEPOT_PYTHON_TOOLS to its bin directory)"
    }

    /// A cheap probe of the public index, evaluated once: the tests that download real distributions skip without it.
    static let pypiReachable: Bool = {
        guard let result = try? Command.run(
            "curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "15", "https://pypi.org/simple/six/"],
            timeout: 30)
        else { return false }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "200"
    }()

    /// Variables of the calling environment that would point the clients somewhere else than the workspace:
    /// extra indexes and find-links (this machine sets PIP_FIND_LINKS), twine credentials, an active venv.
    static let leakingVariables = [
        "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_NO_INDEX", "PIP_CONFIG_FILE", "PIP_REQUIRE_VIRTUALENV",
        "PIP_USER", "PIP_TARGET", "PIP_PREFIX", "PIP_CONSTRAINT", "PIP_REQUIREMENT", "PIP_ONLY_BINARY", "PIP_NO_BINARY",
        "PIP_PRE", "PIP_NO_DEPS", "PIP_NO_BUILD_ISOLATION", "PIP_BREAK_SYSTEM_PACKAGES",
        "UV_INDEX", "UV_INDEX_URL", "UV_DEFAULT_INDEX", "UV_EXTRA_INDEX_URL", "UV_FIND_LINKS", "UV_CONFIG_FILE",
        "UV_NO_CONFIG", "UV_PYTHON", "UV_SYSTEM_PYTHON", "UV_OFFLINE", "UV_NO_BINARY", "UV_NO_BUILD_ISOLATION",
        "UV_INDEX_STRATEGY", "UV_KEYRING_PROVIDER",
        "TWINE_USERNAME", "TWINE_PASSWORD", "TWINE_REPOSITORY", "TWINE_REPOSITORY_URL", "TWINE_CERT",
        "VIRTUAL_ENV", "CONDA_PREFIX", "PYTHONPATH", "PYTHONHOME", "PYTHONUSERBASE", "PYTHONSTARTUP",
    ]
}

/// A virtualenv created for one install.
struct PythonVenv {
    let root: URL
    var python: String { root.appendingPathComponent("bin/python").path }
    var pip: String { root.appendingPathComponent("bin/pip").path }
}

/// A response seen by curl: status, lower-cased headers (last value wins), body.
struct HTTPReply {
    var status: Int
    var headers: [String: String]
    var body: Data
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: [String: Any]? { try? JSONSerialization.jsonObject(with: body) as? [String: Any] }
}

/// One `<a>` of a PEP 503 page: its text (the filename), its href and its other attributes (HTML-unescaped).
struct SimpleAnchor {
    var text: String
    var href: String
    var attributes: [String: String]
}

extension Workspace {
    var tools: PythonTools { .shared }

    /// Environment for pip, uv, twine and python: HOME and XDG_CONFIG_HOME inside the workspace (so the real
    /// `~/.config/pip/pip.conf` and `~/.pypirc` are never read), pip's config file at `<root>/pip/pip.conf`
    /// (what `depot login --tool pip` writes when `PIP_CONFIG_FILE` is set), private caches, no prompts.
    func pythonEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = [
            "HOME": home.path, "XDG_CONFIG_HOME": home.appendingPathComponent(".config").path,
            "PIP_CONFIG_FILE": pipConfigFile.path,
            "PIP_CACHE_DIR": root.appendingPathComponent("pip-cache").path,
            "UV_CACHE_DIR": root.appendingPathComponent("uv-cache").path,
            "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1", "PIP_PROGRESS_BAR": "off",
            "UV_PYTHON_DOWNLOADS": "never", "UV_NO_PROGRESS": "1",
            "TWINE_NON_INTERACTIVE": "1", "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
            "PYTHONDONTWRITEBYTECODE": "1", "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "200",
        ]
        for (key, value) in extra { environment[key] = value }
        return environment
    }

    var pipConfigFile: URL { root.appendingPathComponent("pip/pip.conf") }
    var userPipConfigFile: URL { home.appendingPathComponent(".config/pip/pip.conf") }
    var userUVConfigFile: URL { home.appendingPathComponent(".config/uv/uv.toml") }
    var pypirc: URL { home.appendingPathComponent(".pypirc") }

    /// Runs `executable` with the Python environment, after removing the caller's variables that could leak in.
    /// `unset` names more variables to remove (e.g. PIP_CONFIG_FILE to see the default config location).
    @discardableResult
    func runPython(
        _ executable: String, _ arguments: [String], in directory: URL? = nil, environment extra: [String: String] = [:],
        unset: [String] = [], timeout: TimeInterval = 300
    ) throws -> CommandResult {
        var environment = pythonEnvironment(extra)
        for name in unset { environment.removeValue(forKey: name) }
        let removed = (PythonTools.leakingVariables + unset).filter { environment[$0] == nil }
        let prefix = Set(removed).sorted().flatMap { ["-u", $0] }
        return try Command.run("env", prefix + [executable] + arguments, in: directory ?? root, environment: environment, timeout: timeout)
    }

    @discardableResult
    func twine(_ arguments: [String], in directory: URL? = nil) throws -> CommandResult {
        try runPython(tools.twine, arguments, in: directory)
    }

    @discardableResult
    func uv(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> CommandResult {
        try runPython(tools.uv, arguments, in: directory, environment: environment)
    }

    /// A fresh virtualenv under the workspace root (`python -m venv`, pip included unless `withPip` is false).
    func makeVenv(_ name: String, withPip: Bool = true) throws -> PythonVenv {
        let venv = PythonVenv(root: root.appendingPathComponent(name))
        let created = try runPython(tools.python, ["-m", "venv"] + (withPip ? [] : ["--without-pip"]) + [venv.root.path])
        #expect(created.succeeded, "python -m venv \(name): \(created.output)")
        return venv
    }

    /// Runs the venv's pip (`python -m pip`, so a venv path with odd characters never matters).
    @discardableResult
    func pip(_ venv: PythonVenv, _ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 300) throws -> CommandResult {
        try runPython(venv.python, ["-m", "pip"] + arguments, environment: environment, timeout: timeout)
    }

    /// The version of `distribution` installed in `venv`, or nil.
    func installedVersion(_ venv: PythonVenv, _ distribution: String) throws -> String? {
        let result = try runPython(
            venv.python, ["-c", "import importlib.metadata as m, sys; print(m.version(sys.argv[1]))", distribution])
        return result.succeeded ? result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }

    /// `http://127.0.0.1:PORT` without the scheme.
    var serverHostPort: String {
        server.url.replacingOccurrences(of: "http://", with: "").replacingOccurrences(of: "https://", with: "")
    }

    /// The index URL with the token as Basic password, as pip and uv take it.
    func simpleIndexURL(token: String, domain: String = "acme", repository: String = "main") -> String {
        "http://depot:\(token)@\(serverHostPort)/\(domain)/\(repository)/pypi/simple/"
    }

    /// Starts the server and creates domain and repository, without any client login.
    func setUpPyPIRepository(domain: String = "acme", repository: String = "main") throws {
        try server.start()
        let created = try server.cli(["domain", "create", domain])
        #expect(created.succeeded, "\(created.output)")
        let repo = try server.cli(["repo", "create", "--domain", domain, repository, "--description", "pypi e2e"])
        #expect(repo.succeeded, "\(repo.output)")
    }

    /// `depot login --tool <tool>` with this workspace's HOME; `environment` adds PIP_CONFIG_FILE / UV_CONFIG_FILE.
    @discardableResult
    func depotLogin(
        tool: String, domain: String = "acme", repository: String = "main", environment extra: [String: String] = [:]
    ) throws -> CommandResult {
        var environment = ["HOME": home.path, "XDG_CONFIG_HOME": home.appendingPathComponent(".config").path]
        environment["DEPOT_URL"] = server.url
        environment["DEPOT_TOKEN"] = server.adminToken
        for (key, value) in extra { environment[key] = value }
        let removed = ["PIP_CONFIG_FILE", "UV_CONFIG_FILE"].filter { environment[$0] == nil }.flatMap { ["-u", $0] }
        return try Command.run(
            "env", removed + [DepotProcess.binary, "login", "--tool", tool, "--domain", domain, "--repo", repository],
            in: root, environment: environment)
    }

    // MARK: Projects and distributions

    /// Writes a setuptools project (`pyproject.toml`, README, one package, by default named like the project with `_`).
    func makePythonProject(
        _ name: String, version: String, dependencies: [String] = [], source: String, module: String? = nil,
        directoryName: String? = nil
    ) throws -> URL {
        let module = module ?? name.replacingOccurrences(of: "-", with: "_")
        let dir = try directory(directoryName ?? "py-\(name)-\(version)-\(UUID().uuidString.prefix(6))")
        let deps = dependencies.map { "\"\($0)\"" }.joined(separator: ", ")
        let pyproject = """
            [build-system]
            requires = ["setuptools>=61"]
            build-backend = "setuptools.build_meta"

            [project]
            name = "\(name)"
            version = "\(version)"
            description = "\(name) for Depot's end-to-end tests"
            readme = "README.md"
            requires-python = ">=3.8"
            dependencies = [\(deps)]

            [tool.setuptools]
            packages = ["\(module)"]

            """
        try Data(pyproject.utf8).write(to: dir.appendingPathComponent("pyproject.toml"))
        try Data("# \(name)\n\nA package for Depot's tests.\n".utf8).write(to: dir.appendingPathComponent("README.md"))
        let package = dir.appendingPathComponent(module)
        try FileManager.default.createDirectory(at: package, withIntermediateDirectories: true)
        try Data(source.utf8).write(to: package.appendingPathComponent("__init__.py"))
        return dir
    }

    /// Builds an sdist and a wheel with `python -m build --no-isolation` (the tools venv has setuptools, so
    /// nothing is fetched from any index) and returns them, sdist first.
    func buildDistributions(_ project: URL) throws -> [URL] {
        let dist = project.appendingPathComponent("dist")
        let built = try runPython(tools.python, ["-m", "build", "--no-isolation", "--outdir", dist.path, project.path], in: project)
        #expect(built.succeeded, "python -m build \(project.lastPathComponent): \(built.output)")
        let files = try FileManager.default.contentsOfDirectory(at: dist, includingPropertiesForKeys: nil)
            .sorted { ($0.pathExtension == "gz" ? 0 : 1, $0.lastPathComponent) < ($1.pathExtension == "gz" ? 0 : 1, $1.lastPathComponent) }
        #expect(files.count == 2, "expected an sdist and a wheel in \(dist.path): \(files.map(\.lastPathComponent))")
        return files
    }

    /// Runs a small Python program with the tools' python (zip and tar handling the tests need).
    @discardableResult
    func pythonScript(_ script: String, _ arguments: [String]) throws -> CommandResult {
        try runPython(tools.python, ["-c", script] + arguments)
    }

    /// The METADATA file inside a wheel.
    func wheelMetadata(_ wheel: URL) throws -> String {
        let script = """
            import sys, zipfile
            z = zipfile.ZipFile(sys.argv[1])
            names = [n for n in z.namelist() if n.count('/') == 1 and n.endswith('.dist-info/METADATA')]
            sys.stdout.write(z.read(names[0]).decode('utf-8'))
            """
        let result = try pythonScript(script, [wheel.path])
        #expect(result.succeeded, "\(result.output)")
        return result.stdout
    }

    // MARK: Hashes and HTTP

    func sha256(_ file: URL) throws -> String {
        let result = try Command.run("sha256sum", [file.path])
        return String(result.stdout.prefix(while: { !$0.isWhitespace }))
    }

    func sha256(_ data: Data) throws -> String {
        let file = root.appendingPathComponent("hash-\(UUID().uuidString)")
        try data.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return try sha256(file)
    }

    /// A request with curl (`--path-as-is`, no redirects followed). `user` is sent as HTTP Basic (`name:token`);
    /// `bodyFile` is posted as is with `--data-binary @file`.
    func curl(
        _ method: String = "GET", _ pathOrURL: String, user: String? = nil, headers: [String] = [], bodyFile: URL? = nil,
        timeout: Int = 60
    ) throws -> HTTPReply {
        let scratch = root.appendingPathComponent("curl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let headerFile = scratch.appendingPathComponent("headers")
        let bodyOut = scratch.appendingPathComponent("body")
        var arguments = [
            "-s", "-S", "--path-as-is", "--max-time", "\(timeout)", "-X", method, "-D", headerFile.path, "-o", bodyOut.path,
            "-w", "%{http_code}", "-H", "Expect:",
        ]
        if let user { arguments += ["-u", user] }
        for header in headers { arguments += ["-H", header] }
        if let bodyFile { arguments += ["--data-binary", "@\(bodyFile.path)"] }
        arguments.append(pathOrURL.hasPrefix("http") ? pathOrURL : server.url + pathOrURL)
        let result = try Command.run("curl", arguments, timeout: TimeInterval(timeout + 10))
        var fields: [String: String] = [:]
        let rawHeaders = (try? String(contentsOf: headerFile, encoding: .utf8)) ?? ""
        for line in rawHeaders.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return HTTPReply(
            status: Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1, headers: fields,
            body: (try? Data(contentsOf: bodyOut)) ?? Data())
    }

    /// Regular files anywhere under the server's blob store (none when it does not exist).
    func blobFiles() -> [String] {
        let blobs = server.storage.appendingPathComponent("blobs")
        guard let enumerator = FileManager.default.enumerator(at: blobs, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var files: [String] = []
        for case let url as URL in enumerator where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            files.append(url.path)
        }
        return files
    }

    /// `depot package list --format pypi --json`: the package names listed.
    func pypiPackageNames(domain: String = "acme", repository: String = "main") throws -> [String]? {
        let result = try server.cli(["package", "list", "--domain", domain, "--repo", repository, "--format", "pypi", "--json"])
        guard result.succeeded,
            let object = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
            let packages = object["packages"] as? [[String: Any]]
        else { return nil }
        return packages.compactMap { ($0["package"] ?? $0["name"]) as? String }
    }
}

enum SimpleHTML {
    /// The anchors of a PEP 503 page.
    static func anchors(_ html: String) -> [SimpleAnchor] {
        let anchor = try! NSRegularExpression(pattern: #"<a\s([^>]*)>([^<]*)</a>"#, options: [.caseInsensitive])
        let attribute = try! NSRegularExpression(pattern: #"([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*"([^"]*)""#)
        let range = NSRange(html.startIndex..., in: html)
        return anchor.matches(in: html, range: range).compactMap { match in
            guard let attrRange = Range(match.range(at: 1), in: html), let textRange = Range(match.range(at: 2), in: html) else { return nil }
            let attrs = String(html[attrRange])
            var values: [String: String] = [:]
            for found in attribute.matches(in: attrs, range: NSRange(attrs.startIndex..., in: attrs)) {
                guard let key = Range(found.range(at: 1), in: attrs), let value = Range(found.range(at: 2), in: attrs) else { continue }
                values[attrs[key].lowercased()] = unescape(String(attrs[value]))
            }
            return SimpleAnchor(
                text: unescape(String(html[textRange]).trimmingCharacters(in: .whitespacesAndNewlines)), href: values["href"] ?? "",
                attributes: values)
        }
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&#x27;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
    }
}

/// A multipart/form-data body written by hand, so tests control every byte (odd filenames, truncation).
struct MultipartBody {
    let boundary = "depot-e2e-\(UUID().uuidString)"
    private(set) var data = Data()

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    mutating func field(_ name: String, _ value: String) {
        data.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
    }

    mutating func file(_ name: String, filename: String, contents: Data) {
        data.append(Data(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8))
        data.append(contents)
        data.append(Data("\r\n".utf8))
    }

    func finished() -> Data { data + Data("--\(boundary)--\r\n".utf8) }

    /// The fields twine's legacy upload sends for one file.
    static func upload(
        name: String, version: String, filename: String, contents: Data, sha256: String, filetype: String? = nil,
        metadataVersion: String = "2.1", omitContent: Bool = false
    ) -> MultipartBody {
        var body = MultipartBody()
        let type = filetype ?? (filename.hasSuffix(".whl") ? "bdist_wheel" : "sdist")
        body.field(":action", "file_upload")
        body.field("protocol_version", "1")
        body.field("name", name)
        body.field("version", version)
        body.field("filetype", type)
        body.field("pyversion", type == "bdist_wheel" ? "py3" : "source")
        body.field("metadata_version", metadataVersion)
        body.field("summary", "bad input for Depot")
        body.field("sha256_digest", sha256)
        if !omitContent { body.file("content", filename: filename, contents: contents) }
        return body
    }
}
