import DepotClientConfig

extension ClientConfigurators {
    /// The configurators these tests wire builds with (the server's list is `registeredFormats().clients`).
    static let all: [any ClientConfigurator] = [NpmClientConfigurator(), PyPIClientConfigurator(), MavenClientConfigurator()]
}
