import DepotClientConfig

/// One Depot repository as a build reaches it, from the server's public URL (see DESIGN.md "URLs").
public struct RegistryEndpoints: Sendable, Equatable {
    public var serverURL: String
    public var domain: String
    public var repository: String
    /// PEM file of a private CA that issued an https server's certificate; the build's clients are told to trust it.
    /// Nil when the system's roots suffice (plain http, or a certificate from a public CA).
    public var caCertificatePath: String?

    public init(serverURL: String, domain: String, repository: String, caCertificatePath: String? = nil) {
        self.serverURL = serverURL.hasSuffix("/") ? String(serverURL.dropLast()) : serverURL
        self.domain = domain
        self.repository = repository
        self.caCertificatePath = caCertificatePath
    }

    /// The repository's URL for one format's clients: `<server>/<domain>/<repo>/npm/`, `.../pypi/simple/`, ...
    public func url(for client: any ClientConfigurator) -> String {
        "\(serverURL)/\(domain)/\(repository)/\(client.endpointPath)"
    }
}
