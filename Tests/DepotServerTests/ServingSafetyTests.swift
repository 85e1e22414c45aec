import DepotCore
import DepotServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Stored files are users' bytes: served so that no browser renders them on Depot's origin. Forwarded headers
/// count only from trusted proxies, and `/metrics` can require its own token.
@Suite("Serving safety")
struct ServingSafetyTests {
    static let xhtml = Array("""
        <?xml version="1.0" encoding="UTF-8"?>
        <html xmlns="http://www.w3.org/1999/xhtml"><body><script>fetch('/api/v1/domains')</script></body></html>
        """.utf8)

    func expectFileHeaders(_ response: TestResponse, type: String = "application/octet-stream", _ what: String) {
        #expect(response.headers[.contentType] == type, "\(what)")
        #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(what)")
        #expect(response.headers[.contentSecurityPolicy] == "sandbox", "\(what)")
    }

    @Test("an XHTML document uploaded as a Maven .pom or .xml comes back as octet-stream, nosniff, CSP sandbox")
    func xhtmlServedInert() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            let directory = "/acme/main/maven/com/example/evil/1.0"
            for file in ["evil-1.0.pom", "evil-1.0-features.xml"] {
                let put = try await depot.request(.put, "\(directory)/\(file)", body: Self.xhtml)
                try #require(put.status == .created || put.status == .ok, "PUT \(file): \(put.status) \(put.text)")
                let read = try await depot.request(.get, "\(directory)/\(file)")
                #expect(read.status == .ok)
                #expect(read.bytes == Self.xhtml)
                expectFileHeaders(read, file)
                // Its checksum is Depot's own hex text; it carries the same headers.
                let sha1 = try await depot.request(.get, "\(directory)/\(file).sha1")
                expectFileHeaders(sha1, type: "text/plain", "\(file).sha1")
            }
            // maven-metadata.xml is written by Depot (escaped values only) and keeps its XML type, sandboxed.
            let metadata = try await depot.request(.get, "/acme/main/maven/com/example/evil/maven-metadata.xml")
            #expect(metadata.status == .ok)
            expectFileHeaders(metadata, type: "application/xml", "maven-metadata.xml")
        }
    }

    @Test("npm tarballs are sandboxed too, and every response, errors included, is nosniff")
    func npmAndErrors() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            let tarball = NpmPublish.tarball(3)
            #expect(try await depot.publish("@s/pkg", tarball: tarball).status == .created)
            let download = try await depot.request(.get, "/acme/main/npm/@s/pkg/-/pkg-1.0.0.tgz")
            #expect(download.status == .ok)
            expectFileHeaders(download, "tarball")
            for uri in ["/acme/main/npm/@s/nope", "/api/v1/domains/nope", "/healthz", "/no/such/route"] {
                let response = try await depot.request(.get, uri)
                #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(uri)")
            }
        }
    }

    @Test("a spoofed X-Forwarded-Host or -Proto from an untrusted peer does not change tarball URLs")
    func spoofedForwardedHost() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            #expect(try await depot.publish("@s/pkg", tarball: NpmPublish.tarball(4)).status == .created)
            var headers = HTTPFields()
            headers[HTTPField.Name("X-Forwarded-Host")!] = "evil.example"
            headers[HTTPField.Name("X-Forwarded-Proto")!] = "https"
            let packument = try await depot.request(.get, "/acme/main/npm/@s%2fpkg", headers: headers).object()
            let versions = try #require(packument["versions"] as? [String: [String: Any]])
            #expect(
                (versions["1.0.0"]?["dist"] as? [String: Any])?["tarball"] as? String == "http://localhost/acme/main/npm/@s/pkg/-/pkg-1.0.0.tgz")
            let endpoint = try await depot.request(.get, "/api/v1/domains/acme/repositories/main/endpoint?format=npm", headers: headers)
            #expect(try endpoint.object()["url"] as? String == "http://localhost/acme/main/npm/")
        }
    }

    @Test("with server.metricsToken set, /metrics answers only that Bearer token (401 otherwise)")
    func metricsToken() async throws {
        let secret = "metrics-\(UUID().uuidString)"
        try await Depot.run(configure: { $0.metricsToken = secret }) { depot in
            for auth: Depot.Auth in [.anonymous, .admin, .bearer("wrong"), .bearer(secret + "x"), .basic(user: "prometheus", password: secret)] {
                let denied = try await depot.request(.get, "/metrics", auth: auth)
                #expect(denied.status == .unauthorized, "\(auth)")
                #expect(!denied.text.contains("depot_http_requests"))
            }
            let allowed = try await depot.request(.get, "/metrics", auth: .bearer(secret))
            #expect(allowed.status == .ok)
            #expect(allowed.headers[.contentType]?.hasPrefix("text/plain") == true)
            // Only /metrics is guarded: health checks and the API carry on as before.
            #expect(try await depot.request(.get, "/healthz", auth: .anonymous).status == .ok)
            #expect(try await depot.request(.get, "/api/v1/domains").status == .ok)
        }
        try await Depot.run { depot in
            let open = try await depot.request(.get, "/metrics", auth: .anonymous)
            #expect(open.status == .ok)
        }
    }
}
