import Foundation

/// npm's clients: `npm` reads `.npmrc` (or `NPM_CONFIG_USERCONFIG`) for its registry and the token.
public struct NpmClientConfigurator: ClientConfigurator {
    public static let formatID = "npm"
    public static let endpointPath = "npm/"

    public var formatID: String { Self.formatID }
    public var endpointPath: String { Self.endpointPath }
    public var tools: [any ClientTool] { [NpmTool()] }

    public init() {}

    public func buildVariables(endpoint: String, token: String, home: URL, trust: ClientTrust?) -> [String: String] {
        var variables = ["DEPOT_NPM_REGISTRY": endpoint]
        if let trust {
            // node adds NODE_EXTRA_CA_CERTS to its roots, but npm does not read it for its registry requests;
            // npm's cafile replaces node's roots, hence the bundle.
            variables["NODE_EXTRA_CA_CERTS"] = trust.certificate.path
            variables["NPM_CONFIG_CAFILE"] = trust.bundle.path
        }
        return variables
    }
}

/// `depot login --tool npm [--scope @x]`: the registry (or the scope's registry) and its `_authToken` in `.npmrc`.
struct NpmTool: ClientTool {
    var name: String { "npm" }

    func validate(_ options: ToolOptions) throws {
        if let scope = options.scope, !scope.hasPrefix("@") || scope.count < 2 { throw ToolOptionError("--scope must look like @name") }
    }

    func configFile(endpoint: String, token: String, options: ToolOptions) -> ClientConfigFile {
        ClientConfigFile(homePath: ".npmrc", locationVariable: "NPM_CONFIG_USERCONFIG") {
            NpmrcFile.merged(existing: $0, registryURL: endpoint, token: token, scope: options.scope)
        }
    }

    func loginSummary(endpoint: String, path: String, options: ToolOptions) -> String {
        "Wrote \(options.scope.map { "\($0) registry" } ?? "registry") \(endpoint) and its token to \(path)"
    }

    func privateCAHint(ca: String) -> String {
        "The server's certificate comes from a private CA: npm config set cafile \(ca)"
    }
}
