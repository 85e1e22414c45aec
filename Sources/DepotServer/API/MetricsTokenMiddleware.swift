import DepotCore
import DepotHTTP
import Foundation
import Hummingbird

/// `/metrics` behind `server.metricsToken`: the scraper sends `Authorization: Bearer <token>`, anything else gets
/// 401. It runs before token authentication (which would refuse this secret as not a Depot token) and takes the
/// header off once it matched; other routes pass untouched, and without a token `/metrics` stays open.
struct MetricsTokenMiddleware: RouterMiddleware {
    typealias Context = DepotRequestContext
    /// SHA-256 of the token, so the comparison takes the same time whatever the lengths.
    private let expected: String?

    init(token: String?) {
        expected = token.map(AccessService.hash)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // The route is resolved before middleware runs: this is the metrics endpoint however its path was spelled.
        guard let expected, context.endpointPath == "/metrics" else { return try await next(request, context) }
        let header = request.headers[.authorization] ?? ""
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer",
            Self.constantTimeEquals(AccessService.hash(parts[1].trimmingCharacters(in: .whitespaces)), expected)
        else {
            throw DepotError.unauthorized("/metrics needs the metrics token (server.metricsToken) as a Bearer token")
        }
        var head = request.head
        head.headerFields[.authorization] = nil
        return try await next(Request(head: head, body: request.body), context)
    }

    /// Compares two strings of equal length (hex digests) without stopping at the first difference.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool { ConstantTime.equals(a, b) }
}
