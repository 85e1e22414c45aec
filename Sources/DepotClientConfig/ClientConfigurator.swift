import Foundation

/// How the clients of one package format are pointed at a Depot repository: the format's URL below the
/// repository, the tools `depot login --tool` configures, and what a build's HOME needs beyond their files.
/// `depot login` and the build wiring iterate over the configurators; neither names a format.
public protocol ClientConfigurator: Sendable {
    /// The format these clients speak (`npm`, `pypi`, `maven`): the `format` of `GET .../endpoint?format=`.
    var formatID: String { get }
    /// Where the clients point, below `/{domain}/{repo}/`: `npm/`, `pypi/simple/`, `maven/`.
    var endpointPath: String { get }
    /// The tools of the format, in the order `depot login --help` lists them and builds write their files.
    var tools: [any ClientTool] { get }
    /// The variables a build gets for this format besides the locations of its tools' files: the format's URLs
    /// (`DEPOT_NPM_REGISTRY`, ...), settings its clients read from the environment, and how they trust `trust`.
    func buildVariables(endpoint: String, token: String, home: URL, trust: ClientTrust?) -> [String: String]
    /// Writes what the format's clients need to trust a private CA beyond the shared files (default: nothing).
    func prepareTrust(_ trust: ClientTrust)
    /// The files a build's HOME gets (default: every tool's files, each pointing at `endpoint` with `token`).
    func buildFiles(endpoint: String, token: String) -> [ClientConfigFile]
}

extension ClientConfigurator {
    public func prepareTrust(_ trust: ClientTrust) {}

    public func buildFiles(endpoint: String, token: String) -> [ClientConfigFile] {
        tools.flatMap { $0.configFiles(endpoint: endpoint, token: token, options: ToolOptions()) }
    }
}

/// One client program that `depot login --tool` configures: npm, pip, uv, twine, maven.
public protocol ClientTool: Sendable {
    /// The name `--tool` takes (and the name the listings show).
    var name: String { get }
    /// Other names `--tool` accepts (`mvn`).
    var aliases: [String] { get }
    /// Rejects options the tool cannot use, before a token is minted (default: any).
    func validate(_ options: ToolOptions) throws
    /// The file that points the tool at `endpoint` (the format's URL of the repository) with `token`.
    func configFile(endpoint: String, token: String, options: ToolOptions) -> ClientConfigFile
    /// Every file `depot login` writes for the tool: `configFile` first, then any the tool also needs (SwiftPM's token
    /// lives in `~/.netrc`, beside `registries.json`). Default: `configFile` alone.
    func configFiles(endpoint: String, token: String, options: ToolOptions) -> [ClientConfigFile]
    /// What `depot login` says once the file is written at `path`.
    func loginSummary(endpoint: String, path: String, options: ToolOptions) -> String
    /// How to make the tool trust a private CA: the file names the https URL, trust stays with each client.
    func privateCAHint(ca: String) -> String
}

extension ClientTool {
    public var aliases: [String] { [] }

    public func configFiles(endpoint: String, token: String, options: ToolOptions) -> [ClientConfigFile] {
        [configFile(endpoint: endpoint, token: token, options: options)]
    }
    public func validate(_ options: ToolOptions) throws {}
}

/// What `depot login` passes on to a tool besides the URL and the token.
public struct ToolOptions: Sendable, Equatable {
    /// A package scope to route to Depot instead of the tool's default registry (npm's `@scope`).
    public var scope: String?

    public init(scope: String? = nil) {
        self.scope = scope
    }
}

/// Options a tool cannot use; `depot login` reports the message.
public struct ToolOptionError: Error, CustomStringConvertible, Equatable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// A private CA the clients of a build must trust, as the build wiring copied it into the build's HOME.
public struct ClientTrust: Sendable, Equatable {
    /// The CA alone (PEM).
    public var certificate: URL
    /// The system's roots followed by the CA (PEM): for clients that replace their roots with the file they are given.
    public var bundle: URL
    /// Where a format may add trust files of its own (Java's truststore).
    public var directory: URL

    public init(certificate: URL, bundle: URL, directory: URL) {
        self.certificate = certificate
        self.bundle = bundle
        self.directory = directory
    }
}
