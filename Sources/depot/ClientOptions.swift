import ArgumentParser
import Foundation

/// Options every client command takes: where the server is, which token to use, or a profile holding both.
struct ClientOptions: ParsableArguments {
    @Option(help: "Server URL (env DEPOT_URL; else the profile's; else http://127.0.0.1:8080).") var url: String?
    @Option(help: "Token (env DEPOT_TOKEN; else the profile's; else ./storage/admin.token for a server on this machine).")
    var token: String?
    @Option(
        name: .customLong("ca-cert"),
        help: "PEM CA certificate(s) to trust for an https server, besides the system's (env DEPOT_CA_CERT; else the profile's; else SSL_CERT_FILE).")
    var caCertificate: String?
    @Option(help: "Profile saved by 'depot configure' (env DEPOT_PROFILE; default: the 'default' profile when there is one).")
    var profile: String?
    @Option(name: .customLong("request-timeout"), help: "Seconds to wait for each answer of the server (env DEPOT_REQUEST_TIMEOUT; default 120).")
    var requestTimeout: Int?
    @Flag(help: "Print JSON instead of tables.") var json = false

    func validate() throws {
        if let requestTimeout, requestTimeout < 1 { throw ValidationError("--request-timeout must be at least 1") }
    }

    func settings(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ClientSettings {
        try ClientSettings.resolve(
            flags: CLIProfile(url: url, token: token, caCertificate: caCertificate), profileName: profile, environment: environment)
    }

    func client() throws -> DepotClient {
        let environment = ProcessInfo.processInfo.environment
        let settings = try settings(environment)
        var timeouts = ClientTimeouts()
        if let seconds = requestTimeout ?? environment["DEPOT_REQUEST_TIMEOUT"].flatMap({ Int($0) }), seconds > 0 {
            timeouts.request = seconds
            timeouts.idle = seconds
        }
        return DepotClient(
            baseURL: try settings.baseURL(), token: settings.token, tokenOrigin: settings.tokenOrigin,
            caCertificatePath: try caCertificatePath(settings, environment), timeouts: timeouts)
    }

    /// The extra CA file to trust: the private CA, else SSL_CERT_FILE (which NIOSSL does not read itself).
    private func caCertificatePath(_ settings: ClientSettings, _ environment: [String: String]) throws -> String? {
        // A machine-wide SSL_CERT_FILE that is missing is not this command's problem: it is skipped.
        try Self.readable(settings.caCertificate)
            ?? environment["SSL_CERT_FILE"].flatMap { FileManager.default.isReadableFile(atPath: $0) ? $0 : nil }
    }

    /// The CA named for this server (--ca-cert, DEPOT_CA_CERT, the profile's): builds hand it on to their clients.
    func privateCACertificate(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String? {
        try Self.readable(try settings(environment).caCertificate)
    }

    private static func readable(_ path: String?) throws -> String? {
        guard let path, !path.isEmpty else { return nil }
        guard FileManager.default.isReadableFile(atPath: path) else { throw ClientError.usage("cannot read the CA certificate file \(path)") }
        return path
    }
}
