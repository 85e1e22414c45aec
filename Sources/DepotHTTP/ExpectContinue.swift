import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTPTypes

/// `Expect: 100-continue`, which the connection guard answers with `100 Continue` (see `ConnectionGuardHandler`).
enum ExpectContinue {
    /// Compared case-insensitively (RFC 9110 §10.1.1).
    static func expectsContinue(_ head: HTTPRequest) -> Bool {
        head.headerFields[values: .expect].contains { ExpectationMiddleware.isContinue($0) }
    }
}

/// Answers 417 to an `Expect` other than `100-continue` (the only expectation HTTP defines), without reading the
/// body. The response asks the client to close the connection since it may still be holding the body back.
public struct ExpectationMiddleware: RouterMiddleware {
    public typealias Context = DepotRequestContext

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let values = request.headers[values: .expect]
        guard values.allSatisfy(Self.isContinue) else {
            var headers = HTTPFields()
            headers[.connection] = "close"
            headers[.contentType] = "text/plain; charset=utf-8"
            let message = "only the expectation 100-continue is supported\n"
            return Response(
                status: .expectationFailed, headers: headers, body: .init(byteBuffer: ByteBuffer(string: message)))
        }
        return try await next(request, context)
    }

    static func isContinue(_ value: String) -> Bool {
        value.trimmingCharacters(in: .whitespaces).lowercased() == "100-continue"
    }
}
