import DepotCore
import Foundation
import HTTPTypes
import Hummingbird

/// How an error body is written: the management API's `{"error":{"code","message"}}`, or the
/// registry style `{"error": message}` that npm prints to its users.
public enum ErrorStyle: Sendable {
    case api
    case registry
}

extension DepotError.Kind {
    public var status: HTTPResponse.Status {
        switch self {
        case .badRequest: .badRequest
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .conflict: .conflict
        case .payloadTooLarge: .contentTooLarge
        case .notAcceptable: .notAcceptable
        case .internalError: .internalServerError
        case .badGateway: .badGateway
        case .gatewayTimeout: .gatewayTimeout
        }
    }
}

public enum ErrorResponses {
    /// Maps any error to a response; unknown errors become a 500 whose details stay in the log.
    public static func response(for error: any Error, style: ErrorStyle) -> Response {
        let depotError: DepotError
        switch error {
        case let error as DepotError:
            depotError = error
        case let error as HTTPError:
            depotError = DepotError(
                Self.kind(for: error.status), code: error.status.reasonPhrase.replacingOccurrences(of: " ", with: ""),
                error.body ?? error.status.reasonPhrase)
        default:
            depotError = DepotError(.internalError, code: "InternalError", "internal server error")
        }
        // Hummingbird's own errors (405, 415, ...) keep their exact status.
        let status = (error as? HTTPError)?.status ?? depotError.kind.status
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if depotError.kind == .unauthorized {
            // One challenge per header: Maven's HTTP client does not split a combined value, and answers Basic.
            headers.append(HTTPField(name: .wwwAuthenticate, value: "Basic realm=\"depot\""))
            headers.append(HTTPField(name: .wwwAuthenticate, value: "Bearer realm=\"depot\""))
        }
        let body: [String: Any] =
            switch style {
            case .api: ["error": ["code": depotError.code, "message": depotError.message]]
            case .registry: ["error": depotError.message, "code": depotError.code]
            }
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func kind(for status: HTTPResponse.Status) -> DepotError.Kind {
        switch status.code {
        case 401: .unauthorized
        case 403: .forbidden
        case 404: .notFound
        case 406: .notAcceptable
        case 409: .conflict
        case 413: .payloadTooLarge
        case 400..<500: .badRequest
        default: .internalError
        }
    }
}
