import DepotCore
import DepotHTTP
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// An application answering the base URL it would write into documents.
private func baseURLApplication(trusting proxies: [String]) -> some ApplicationProtocol {
    let router = Router(context: DepotRequestContext.self)
    router.add(middleware: ForwardedHeadersMiddleware(trustedProxies: proxies.compactMap(IPAddressRange.init)))
    let baseURL = PublicBaseURL(configured: nil)
    router.get("base") { request, _ -> String in baseURL.resolve(for: request) }
    return Application(router: router, logger: quietLogger)
}

private let spoofed: HTTPFields = {
    var headers = HTTPFields()
    headers[HTTPField.Name("X-Forwarded-Host")!] = "depot.example.com"
    headers[HTTPField.Name("X-Forwarded-Proto")!] = "https"
    return headers
}()

@Suite("ForwardedHeadersMiddleware")
struct ForwardedHeadersTests {
    @Test("a trusted proxy's X-Forwarded-Host and -Proto are honoured")
    func trustedPeer() async throws {
        // The live test client reaches the server over loopback, IPv4 or IPv6.
        try await baseURLApplication(trusting: ["127.0.0.0/8", "::1"]).test(.live) { client in
            try await client.execute(uri: "/base", method: .get, headers: spoofed) { response in
                #expect(String(buffer: response.body) == "https://depot.example.com")
            }
        }
    }

    @Test("any other peer's are dropped: the Host header decides")
    func untrustedPeer() async throws {
        try await baseURLApplication(trusting: ["10.0.0.0/8", "fd00::/8"]).test(.live) { client in
            try await client.execute(uri: "/base", method: .get, headers: spoofed) { response in
                #expect(String(buffer: response.body) == "http://localhost")
            }
        }
        // No list at all, and no known peer (router tests): never trusted.
        try await baseURLApplication(trusting: []).test(.router) { client in
            try await client.execute(uri: "/base", method: .get, headers: spoofed) { response in
                #expect(String(buffer: response.body) == "http://localhost")
            }
        }
    }
}
