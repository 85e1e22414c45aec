/// The URLs of one Depot repository for each client, from the server's public URL (see DESIGN.md "URLs").
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

    private var base: String { "\(serverURL)/\(domain)/\(repository)" }
    public var npmRegistry: String { base + "/npm/" }
    public var pypiIndex: String { base + "/pypi/simple/" }
    public var pypiUpload: String { base + "/pypi/" }
    public var mavenRepository: String { base + "/maven/" }
}
