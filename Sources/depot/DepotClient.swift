import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL

/// A small JSON-over-HTTP client for the management API.
///
/// Every request has a connect timeout and a deadline (or, for a stream, an idle timeout), and a refused connection
/// fails at once instead of being retried until the deadline: the CLI answers within seconds, never hangs.
struct DepotClient {
    let baseURL: URL
    let token: String?
    /// Where the token came from (`--token`, `DEPOT_TOKEN`, a profile, ...), named in a 401's message.
    var tokenOrigin: String? = nil
    /// A private CA trusted in addition to the system's, for a server whose certificate it signed.
    var caCertificatePath: String? = nil
    var timeouts = ClientTimeouts()

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
        let data = try await send(request)
        return (try? JSONSerialization.jsonObject(with: data)) ?? [String: Any]()
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

    /// Sends a request and collects its body (up to `limit` bytes); a non-2xx answer, a failed connection or a timeout
    /// becomes a ClientError.
    func send(_ request: HTTPClientRequest, limit: Int = 256 << 20) async throws -> Data {
        try await withHTTPClient(timeouts) { http in
            let response = try await http.execute(request, timeout: .seconds(Int64(timeouts.request)))
            let body = try await response.body.collect(upTo: limit)
            let data = Data(body.readableBytesView)
            guard (200..<300).contains(response.status.code) else {
                throw ClientError.response(
                    status: Int(response.status.code), reason: response.status.reasonPhrase, body: data, tokenOrigin: tokenOrigin)
            }
            return data
        }
    }

    /// GETs `request` and hands each piece of its body to `consume` as it arrives. No overall deadline (a build log is
    /// followed for as long as the build runs), but the connection must open within the connect timeout and the server
    /// must send something at least every `idleSeconds`.
    func stream(_ request: HTTPClientRequest, idleSeconds: Int, _ consume: (ByteBuffer) throws -> Void) async throws {
        var streaming = timeouts
        streaming.idle = idleSeconds
        try await withHTTPClient(streaming) { http in
            // A week stands for "no deadline": the idle timeout is what ends a dead stream.
            let response = try await http.execute(request, deadline: .now() + .hours(24 * 7))
            guard (200..<300).contains(response.status.code) else {
                let body = try await response.body.collect(upTo: 1 << 20)
                throw ClientError.response(
                    status: Int(response.status.code), reason: response.status.reasonPhrase, body: Data(body.readableBytesView),
                    tokenOrigin: tokenOrigin)
            }
            for try await chunk in response.body { try consume(chunk) }
        }
    }

    /// Runs `body` with an HTTP client of its own, shut down afterwards whatever happens, so nothing outlives the
    /// command. Failures without an HTTP answer become a ClientError that says what happened in words.
    private func withHTTPClient<Result>(_ timeouts: ClientTimeouts, _ body: (HTTPClient) async throws -> Result) async throws -> Result {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(Int64(timeouts.connect)), read: .seconds(Int64(timeouts.idle)))
        // A CLI must say "connection refused" now, not retry with back-off until the request's deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let failure = ConnectionFailure(server: baseURL.absoluteString + "/", timeouts: timeouts)
        do {
            let result = try await body(http)
            try? await http.shutdown()
            return result
        } catch let error as ClientError {
            try? await http.shutdown()
            throw error
        } catch {
            try? await http.shutdown()
            throw failure.error(error)
        }
    }
}

/// Percent-encodes one path segment (e.g. `@scope/name` -> `@scope%2Fname`).
func segment(_ value: String) -> String {
    var allowed = CharacterSet.urlPathAllowed
    allowed.remove(charactersIn: "/?#%")
    return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
}
