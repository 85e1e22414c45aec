import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension DepotClient {
    /// GETs a text resource (a build log).
    func text(_ path: String) async throws -> String {
        var request = URLRequest(url: baseURL.appendingPathComponent(path))
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, status): (Data, Int) = try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error {
                    continuation.resume(throwing: ClientError(status: 0, code: "ConnectionFailed", message: error.localizedDescription))
                } else {
                    continuation.resume(returning: (data ?? Data(), (response as? HTTPURLResponse)?.statusCode ?? 0))
                }
            }.resume()
        }
        guard (200..<300).contains(status) else {
            throw ClientError(status: status, code: "HTTP\(status)", message: String(decoding: data, as: UTF8.self))
        }
        return String(decoding: data, as: UTF8.self)
    }
}
