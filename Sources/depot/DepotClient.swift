import ArgumentParser
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Options every client command takes: where the server is and which token to use.
struct ClientOptions: ParsableArguments {
    @Option(help: "Server URL (env DEPOT_URL; default http://127.0.0.1:8080).") var url: String?
    @Option(help: "Token (env DEPOT_TOKEN; default: the contents of ./storage/admin.token when readable).") var token: String?
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
        return DepotClient(baseURL: baseURL, token: secret)
    }
}

/// A small JSON-over-HTTP client for the management API.
struct DepotClient {
    let baseURL: URL
    let token: String?

    /// Sends a request and returns the decoded JSON object; API errors become a readable CLI error.
    func call(_ method: String, _ path: String, query: [String: String?] = [:], body: [String: Any?]? = nil) async throws -> Any {
        var components = URLComponents(url: baseURL.appendingPathComponent(path), resolvingAgainstBaseURL: false)!
        let items = query.compactMap { key, value in value.map { URLQueryItem(name: key, value: $0) } }
        if !items.isEmpty { components.queryItems = items }
        var request = URLRequest(url: components.url!)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = try JSONSerialization.data(withJSONObject: body.compactMapValues { $0 })
        }
        let (data, response) = try await send(request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let object = (try? JSONSerialization.jsonObject(with: data)) ?? [String: Any]()
        guard (200..<300).contains(status) else {
            let error = (object as? [String: Any])?["error"] as? [String: Any]
            let message = error?["message"] as? String ?? String(decoding: data, as: UTF8.self)
            throw ClientError(status: status, code: error?["code"] as? String ?? "HTTP\(status)", message: message)
        }
        return object
    }

    private func send(_ request: URLRequest) async throws -> (Data, URLResponse) {
        try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error {
                    continuation.resume(throwing: ClientError(status: 0, code: "ConnectionFailed", message: "\(request.url?.absoluteString ?? ""): \(error.localizedDescription)"))
                } else {
                    continuation.resume(returning: (data ?? Data(), response ?? URLResponse(url: request.url!, mimeType: nil, expectedContentLength: 0, textEncodingName: nil)))
                }
            }.resume()
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
