import DepotMaven
import DepotNPM
import DepotPyPI
import Foundation

/// Writes a build's HOME so that npm, pip, uv, twine and mvn reach the build's Depot repository with the build's
/// token and no credentials in the buildspec, and returns the variables that go with it.
public struct RegistryWiring: Sendable {
    public var endpoints: RegistryEndpoints
    public var token: String

    public init(endpoints: RegistryEndpoints, token: String) {
        self.endpoints = endpoints
        self.token = token
    }

    /// Writes the client configuration files under `home` (mode 0600: they hold the token).
    public func write(home: URL) throws {
        let index = PyPIClientConfig.withCredentials(endpoints.pypiIndex, token: token)
        try save(NpmrcFile.merged(existing: "", registryURL: endpoints.npmRegistry, token: token, scope: nil), home, ".npmrc")
        try save(PyPIClientConfig.pipConf(existing: "", indexURL: index), home, ".config/pip/pip.conf")
        try save(PyPIClientConfig.uvToml(existing: "", name: "depot", indexURL: index), home, ".config/uv/uv.toml")
        try save(PyPIClientConfig.pypirc(existing: "", section: "depot", repositoryURL: endpoints.pypiUpload, token: token), home, ".pypirc")
        try save(MavenSettingsFile(repositoryURL: endpoints.mavenRepository, token: token).merged(into: ""), home, ".m2/settings.xml")
        try trust?.write(home: home) { text, relative in try save(text, home, relative) }
    }

    /// Set when the server's certificate comes from a private CA.
    private var trust: RegistryTrust? { endpoints.caCertificatePath.map(RegistryTrust.init(caCertificatePath:)) }

    /// DEPOT_* variables, and the ones that make the clients use the files above whatever the machine's defaults.
    public func environment(home: URL) -> [String: String] {
        let mavenOptions = "-Duser.home=\(home.path)"
        let variables = [
            "DEPOT_URL": endpoints.serverURL,
            "DEPOT_NPM_REGISTRY": endpoints.npmRegistry,
            "DEPOT_PYPI_INDEX": endpoints.pypiIndex,
            "DEPOT_PYPI_UPLOAD_URL": endpoints.pypiUpload,
            "DEPOT_MAVEN_URL": endpoints.mavenRepository,
            "DEPOT_AUTH_TOKEN": token,
            "NPM_CONFIG_USERCONFIG": home.appendingPathComponent(".npmrc").path,
            "PIP_CONFIG_FILE": home.appendingPathComponent(".config/pip/pip.conf").path,
            "UV_CONFIG_FILE": home.appendingPathComponent(".config/uv/uv.toml").path,
            // `twine upload dist/*` with no -r would go to pypi.org; these send it to Depot.
            "TWINE_REPOSITORY_URL": endpoints.pypiUpload,
            "TWINE_USERNAME": "depot",
            "TWINE_PASSWORD": token,
            // Java takes user.home from the password database, not $HOME: point Maven at the build's HOME.
            "MAVEN_OPTS": mavenOptions,
        ]
        return variables.merging(trust?.environment(home: home, mavenOptions: mavenOptions) ?? [:]) { $1 }
    }

    private func save(_ text: String, _ home: URL, _ relative: String) throws {
        let file = home.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: file.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path])
        }
    }
}
