import DepotCore
import HTTPTypes
import Hummingbird
import NIOCore

/// Drops `X-Forwarded-Host`, `X-Forwarded-Proto` and `Forwarded` from requests whose peer is not one of
/// `server.trustedProxies`: otherwise any client could choose the host and scheme of the tarball and file URLs
/// Depot writes into the documents it serves (and that caches keep). Trusted peers' headers pass unchanged.
public struct ForwardedHeadersMiddleware: RouterMiddleware {
    public typealias Context = DepotRequestContext
    static let names = ["X-Forwarded-Host", "X-Forwarded-Proto", "Forwarded"].map { HTTPField.Name($0)! }
    private let trustedProxies: [IPAddressRange]

    public init(trustedProxies: [IPAddressRange]) {
        self.trustedProxies = trustedProxies
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if Self.isTrusted(context.remoteAddress, among: trustedProxies) || !Self.names.contains(where: { request.headers[$0] != nil }) {
            return try await next(request, context)
        }
        var head = request.head
        for name in Self.names { head.headerFields[name] = nil }
        return try await next(Request(head: head, body: request.body), context)
    }

    /// True when `peer` is one of `trustedProxies` (whose forwarded headers count).
    static func isTrusted(_ peer: SocketAddress?, among trustedProxies: [IPAddressRange]) -> Bool {
        guard !trustedProxies.isEmpty, let text = peer?.ipAddress, let address = IPAddress(text) else { return false }
        return trustedProxies.contains { $0.contains(address) }
    }
}
