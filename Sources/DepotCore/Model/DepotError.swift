/// The one error type services throw; the HTTP edge maps `kind` to a status code.
public struct DepotError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case badRequest, unauthorized, forbidden, notFound, conflict, payloadTooLarge, notAcceptable, internalError
        /// An upstream registry failed or answered with something unusable (502).
        case badGateway
        /// An upstream registry did not answer in time (504).
        case gatewayTimeout
    }

    public let kind: Kind
    /// Stable machine-readable code, e.g. `VersionExists`.
    public let code: String
    public let message: String

    public init(_ kind: Kind, code: String, _ message: String) {
        self.kind = kind
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    public static func badRequest(_ message: String, code: String = "BadRequest") -> DepotError {
        .init(.badRequest, code: code, message)
    }
    public static func notFound(_ message: String, code: String = "NotFound") -> DepotError {
        .init(.notFound, code: code, message)
    }
    public static func conflict(_ message: String, code: String = "Conflict") -> DepotError {
        .init(.conflict, code: code, message)
    }
    public static func forbidden(_ message: String) -> DepotError {
        .init(.forbidden, code: "Forbidden", message)
    }
    public static func unauthorized(_ message: String = "a valid token is required") -> DepotError {
        .init(.unauthorized, code: "Unauthorized", message)
    }
    public static func badGateway(_ message: String, code: String = "UpstreamFailed") -> DepotError {
        .init(.badGateway, code: code, message)
    }
    public static func gatewayTimeout(_ message: String) -> DepotError {
        .init(.gatewayTimeout, code: "UpstreamTimeout", message)
    }
    public static func tooLarge(_ message: String) -> DepotError {
        .init(.payloadTooLarge, code: "PayloadTooLarge", message)
    }
}
