import Crypto
import DepotCore
import DepotHTTP
import Foundation
import Hummingbird

/// The edge of one AWS service's routes: verifies the SigV4 signature (the body is collected first, AWS control-plane
/// bodies are small JSON documents, so its hash can be checked), sets the identity of the key's token and the
/// verified region and body (`context.signedRequest`: handlers parse these bytes, the body is read once), and writes
/// every failure, the handlers' included, as that service's AWS error.
struct AWSSignatureMiddleware: RouterMiddleware {
    typealias Context = DepotRequestContext
    /// The largest request body an AWS call may carry.
    static let maximumBodySize = 1 << 20

    let verifier: SigV4Verifier
    let keys: AWSAccessKeys
    let access: AccessService
    /// `application/json` (rest-json) or `application/x-amz-json-1.1` (JSON 1.1).
    let contentType: String
    let now: @Sendable () -> Date

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            var request = request
            var context = context
            let body = try await BodyStreaming.collectJSONBuffer(request, limit: Self.maximumBodySize, limits: context.limits)
            // The same bytes (not a copy) for anything that reads the request's body.
            request.body = RequestBody(buffer: body)
            let payloadHash = body.withUnsafeReadableBytes { Hex.encode(SHA256.hash(data: $0)) }
            let signed = SigV4Request(
                method: request.method.rawValue, path: Self.path(of: request), query: Self.query(of: request),
                headers: Self.headers(of: request), payloadSHA256: payloadHash)
            let authorization = try await verifier.verify(signed, authorization: request.headers[.authorization], now: now()) { keyID in
                guard AWSAccessKeys.tokenID(fromAccessKeyID: keyID) != nil else {
                    throw AWSError.unrecognizedClient("The security token included in the request is invalid.")
                }
                return keys.secret(forAccessKeyID: keyID)
            }
            guard let tokenID = AWSAccessKeys.tokenID(fromAccessKeyID: authorization.accessKeyID) else {
                throw AWSError.unrecognizedClient("The security token included in the request is invalid.")
            }
            do {
                context.identity = try await access.authenticate(tokenID: tokenID)
            } catch {
                throw AWSError.unrecognizedClient("The security token included in the request is expired or revoked.")
            }
            context.signedRequest = SignedRequest(region: authorization.region, body: body)
            return try await next(request, context)
        } catch let error as AWSError {
            return error.response(contentType: contentType)
        } catch let error as DepotError {
            return AWSError(error).response(contentType: contentType)
        } catch let error as HTTPError {
            let type = error.status == .notFound ? "UnknownOperationException" : "ValidationException"
            return AWSError(type, status: error.status, error.body ?? "\(error.status)").response(contentType: contentType)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            return AWSError("InternalServerException", status: .internalServerError, "the request failed").response(contentType: contentType)
        }
    }

    static func path(of request: Request) -> String {
        let full = request.head.path ?? "/"
        return String(full.prefix { $0 != "?" })
    }

    static func query(of request: Request) -> String {
        let full = request.head.path ?? "/"
        guard let mark = full.firstIndex(of: "?") else { return "" }
        return String(full[full.index(after: mark)...])
    }

    /// HTTP/1.1's Host header arrives as the request's authority, not among the fields.
    static func headers(of request: Request) -> [(name: String, value: String)] {
        var headers = request.headers.map { (name: $0.name.canonicalName, value: $0.value) }
        if let authority = request.head.authority, !headers.contains(where: { $0.name == "host" }) {
            headers.append((name: "host", value: authority))
        }
        return headers
    }
}
