import Foundation

extension DepotClient {
    /// GETs a text resource (a build log).
    func text(_ path: String) async throws -> String {
        String(decoding: try await send(request(baseURL.appendingPathComponent(path))), as: UTF8.self)
    }
}
