import DepotCore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DepotHTTP

private let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!
private let forwardedHost = HTTPField.Name("X-Forwarded-Host")!

/// Resolves the base URL inside a real route and returns what it saw.
private func resolve(configured: String?, headers: HTTPFields = [:]) async throws -> String {
    let base = PublicBaseURL(configured: configured)
    let router = Router(context: DepotRequestContext.self)
    router.get("/base") { request, _ -> String in base.resolve(for: request) }
    return try await Application(router: router).test(.router) { client in
        try await client.execute(uri: "/base", method: .get, headers: headers) { response in
            #expect(response.status == .ok)
            return String(buffer: response.body)
        }
    }
}

@Suite("PublicBaseURL")
struct PublicBaseURLTests {
    @Test("a configured URL wins, with a trailing slash trimmed")
    func configured() async throws {
        #expect(try await resolve(configured: "https://depot.example.com") == "https://depot.example.com")
        #expect(try await resolve(configured: "https://depot.example.com/") == "https://depot.example.com")
        #expect(try await resolve(configured: "https://example.com/depot/") == "https://example.com/depot")
        let spoofed: HTTPFields = [forwardedProto: "http", forwardedHost: "evil.example.org"]
        #expect(try await resolve(configured: "https://depot.example.com/", headers: spoofed) == "https://depot.example.com")
    }

    @Test("without configuration, the request's own scheme and authority are used")
    func fromRequest() async throws {
        #expect(try await resolve(configured: nil) == "http://localhost")
    }

    @Test("X-Forwarded-Proto and X-Forwarded-Host are honoured (first value of a list)")
    func forwarded() async throws {
        #expect(
            try await resolve(configured: nil, headers: [forwardedProto: "https", forwardedHost: "pkgs.example.com"])
                == "https://pkgs.example.com")
        #expect(
            try await resolve(configured: nil, headers: [forwardedProto: "HTTPS", forwardedHost: "pkgs.example.com:8443"])
                == "https://pkgs.example.com:8443")
        #expect(
            try await resolve(configured: nil, headers: [forwardedProto: "https, http", forwardedHost: "edge.example.com, inner.local"])
                == "https://edge.example.com")
        #expect(try await resolve(configured: nil, headers: [forwardedHost: " spaced.example.com "]) == "http://spaced.example.com")
        #expect(try await resolve(configured: nil, headers: [forwardedHost: "[::1]:8080"]) == "http://[::1]:8080")
        #expect(try await resolve(configured: nil, headers: [forwardedProto: "https"]) == "https://localhost")
    }

    @Test("an unknown forwarded scheme is ignored")
    func junkProto() async throws {
        for proto in ["javascript", "ftp", "https://evil", ""] {
            #expect(try await resolve(configured: nil, headers: [forwardedProto: proto]) == "http://localhost")
        }
    }

    @Test("junk in the forwarded host cannot inject paths, markup or credentials")
    func junkHost() async throws {
        let hosts = [
            "evil.com/\"><script>alert(1)</script>", "evil.com/path?query#frag", "user:pass@evil.com", "evil.com\\@good.com",
            "evil.com%2f..", "a b.com", "evil.com'onload='x",
        ]
        for host in hosts {
            let resolved = try await resolve(configured: nil, headers: [forwardedHost: host])
            #expect(resolved.hasPrefix("http://"))
            let authority = resolved.dropFirst("http://".count)
            #expect(!authority.isEmpty)
            for forbidden in ["/", "\"", "<", ">", "?", "#", "@", "\\", "%", " ", "'"] {
                #expect(!authority.contains(forbidden), "\(host) resolved to \(resolved)")
            }
        }
        #expect(try await resolve(configured: nil, headers: [forwardedHost: "///"]) == "http://localhost")
        #expect(try await resolve(configured: nil, headers: [forwardedHost: "<>"]) == "http://localhost")
    }

    @Test("sanitized keeps only host[:port] characters")
    func sanitized() {
        #expect(PublicBaseURL.sanitized("example.com:8080") == "example.com:8080")
        #expect(PublicBaseURL.sanitized("[2001:db8::1]:443") == "[2001:db8::1]:443")
        #expect(PublicBaseURL.sanitized("a-b.c") == "a-b.c")
        #expect(PublicBaseURL.sanitized("\"/<>") == "localhost")
        #expect(PublicBaseURL.sanitized("") == "localhost")
    }
}
