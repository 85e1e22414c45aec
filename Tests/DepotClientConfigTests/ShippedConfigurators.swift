import DepotClientConfig

extension ClientConfigurators {
    /// The configurators these tests exercise (the server's list is `registeredFormats().clients`).
    static let all: [any ClientConfigurator] = [NpmClientConfigurator(), PyPIClientConfigurator(), MavenClientConfigurator()]
}
