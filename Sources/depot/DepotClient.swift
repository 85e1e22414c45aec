import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL

/// Options every client command takes: where the server is and which token to use.
struct ClientOptions: ParsableArguments {
    @Option(help: "Server URL (env DEPOT_URL; default http://127.0.0.1:8080).") var url: String?
    @Option(help: "Token (env DEPOT_TOKEN; default: the contents of ./storage/admin.token when readable).") var token: String?
    @Option(
        name: .customLong("ca-cert"),
        help: "PEM CA certificate(s) to trust for an https server, besides the system's (env DEPOT_CA_CERT, else SSL_CERT_FILE).")
    var caCertificate: String?
    @Flag(help: "Print JSON instead of tables.") var json = false

    func client() throws -> DepotClient {
        let environment = ProcessInfo.processInfo.environment
        let base = url ?? environment["DEPOT_URL"] ?? "http://127.0.0.1:8080"
        let secret =
            token ?? environment["DEPOT_TOKEN"]
            ?? (try? String(contentsOfFile: "storage/admin.token", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let baseURL = URL(string: base.hasSuffix("/") ? String(base.dropLast()) : base) else {
            throw ValidationError("invalid --url \(base)")
        }
        return DepotClient(baseURL: baseURL, token: secret, caCertificatePath: try caCertificatePath(environment))
    }

    /// The extra CA file to trust: the private CA, else SSL_CERT_FILE (which NIOSSL does not read itself).
    func caCertificatePath(_ environment: [String: String]) throws -> String? {
        // A machine-wide SSL_CERT_FILE that is missing is not this command's problem: it is skipped.
        try privateCACertificate(environment) ?? environment["SSL_CERT_FILE"].flatMap { FileManager.default.isReadableFile(atPath: $0) ? $0 : nil }
    }

    /// The CA named for this server (--ca-cert, DEPOT_CA_CERT): builds hand it on to their clients.
    func privateCACertificate(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String? {
        try readable(caCertificate ?? environment["DEPOT_CA_CERT"])
    }

    private func readable(_ path: String?) throws -> String? {
        guard let path, !path.isEmpty else { return nil }
        guard FileManager.default.isReadableFile(atPath: path) else { throw ValidationError("cannot read the CA certificate file \(path)") }
        return path
    }
}

/// A small JSON-over-HTTP client for the management API.
struct DepotClient {
    let baseURL: URL
    let token: String?
    /// A private CA trusted in addition to the system's, for a server whose certificate it signed.
    var caCertificatePath: String? = nil

    /// Sends a request and returns the decoded JSON object; API errors become a readable CLI error.
    func call(_ method: String, _ path: String, query: [String: String?] = [:], body: [String: Any?]? = nil) async throws -> Any {
        var components = URLComponents(url: baseURL.appendingPathComponent(path), resolvingAgainstBaseURL: false)!
        let items = query.compactMap { key, value in value.map { URLQueryItem(name: key, value: $0) } }
        if !items.isEmpty { components.queryItems = items }
        var request = self.request(components.url!)
        request.method = .init(rawValue: method)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body.compactMapValues { $0 })))
        }
        let (data, status) = try await send(request)
        let object = (try? JSONSerialization.jsonObject(with: data)) ?? [String: Any]()
        guard (200..<300).contains(status) else {
            let error = (object as? [String: Any])?["error"] as? [String: Any]
            let message = error?["message"] as? String ?? String(decoding: data, as: UTF8.self)
            throw ClientError(status: status, code: error?["code"] as? String ?? "HTTP\(status)", message: message)
        }
        return object
    }

    /// A request to `url` with the token and, for a private CA, the TLS configuration that trusts it.
    func request(_ url: URL) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url.absoluteString)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let caCertificatePath, url.scheme == "https" {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.additionalTrustRoots = [.file(caCertificatePath)]
            request.tlsConfiguration = tls
        }
        return request
    }

    /// Sends a request and collects its body (up to `limit` bytes); connection and TLS failures become a ClientError.
    func send(_ request: HTTPClientRequest, limit: Int = 256 << 20) async throws -> (Data, Int) {
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(300))
            let body = try await response.body.collect(upTo: limit)
            return (Data(body.readableBytesView), Int(response.status.code))
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError(status: 0, code: "ConnectionFailed", message: "\(request.url): \(error)")
        }
    }
}

struct ClientError: Error, CustomStringConvertible {
    let status: Int
    let code: String
    let message: String

    var description: String { status == 0 ? message : "\(code) (HTTP \(status)): \(message)" }
}

/// Percent-encodes one path segment (e.g. `@scope/name` -> `@scope%2Fname`).
func segment(_ value: String) -> String {
    var allowed = CharacterSet.urlPathAllowed
    allowed.remove(charactersIn: "/?#%")
    return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
}
