import DepotHTTP
import HTTPTypes
import Hummingbird

/// Headers of every console response: a strict Content-Security-Policy (no inline script or style, nothing from
/// other origins, never framed), no caching of pages that show secrets, no referrer to other sites.
struct ConsoleHeadersMiddleware: RouterMiddleware {
    typealias Context = DepotRequestContext
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}
