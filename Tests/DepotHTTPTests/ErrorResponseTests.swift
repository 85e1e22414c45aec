import DepotCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DepotHTTP

private struct SecretFailure: Error, CustomStringConvertible {
    var description: String { "database password is hunter2" }
}

/// Renders `error` through ErrorResponses inside a route and hands back the response.
private func render(_ error: any Error, style: ErrorStyle) async throws -> TestResponse {
    let router = Router(context: DepotRequestContext.self)
    router.get("/error") { _, _ -> Response in ErrorResponses.response(for: error, style: style) }
    return try await Application(router: router).test(.router) { client in
        try await client.execute(uri: "/error", method: .get)
    }
}

private func json(_ response: TestResponse) throws -> [String: Any] {
    let data = Data(buffer: response.body)
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
}

@Suite("ErrorResponses")
struct ErrorResponseTests {
    @Test(
        "each kind maps to its status",
        arguments: [
            (DepotError.Kind.badRequest, 400), (.unauthorized, 401), (.forbidden, 403), (.notFound, 404), (.conflict, 409),
            (.payloadTooLarge, 413), (.notAcceptable, 406), (.internalError, 500),
        ])
    func kindStatus(kind: DepotError.Kind, code: Int) async throws {
        #expect(kind.status.code == code)
        let response = try await render(DepotError(kind, code: "Some", "message"), style: .api)
        #expect(response.status.code == code)
    }

    @Test("api style: {\"error\":{\"code\",\"message\"}} as JSON")
    func apiStyle() async throws {
        let response = try await render(DepotError.conflict("version 1.0.0 exists", code: "VersionExists"), style: .api)
        #expect(response.status == .conflict)
        #expect(response.headers[.contentType] == "application/json")
        #expect(response.headers[.wwwAuthenticate] == nil)
        let body = try json(response)
        let error = try #require(body["error"] as? [String: Any])
        #expect(error["code"] as? String == "VersionExists")
        #expect(error["message"] as? String == "version 1.0.0 exists")
    }

    @Test("registry style: {\"error\": message}, which npm prints")
    func registryStyle() async throws {
        let response = try await render(DepotError.notFound("package left-pad not found", code: "PackageNotFound"), style: .registry)
        #expect(response.status == .notFound)
        #expect(response.headers[.contentType] == "application/json")
        let body = try json(response)
        #expect(body["error"] as? String == "package left-pad not found")
    }

    @Test("401 carries WWW-Authenticate for Bearer and Basic, in both styles")
    func unauthorizedChallenge() async throws {
        for style in [ErrorStyle.api, .registry] {
            let response = try await render(DepotError.unauthorized(), style: style)
            #expect(response.status == .unauthorized)
            // One challenge per header, Basic first (Maven's client answers only a header it can parse whole).
            let challenges = response.headers[values: .wwwAuthenticate]
            #expect(challenges == ["Basic realm=\"depot\"", "Bearer realm=\"depot\""])
        }
        let forbidden = try await render(DepotError.forbidden("no"), style: .api)
        #expect(forbidden.headers[.wwwAuthenticate] == nil)
    }

    @Test("Hummingbird's HTTPErrors keep their status")
    func httpErrors() async throws {
        let notFound = try await render(HTTPError(.notFound), style: .api)
        #expect(notFound.status == .notFound)
        #expect((try json(notFound)["error"] as? [String: Any])?["code"] as? String == "NotFound")

        let tooLarge = try await render(HTTPError(.contentTooLarge), style: .registry)
        #expect(tooLarge.status == .contentTooLarge)

        let badRequest = try await render(HTTPError(.badRequest, message: "bad json"), style: .api)
        #expect(badRequest.status == .badRequest)
        #expect((try json(badRequest)["error"] as? [String: Any])?["message"] as? String == "bad json")

        let unauthorized = try await render(HTTPError(.unauthorized), style: .api)
        #expect(unauthorized.status == .unauthorized)
        #expect(unauthorized.headers[.wwwAuthenticate] != nil)
    }

    @Test("unknown errors become a 500 that reveals nothing")
    func unknownErrors() async throws {
        for style in [ErrorStyle.api, .registry] {
            let response = try await render(SecretFailure(), style: style)
            #expect(response.status == .internalServerError)
            let text = String(buffer: response.body)
            #expect(!text.contains("hunter2"))
            #expect(text.contains("internal server error"))
        }
    }
}
