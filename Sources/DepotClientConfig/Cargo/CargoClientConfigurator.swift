import Foundation

/// Cargo: a registry named `depot` whose sparse index is the repository's `cargo/` URL. Crates depend on it with
/// `registry = "depot"` and publish with `cargo publish --registry depot`.
public struct CargoClientConfigurator: ClientConfigurator {
    public static let formatID = "cargo"
    public static let endpointPath = "cargo/"
    /// The name Depot's registry gets in Cargo's configuration.
    public static let registryName = "depot"
    /// Cargo sends a token to a registry that requires one only through a configured credential provider;
    /// `cargo:token` reads the token from the configuration (or `CARGO_REGISTRIES_DEPOT_TOKEN`).
    public static let credentialProvider = "cargo:token"

    public var formatID: String { Self.formatID }
    public var endpointPath: String { Self.endpointPath }
    public var tools: [any ClientTool] { [CargoTool()] }

    public init() {}

    /// Cargo's index URL for a repository's endpoint: the sparse protocol, one trailing slash.
    public static func indexURL(endpoint: String) -> String {
        "sparse+" + (endpoint.hasSuffix("/") ? endpoint : endpoint + "/")
    }

    /// Cargo reads any configuration key from `CARGO_<KEY>`, so a build needs no file: the registry's index and
    /// token, and the CA bundle (Cargo's `http.cainfo` replaces its roots, hence the bundle).
    public func buildVariables(endpoint: String, token: String, home: URL, trust: ClientTrust?) -> [String: String] {
        var variables = [
            "DEPOT_CARGO_INDEX": Self.indexURL(endpoint: endpoint),
            "CARGO_REGISTRIES_DEPOT_INDEX": Self.indexURL(endpoint: endpoint),
            "CARGO_REGISTRIES_DEPOT_TOKEN": token,
            "CARGO_REGISTRIES_DEPOT_CREDENTIAL_PROVIDER": Self.credentialProvider,
        ]
        if let trust { variables["CARGO_HTTP_CAINFO"] = trust.bundle.path }
        return variables
    }
}

/// `depot login --tool cargo`: `[registries.depot]` with the index, the token and the provider that sends it in
/// `~/.cargo/config.toml`
/// (written 0600). Cargo reads a token from any of its configuration files; `credentials.toml` is only where
/// `cargo login` puts it, and one tool writes one file.
struct CargoTool: ClientTool {
    var name: String { "cargo" }

    func configFile(endpoint: String, token: String, options: ToolOptions) -> ClientConfigFile {
        let index = CargoClientConfigurator.indexURL(endpoint: endpoint)
        return ClientConfigFile(homePath: ".cargo/config.toml") {
            try CargoConfigFile.merged(
                existing: $0, table: "registries.\(CargoClientConfigurator.registryName)", values: ["index": index, "token": token, "credential-provider": CargoClientConfigurator.credentialProvider])
        }
    }

    func loginSummary(endpoint: String, path: String, options: ToolOptions) -> String {
        "Wrote registry \(CargoClientConfigurator.registryName) (index \(CargoClientConfigurator.indexURL(endpoint: endpoint))) and its token to \(path); "
            + "use registry = \"\(CargoClientConfigurator.registryName)\" in dependencies and cargo publish --registry \(CargoClientConfigurator.registryName)"
    }

    func privateCAHint(ca: String) -> String {
        "The server's certificate comes from a private CA: export CARGO_HTTP_CAINFO=\(ca) (a bundle with the system's roots and the CA)"
    }
}
