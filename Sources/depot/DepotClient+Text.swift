import Foundation

extension DepotClient {
    /// GETs a text resource (a build log).
    func text(_ path: String) async throws -> String {
        let (data, status) = try await send(request(baseURL.appendingPathComponent(path)))
        guard (200..<300).contains(status) else {
            throw ClientError(status: status, code: "HTTP\(status)", message: String(decoding: data, as: UTF8.self))
        }
        return String(decoding: data, as: UTF8.self)
    }
}
