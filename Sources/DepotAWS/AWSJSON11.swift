import DepotCore
import DepotHTTP
import Foundation
import HTTPTypes
import Hummingbird

/// AWS's JSON 1.1 protocol (CodeBuild, CloudWatch Logs): every call is `POST /` with the operation in
/// `X-Amz-Target: <prefix>.<Operation>` and its input as a JSON object; answers are JSON in the same content type.
struct AWSJSON11Service {
    static let contentType = "application/x-amz-json-1.1"

    /// `CodeBuild_20161006`, `Logs_20140328`.
    let targetPrefix: String
    /// The service's exception for input it refuses (`InvalidInputException`, `InvalidParameterException`).
    let invalidInput: String
    /// The service's exception for a name that resolves to nothing.
    let notFound = "ResourceNotFoundException"
    /// The service's exception for a name that is taken.
    var alreadyExists = "ResourceAlreadyExistsException"

    func invalid(_ message: String) -> AWSError { AWSError(invalidInput, status: .badRequest, message) }
    func missing(_ message: String) -> AWSError { AWSError(notFound, status: .badRequest, message) }

    /// The operation named by `X-Amz-Target`.
    func operation(of request: Request) throws -> String {
        guard let name = HTTPField.Name("X-Amz-Target"), let target = request.headers[name] else {
            throw AWSError("UnknownOperationException", status: .badRequest, "X-Amz-Target is required (\(targetPrefix).<Operation>)")
        }
        guard target.hasPrefix(targetPrefix + "."), target.utf8.count <= 128 else {
            throw AWSError("UnknownOperationException", status: .badRequest, "unknown operation \(target)")
        }
        return String(target.dropFirst(targetPrefix.count + 1))
    }

    /// The call's input: its JSON object decoded (unknown members are ignored, as AWS ignores them); an empty body is `{}`.
    /// The body is the one the signature middleware collected (bounded in size and nesting) and verified.
    func input<Input: Decodable>(_ type: Input.Type, from body: ByteBuffer) throws -> Input {
        let data = body.readableBytes == 0 ? Data("{}".utf8) : Data(body.readableBytesView)
        do {
            return try JSONDecoder().decode(Input.self, from: data)
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw invalid("'\(Self.path(context.codingPath))' has the wrong type")
        } catch let DecodingError.keyNotFound(key, context) {
            throw invalid("'\(Self.path(context.codingPath + [key]))' is required")
        } catch {
            throw invalid("the request body is not a JSON object of this operation's input")
        }
    }

    func response<Output: Encodable>(_ output: Output) throws -> Response {
        try AWSJSON.response(output, contentType: Self.contentType)
    }

    /// Depot's errors in this service's words.
    func error(_ error: DepotError) -> AWSError {
        switch error.kind {
        case .badRequest, .notAcceptable, .payloadTooLarge: invalid(error.message)
        case .notFound: missing(error.message)
        case .conflict: AWSError(alreadyExists, status: .badRequest, error.message)
        default: AWSError(error)
        }
    }

    /// Adds the service's one route (`POST` at the group's path): each call goes to `perform` with its operation's
    /// name (nil back: an operation Depot does not have); Depot's errors are answered as this service's.
    func addRoute(
        to group: RouterGroup<DepotRequestContext>, accountID: String,
        perform: @escaping @Sendable (_ operation: String, _ call: AWSJSON11Call) async throws -> Response?
    ) {
        let service = self
        group.post { request, context in
            do {
                let name = try service.operation(of: request)
                guard let signed = context.signedRequest else { throw AWSError.missingAuthentication }
                let call = AWSJSON11Call(
                    service: service, request: request, body: signed.body, identity: context.identity,
                    scope: try AWSBuildScope(region: signed.region, context: context, accountID: accountID, service: service))
                guard let response = try await perform(name, call) else {
                    throw AWSError("UnknownOperationException", status: .badRequest, "\(name) is not supported by Depot")
                }
                return response
            } catch let error as DepotError {
                throw service.error(error)
            }
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}

/// One call of a JSON 1.1 service: the request, the caller, and the domain and region it works in.
struct AWSJSON11Call {
    let service: AWSJSON11Service
    let request: Request
    /// The verified body.
    let body: ByteBuffer
    let identity: Identity?
    let scope: AWSBuildScope
    var domain: String { scope.domain }

    func input<Input: Decodable>(_ type: Input.Type) throws -> Input {
        try service.input(type, from: body)
    }
}

/// What every CodeBuild and CloudWatch Logs call works in: the domain of the key's token (CodeBuild has no domains;
/// a key of a token of every domain must be one of a single domain's token to use them), and the region it signed.
struct AWSBuildScope {
    let domain: String
    let region: String
    let accountID: String

    init(domain: String, region: String, accountID: String) {
        self.domain = domain
        self.region = region
        self.accountID = accountID
    }

    init(region: String, context: DepotRequestContext, accountID: String, service: AWSJSON11Service) throws {
        guard let domain = context.identity?.scope.domain else {
            throw service.invalid(
                "this key's token covers every domain; builds belong to one: use the key of a token of that domain (depot token create --domain D --aws)")
        }
        self.init(domain: domain, region: region, accountID: accountID)
    }
}
