import DepotClientConfig
import Foundation

/// Writes a build's HOME so that every client of every format (npm, pip, uv, twine, mvn, ...) reaches the build's
/// Depot repository with the build's token and no credentials in the buildspec, and returns the variables that go with it.
public struct RegistryWiring: Sendable {
    public var endpoints: RegistryEndpoints
    public var token: String
    public var clients: [any ClientConfigurator]

    public init(endpoints: RegistryEndpoints, token: String, clients: [any ClientConfigurator]) {
        self.endpoints = endpoints
        self.token = token
        self.clients = clients
    }

    /// Writes the client configuration files under `home` (mode 0600: they hold the token).
    public func write(home: URL) throws {
        for client in clients {
            for file in client.buildFiles(endpoint: endpoints.url(for: client), token: token) {
                try save(file.edit(""), to: home.appendingPathComponent(file.homePath))
            }
        }
        if let trust {
            let files = trust.clientTrust(home: home)
            try trust.write(files, save: save)
            for client in clients { client.prepareTrust(files) }
        }
    }

    /// Set when the server's certificate comes from a private CA.
    private var trust: RegistryTrust? { endpoints.caCertificatePath.map(RegistryTrust.init(caCertificatePath:)) }

    /// DEPOT_* variables, and the ones that make the clients use the files above whatever the machine's defaults.
    public func environment(home: URL) -> [String: String] {
        var variables = ["DEPOT_URL": endpoints.serverURL, "DEPOT_AUTH_TOKEN": token]
        let clientTrust = trust?.clientTrust(home: home)
        for client in clients {
            let endpoint = endpoints.url(for: client)
            for file in client.buildFiles(endpoint: endpoint, token: token) {
                if let variable = file.locationVariable { variables[variable] = home.appendingPathComponent(file.homePath).path }
            }
            variables.merge(client.buildVariables(endpoint: endpoint, token: token, home: home, trust: clientTrust)) { $1 }
        }
        return variables.merging(clientTrust.map(RegistryTrust.environment) ?? [:]) { $1 }
    }

    private func save(_ text: String, to file: URL) throws {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: file.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path])
        }
    }
}
