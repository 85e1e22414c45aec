import DepotCore
import Foundation
import HTTPTypes
import Hummingbird

/// How an error body is written: its content type and the bytes for an error. The management API writes
/// `{"error":{"code","message"}}`, the registries npm, PyPI and Maven `{"error": message}` (what npm prints to its
/// users); a format with its own error body (Cargo, the Swift registry) declares its style in its `FormatModule`.
public struct ErrorStyle: Sendable {
    public let contentType: String
    /// Further headers every error of the style carries (the Swift registry's `Content-Version`), also on errors
    /// raised before the format's routes run (authentication).
    public let headers: HTTPFields
    public let body: @Sendable (DepotError) -> Data

    public init(contentType: String, headers: HTTPFields = [:], body: @escaping @Sendable (DepotError) -> Data) {
        self.contentType = contentType
        self.headers = headers
        self.body = body
    }

    public static let api = ErrorStyle.json { ["error": ["code": $0.code, "message": $0.message]] }
    public static let registry = ErrorStyle.json { ["error": $0.message, "code": $0.code] }

    /// A JSON body made of plain dictionaries, arrays and strings.
    public static func json(_ object: @escaping @Sendable (DepotError) -> [String: Any]) -> ErrorStyle {
        ErrorStyle(contentType: "application/json") {
            (try? JSONSerialization.data(withJSONObject: object($0), options: [.sortedKeys])) ?? Data()
        }
    }
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
        var headers = style.headers
        headers[.contentType] = style.contentType
        if depotError.kind == .unauthorized {
            // One challenge per header: Maven's HTTP client does not split a combined value, and answers Basic.
            headers.append(HTTPField(name: .wwwAuthenticate, value: "Basic realm=\"depot\""))
            headers.append(HTTPField(name: .wwwAuthenticate, value: "Bearer realm=\"depot\""))
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: style.body(depotError))))
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
