import DepotClientConfig
import Foundation

/// Makes a build's clients trust the private CA of an https Depot: the CA and a bundle of it with the system's roots
/// are written into the build's HOME (a sandboxed build sees nothing else of the host); each format's configurator
/// then points its clients at them (and may add files of its own, such as Java's truststore).
struct RegistryTrust: Sendable {
    /// The CA as given (PEM).
    var caCertificatePath: String

    func clientTrust(home: URL) -> ClientTrust {
        let directory = home.appendingPathComponent(".depot")
        return ClientTrust(
            certificate: directory.appendingPathComponent("ca.pem"), bundle: directory.appendingPathComponent("ca-bundle.pem"),
            directory: directory)
    }

    /// Writes the CA and the bundle (system roots + CA: clients such as pip replace their roots with it).
    func write(_ trust: ClientTrust, save: (String, URL) throws -> Void) throws {
        let pem = try String(contentsOfFile: caCertificatePath, encoding: .utf8)
        try save(pem, trust.certificate)
        let system = Self.systemBundlePaths.lazy.compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }.first ?? ""
        try save(system + (system.hasSuffix("\n") || system.isEmpty ? "" : "\n") + pem, trust.bundle)
    }

    /// Variables read by more than one format's clients: OpenSSL's (uv and others), curl and git take the bundle.
    static func environment(_ trust: ClientTrust) -> [String: String] {
        let bundle = trust.bundle.path
        return ["DEPOT_CA_CERT": trust.certificate.path, "SSL_CERT_FILE": bundle, "CURL_CA_BUNDLE": bundle, "GIT_SSL_CAINFO": bundle]
    }

    /// Debian/Ubuntu, then RHEL/Fedora, then Alpine/SUSE locations of the system's roots.
    static let systemBundlePaths = [
        "/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem", "/etc/ssl/ca-bundle.pem",
    ]
}
