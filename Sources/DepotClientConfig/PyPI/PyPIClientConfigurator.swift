import Foundation

/// PyPI's clients: pip and uv install from the simple index (credentials in its URL), twine uploads to the
/// repository's `/pypi/` URL.
public struct PyPIClientConfigurator: ClientConfigurator {
    public static let formatID = "pypi"
    public static let endpointPath = "pypi/simple/"

    public var formatID: String { Self.formatID }
    public var endpointPath: String { Self.endpointPath }
    public var tools: [any ClientTool] { [PipTool(), UvTool(), TwineTool()] }

    public init() {}

    /// The upload URL (`.../pypi/`) of a simple index URL (`.../pypi/simple/`).
    static func uploadURL(index: String) -> String {
        index.hasSuffix("simple/") ? String(index.dropLast("simple/".count)) : index
    }

    public func buildVariables(endpoint: String, token: String, home: URL, trust: ClientTrust?) -> [String: String] {
        let upload = Self.uploadURL(index: endpoint)
        var variables = [
            "DEPOT_PYPI_INDEX": endpoint,
            "DEPOT_PYPI_UPLOAD_URL": upload,
            // `twine upload dist/*` with no -r would go to pypi.org; these send it to Depot.
            "TWINE_REPOSITORY_URL": upload,
            "TWINE_USERNAME": "depot",
            "TWINE_PASSWORD": token,
        ]
        if let trust {
            // pip and twine (requests) replace their roots with the file they are given.
            variables["PIP_CERT"] = trust.bundle.path
            variables["REQUESTS_CA_BUNDLE"] = trust.bundle.path
        }
        return variables
    }
}

/// `depot login --tool pip`: `index-url` with the token in `pip.conf`.
struct PipTool: ClientTool {
    var name: String { "pip" }

    func configFile(endpoint: String, token: String, options: ToolOptions) -> ClientConfigFile {
        let index = PyPIClientConfig.withCredentials(endpoint, token: token)
        return ClientConfigFile(homePath: ".config/pip/pip.conf", locationVariable: "PIP_CONFIG_FILE") {
            PyPIClientConfig.pipConf(existing: $0, indexURL: index)
        }
    }

    func loginSummary(endpoint: String, path: String, options: ToolOptions) -> String {
        "Wrote index-url \(endpoint) (with a token) to \(path)"
    }

    func privateCAHint(ca: String) -> String {
        "The server's certificate comes from a private CA: pip config set global.cert \(ca) (or PIP_CERT)"
    }
}

/// `depot login --tool uv`: a default `[[index]]` named depot, with the token, in `uv.toml`.
struct UvTool: ClientTool {
    var name: String { "uv" }

    func configFile(endpoint: String, token: String, options: ToolOptions) -> ClientConfigFile {
        let index = PyPIClientConfig.withCredentials(endpoint, token: token)
        return ClientConfigFile(homePath: ".config/uv/uv.toml", locationVariable: "UV_CONFIG_FILE") {
            PyPIClientConfig.uvToml(existing: $0, name: "depot", indexURL: index)
        }
    }

    func loginSummary(endpoint: String, path: String, options: ToolOptions) -> String {
        "Wrote index depot \(endpoint) (with a token) to \(path)"
    }

    func privateCAHint(ca: String) -> String {
        "The server's certificate comes from a private CA: export SSL_CERT_FILE=\(ca)"
    }
}

/// `depot login --tool twine`: a `[depot]` repository with the token in `.pypirc`.
struct TwineTool: ClientTool {
    var name: String { "twine" }

    func configFile(endpoint: String, token: String, options: ToolOptions) -> ClientConfigFile {
        let upload = PyPIClientConfigurator.uploadURL(index: endpoint)
        return ClientConfigFile(homePath: ".pypirc") {
            PyPIClientConfig.pypirc(existing: $0, section: "depot", repositoryURL: upload, token: token)
        }
    }

    func loginSummary(endpoint: String, path: String, options: ToolOptions) -> String {
        "Wrote repository depot \(PyPIClientConfigurator.uploadURL(index: endpoint)) to \(path); upload with: twine upload -r depot dist/*"
    }

    func privateCAHint(ca: String) -> String {
        "The server's certificate comes from a private CA: twine upload --cert \(ca) (and REQUESTS_CA_BUNDLE=\(ca))"
    }
}
