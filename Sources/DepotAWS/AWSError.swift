import DepotCore
import Foundation
import HTTPTypes
import Hummingbird

/// An error as AWS services report it: the type in `x-amzn-ErrorType` (and `__type`), the text in `{"message"}`.
public struct AWSError: Error, Sendable, Equatable {
    public var type: String
    public var status: HTTPResponse.Status
    public var message: String

    public init(_ type: String, status: HTTPResponse.Status, _ message: String) {
        self.type = type
        self.status = status
        self.message = message
    }

    public static let missingAuthentication = AWSError(
        "MissingAuthenticationTokenException", status: .forbidden, "Missing Authentication Token: sign the request with AWS Signature Version 4")
    static func incompleteSignature(_ message: String) -> AWSError { AWSError("IncompleteSignatureException", status: .badRequest, message) }
    static func invalidSignature(_ message: String) -> AWSError { AWSError("InvalidSignatureException", status: .forbidden, message) }
    static func unrecognizedClient(_ message: String) -> AWSError { AWSError("UnrecognizedClientException", status: .forbidden, message) }
    static func validation(_ message: String) -> AWSError { AWSError("ValidationException", status: .badRequest, message) }
    static func notFound(_ message: String) -> AWSError { AWSError("ResourceNotFoundException", status: .notFound, message) }

    /// Depot's own errors in AWS's words: the service's exception for each kind of failure.
    init(_ error: DepotError) {
        // A resource's tag limit is one of CodeArtifact's service quotas (402, as AWS answers).
        if error.code == "TooManyTags" {
            self.init("ServiceQuotaExceededException", status: HTTPResponse.Status(code: 402), error.message)
            return
        }
        switch error.kind {
        case .badRequest, .notAcceptable: self.init("ValidationException", status: .badRequest, error.message)
        case .unauthorized: self.init("UnrecognizedClientException", status: .forbidden, error.message)
        case .forbidden: self.init("AccessDeniedException", status: .forbidden, error.message)
        case .notFound: self.init("ResourceNotFoundException", status: .notFound, error.message)
        case .conflict: self.init("ConflictException", status: .conflict, error.message)
        case .payloadTooLarge: self.init("ValidationException", status: .contentTooLarge, error.message)
        case .internalError, .badGateway, .gatewayTimeout: self.init("InternalServerException", status: .internalServerError, error.message)
        }
    }

    func response(contentType: String) -> Response {
        let body = (try? JSONSerialization.data(withJSONObject: ["__type": type, "message": message], options: [.sortedKeys])) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = contentType
        if let name = HTTPField.Name("x-amzn-ErrorType") { headers[name] = type }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
