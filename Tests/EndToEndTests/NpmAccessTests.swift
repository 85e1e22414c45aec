import Foundation
import Testing

/// Tokens and bad input, seen by the real npm client and by raw requests.
@Suite("npm access and bad input")
struct NpmAccessTests {
    @Test("read-only token cannot publish, no token gets 401, anonymous read is opt-in")
    func tokens() async throws {
        let ws = try Workspace()
        try ws.setUpRepository()
        let published = try ws.npm(["publish"], in: try ws.makePackage("depot-e2e-open", version: "1.0.0", body: "module.exports = 1;\n"))
        #expect(published.succeeded, "\(published.output)")

        // A read-only token: install works, publish gets 403.
        let created = try ws.server.cli(["token", "create", "--domain", "acme", "--repo", "main", "--permission", "read"])
        #expect(created.succeeded, "\(created.output)")
        let readToken = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(readToken.hasPrefix("dpt_"))
        let registry = "\(ws.server.url)/acme/main/npm/"
        let host = registry.replacingOccurrences(of: "http:", with: "")
        try "registry=\(registry)\n\(host):_authToken=\(readToken)\n".write(
            to: ws.home.appendingPathComponent(".npmrc"), atomically: true, encoding: .utf8)
        #expect(try ws.npm(["view", "depot-e2e-open", "version"]).stdout.contains("1.0.0"))
        let denied = try ws.npm(["publish"], in: try ws.makePackage("depot-e2e-denied", version: "1.0.0", body: "1;\n"))
        #expect(!denied.succeeded)
        #expect(denied.output.contains("403"), "\(denied.output)")

        // No token at all: 401.
        try "registry=\(registry)\n".write(to: ws.home.appendingPathComponent(".npmrc"), atomically: true, encoding: .utf8)
        let anonymous = try ws.npm(["view", "depot-e2e-open", "version"], cache: "npm-cache-anon")
        #expect(!anonymous.succeeded)
        #expect(anonymous.output.contains("401"), "\(anonymous.output)")

        // Anonymous read once the repository allows it; still no anonymous publish.
        let update = try ws.server.cli(["repo", "update", "--domain", "acme", "main", "--anonymous-read", "true"])
        #expect(update.succeeded, "\(update.output)")
        #expect(try ws.npm(["view", "depot-e2e-open", "version"], cache: "npm-cache-anon2").stdout.contains("1.0.0"))
        let anonymousPublish = try ws.npm(["publish"], in: try ws.makePackage("depot-e2e-anon", version: "1.0.0", body: "1;\n"))
        #expect(!anonymousPublish.succeeded)

        // A revoked token gets 401.
        let list = try ws.server.cli(["token", "list", "--domain", "acme", "--json"])
        let tokens = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any]
        let ids = (tokens?["tokens"] as? [[String: Any]])?.compactMap { $0["permissions"] as? [String] == ["read"] ? $0["id"] as? String : nil }
        let readID = try #require(ids?.first)
        #expect(try ws.server.cli(["token", "revoke", "--domain", "acme", readID]).succeeded)
        #expect(try ws.rawStatus("GET", "/acme/main/npm/depot-e2e-open", token: readToken) == 401)
    }

    @Test("traversal, NUL and malformed bodies get 4xx and write nothing")
    func badInput() async throws {
        let ws = try Workspace()
        try ws.setUpRepository()
        let token = ws.server.adminToken
        let blobs = ws.server.storage.appendingPathComponent("blobs/sha256")
        let before = try FileManager.default.subpathsOfDirectory(atPath: blobs.path)

        let paths = [
            "/acme/main/npm/../../../etc/passwd", "/acme/main/npm/%2e%2e/%2e%2e/etc/passwd",
            "/acme/main/npm/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/acme/main/npm/pkg/-/..%2f..%2fadmin.token",
            "/acme/main/npm//etc/passwd", "/acme/main/npm/%2fetc%2fpasswd", "/acme/main/npm/pkg%00evil",
            "/acme/main/npm/@scope%2f..%2fx", "/acme/main/npm/%5c..%5cadmin.token", "/acme/main/npm/@..%2fadmin.token",
            "/acme/main/npm/pkg/-/pkg-1.0.0.tgz%00.txt", "/acme/main/npm/%zz",
        ]
        for path in paths {
            for method in ["GET", "PUT", "DELETE"] {
                let status = try ws.rawStatus(method, path, token: token, body: method == "PUT" ? "{}" : nil)
                #expect((400..<500).contains(status), "\(method) \(path) -> \(status)")
            }
        }
        // Publishing under a traversal name or with a body naming another package.
        let traversalBody = #"{"name":"../../x","versions":{"1.0.0":{"name":"../../x","version":"1.0.0"}},"_attachments":{"x-1.0.0.tgz":{"data":"aGVsbG8=","length":5}}}"#
        #expect(try ws.rawStatus("PUT", "/acme/main/npm/..%2f..%2fx", token: token, body: traversalBody) == 400)
        let mismatched = #"{"name":"other","versions":{"1.0.0":{"name":"other","version":"1.0.0"}},"_attachments":{"other-1.0.0.tgz":{"data":"aGVsbG8=","length":5}}}"#
        #expect(try ws.rawStatus("PUT", "/acme/main/npm/pkg", token: token, body: mismatched) == 400)
        // Malformed JSON, wrong checksum, bad base64, wrong length.
        #expect(try ws.rawStatus("PUT", "/acme/main/npm/pkg", token: token, body: "{\"name\":\"pkg\",") == 400)
        let wrongSum = #"{"name":"pkg","versions":{"1.0.0":{"name":"pkg","version":"1.0.0","dist":{"shasum":"0000000000000000000000000000000000000000"}}},"_attachments":{"pkg-1.0.0.tgz":{"data":"aGVsbG8=","length":5}}}"#
        #expect(try ws.rawStatus("PUT", "/acme/main/npm/pkg", token: token, body: wrongSum) == 400)
        let wrongIntegrity = #"{"name":"pkg","versions":{"1.0.0":{"name":"pkg","version":"1.0.0","dist":{"integrity":"sha512-AAAA"}}},"_attachments":{"pkg-1.0.0.tgz":{"data":"aGVsbG8=","length":5}}}"#
        #expect(try ws.rawStatus("PUT", "/acme/main/npm/pkg", token: token, body: wrongIntegrity) == 400)
        let badBase64 = #"{"name":"pkg","versions":{"1.0.0":{"name":"pkg","version":"1.0.0"}},"_attachments":{"pkg-1.0.0.tgz":{"data":"@@@@","length":3}}}"#
        #expect(try ws.rawStatus("PUT", "/acme/main/npm/pkg", token: token, body: badBase64) == 400)
        let badLength = #"{"name":"pkg","versions":{"1.0.0":{"name":"pkg","version":"1.0.0"}},"_attachments":{"pkg-1.0.0.tgz":{"data":"aGVsbG8=","length":99}}}"#
        #expect(try ws.rawStatus("PUT", "/acme/main/npm/pkg", token: token, body: badLength) == 400)
        let badVersion = #"{"name":"pkg","versions":{"../1":{"name":"pkg","version":"../1"}},"_attachments":{"pkg-../1.tgz":{"data":"aGVsbG8=","length":5}}}"#
        #expect(try ws.rawStatus("PUT", "/acme/main/npm/pkg", token: token, body: badVersion) == 400)

        // Nothing was stored, and the server still serves.
        let packages = try ws.server.cli(["package", "list", "--domain", "acme", "--repo", "main", "--json"])
        let listed = try JSONSerialization.jsonObject(with: Data(packages.stdout.utf8)) as? [String: Any]
        #expect((listed?["packages"] as? [Any])?.isEmpty == true, "\(packages.output)")
        #expect(try FileManager.default.subpathsOfDirectory(atPath: blobs.path) == before)
        #expect(try ws.rawStatus("GET", "/healthz") == 200)
    }

    @Test("oversized publish bodies get 413")
    func oversized() async throws {
        let ws = try Workspace()
        try ws.setUpRepository()
        ws.server.stop()
        // Restart with a 64 KiB limit through the environment.
        try ws.server.start(environment: ["DEPOT_MAX_UPLOAD_SIZE": "64KiB"])
        let big = String(repeating: "A", count: 100_000)
        let body = #"{"name":"pkg","versions":{"1.0.0":{"name":"pkg","version":"1.0.0"}},"_attachments":{"pkg-1.0.0.tgz":{"data":"\#(big)","length":75000}}}"#
        #expect(try ws.rawStatus("PUT", "/acme/main/npm/pkg", token: ws.server.adminToken, body: body) == 413)
        #expect(try ws.rawStatus("GET", "/healthz") == 200)
    }
}
