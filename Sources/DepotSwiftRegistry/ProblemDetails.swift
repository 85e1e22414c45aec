import DepotCore
import DepotHTTP
import Foundation
import HTTPTypes
import Hummingbird

/// Errors as the registry spec wants them (§3.3): RFC 7807 problem details, `{"detail": ...}` with the status and
/// its title, as `application/problem+json`.
enum ProblemDetails {
    static let contentType = "application/problem+json"

    /// For errors raised before a registry route runs (a bad token): the status follows the error's kind.
    static let style = style(status: nil)

    /// `status` is the response's when it is known (a 422 or 415 raised as an `HTTPError`).
    static func style(status: HTTPResponse.Status?) -> ErrorStyle {
        ErrorStyle(contentType: contentType, headers: [ContentVersionMiddleware.header: ContentVersionMiddleware.version]) { error in
            body(detail: error.message, status: status ?? error.kind.status)
        }
    }

    static func body(detail: String, status: HTTPResponse.Status) -> Data {
        let object: [String: Any] = ["detail": detail, "status": status.code, "title": status.reasonPhrase]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }

    /// The problem object a release listing attaches to a release that cannot be used.
    static func object(detail: String, status: HTTPResponse.Status) -> [String: Any] {
        ["detail": detail, "status": status.code, "title": status.reasonPhrase]
    }

    /// A refusal with a status `DepotError` has no kind for (422, 415): the error mapping keeps an `HTTPError`'s status.
    static func unprocessable(_ detail: String) -> HTTPError {
        HTTPError(.unprocessableContent, message: detail)
    }

    static func unsupportedMediaType(_ detail: String) -> HTTPError {
        HTTPError(.unsupportedMediaType, message: detail)
    }
}

/// `Content-Version: 1` on every answer of the registry routes (§3.5), errors included: SwiftPM reads a problem's
/// `detail` only from a response that declares the API version. Errors of unknown kind go on to the edge, which logs
/// them as 500s.
struct ContentVersionMiddleware: RouterMiddleware {
    typealias Context = DepotRequestContext

    static let header = HTTPField.Name("Content-Version")!
    static let version = "1"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error where error is DepotError || error is HTTPError {
            let status = (error as? HTTPError)?.status ?? (error as? DepotError)?.kind.status
            response = ErrorResponses.response(for: error, style: ProblemDetails.style(status: status))
            response.headers[.contentLanguage] = "en"
        }
        response.headers[Self.header] = Self.version
        return response
    }
}
