import Foundation

/// SwiftPM's registry client: `swift package-registry set --global <url>` and `login` write the default registry
/// and a token authentication entry to `registries.json`; on Linux the token itself goes to `~/.netrc`, which
/// SwiftPM reads for the registry's host (there is no keychain).
public struct SwiftRegistryClientConfigurator: ClientConfigurator {
    public static let formatID = "swift"
    public static let endpointPath = "swift/"

    public var formatID: String { Self.formatID }
    public var endpointPath: String { Self.endpointPath }
    public var tools: [any ClientTool] { [SwiftRegistryTool(), SwiftNetrcTool()] }

    public init() {}

    /// The registry URL SwiftPM is given: the endpoint without its trailing slash, since SwiftPM appends
    /// `/{scope}/{name}` to it and its login path is the URL's own path.
    public static func registryURL(endpoint: String) -> String {
        endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
    }

    /// SwiftPM on Linux (Foundation's URLSession over libcurl) reads only the system's CA bundle and no variable
    /// names another, so a private CA is not wired here: the build host must trust it.
    public func buildVariables(endpoint: String, token: String, home: URL, trust: ClientTrust?) -> [String: String] {
        ["DEPOT_SWIFT_REGISTRY": Self.registryURL(endpoint: endpoint)]
    }

    /// A build's HOME also gets `registries.json` where SwiftPM looks when `XDG_CONFIG_HOME` is set (the build
    /// environment sets it to `$HOME/.config`).
    public func buildFiles(endpoint: String, token: String) -> [ClientConfigFile] {
        let files = SwiftRegistryTool().configFiles(endpoint: endpoint, token: token, options: ToolOptions())
        return files + files.prefix(1).map { ClientConfigFile(homePath: ".config/swiftpm/configuration/registries.json", edit: $0.edit) }
    }

    static let privateCAHint =
        "The server's certificate comes from a private CA, and SwiftPM on Linux trusts only the system's CA bundle: "
        + "add the CA there (e.g. copy it to /usr/local/share/ca-certificates/ and run update-ca-certificates)"
}

/// `depot login --tool swift`: the default registry and its token authentication in SwiftPM's `registries.json`.
struct SwiftRegistryTool: ClientTool {
    var name: String { "swift" }

    func configFile(endpoint: String, token: String, options: ToolOptions) -> ClientConfigFile {
        let registry = SwiftRegistryClientConfigurator.registryURL(endpoint: endpoint)
        return ClientConfigFile(homePath: ".swiftpm/configuration/registries.json") {
            try SwiftRegistriesFile.merged(existing: $0, registryURL: registry)
        }
    }

    /// With the token in `~/.netrc` too: SwiftPM on Linux reads it there for the registry's host.
    func configFiles(endpoint: String, token: String, options: ToolOptions) -> [ClientConfigFile] {
        [
            configFile(endpoint: endpoint, token: token, options: options),
            SwiftNetrcTool().configFile(endpoint: endpoint, token: token, options: options),
        ]
    }

    func loginSummary(endpoint: String, path: String, options: ToolOptions) -> String {
        "Wrote the default registry \(SwiftRegistryClientConfigurator.registryURL(endpoint: endpoint)) (token authentication) to \(path) "
            + "and its token to ~/.netrc"
            + "the token goes to ~/.netrc with: depot login --tool swift-netrc"
    }

    func privateCAHint(ca: String) -> String { SwiftRegistryClientConfigurator.privateCAHint + ": \(ca)" }
}

/// `depot login --tool swift-netrc`: the token as the password of the registry host's `~/.netrc` machine entry,
/// where SwiftPM looks for it on Linux.
struct SwiftNetrcTool: ClientTool {
    var name: String { "swift-netrc" }

    func configFile(endpoint: String, token: String, options: ToolOptions) -> ClientConfigFile {
        let host = URL(string: endpoint)?.host ?? ""
        return ClientConfigFile(homePath: ".netrc", locationVariable: nil) {
            try NetrcFile.merged(existing: $0, machine: host, login: "token", password: token)
        }
    }

    func loginSummary(endpoint: String, path: String, options: ToolOptions) -> String {
        "Wrote a token for \(URL(string: endpoint)?.host ?? endpoint) to \(path)"
    }

    func privateCAHint(ca: String) -> String { SwiftRegistryClientConfigurator.privateCAHint + ": \(ca)" }
}
