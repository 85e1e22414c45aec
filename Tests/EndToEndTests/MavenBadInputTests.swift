import Foundation
import Testing

/// PUTs no Maven client would send and reads that try to leave the repository: each gets its 4xx, nothing is
/// stored, and the server keeps serving. Then the checks that need a stored file: checksum mismatches (400,
/// the stored file unchanged), case-insensitive checksums, immutable releases (409), Unfinished until metadata.
@Suite("Maven bad input")
struct MavenBadInputTests {
    static let base = "/acme/main/maven/com/example/bad/bad-lib"

    /// A small valid jar-like body (a zip's end-of-central-directory record) and a valid pom.
    static let jar = Data([0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18))
    static func pom(_ version: String = "1.0") -> Data {
        Data("""
            <?xml version="1.0" encoding="UTF-8"?>
            <project xmlns="http://maven.apache.org/POM/4.0.0">
              <modelVersion>4.0.0</modelVersion>
              <groupId>com.example.bad</groupId>
              <artifactId>bad-lib</artifactId>
              <version>\(version)</version>
            </project>

            """.utf8)
    }

    @Test("bad checksums, traversal, non-XML poms, partial coordinates and missing permissions get 4xx and store nothing")
    func badPuts() async throws {
        let ws = try Workspace()
        try ws.setUpMavenRepository()
        let admin = "x:\(ws.server.adminToken)"
        let readToken = try ws.mintToken(permission: "read")
        let publishToken = try ws.mintToken(permission: "publish")
        let jar = Self.jar
        let jarPath = "\(Self.base)/1.0/bad-lib-1.0.jar"

        // A checksum for a file that was never uploaded: 404 (for each algorithm), and no GET of one either.
        for algorithm in ["md5", "sha1", "sha256", "sha512"] {
            let reply = try ws.put("\(jarPath).\(algorithm)", Data((try ws.digest(algorithm, jar)).utf8), user: admin)
            #expect(reply.status == 404, "PUT \(jarPath).\(algorithm) before the jar: \(reply.status) \(reply.text.prefix(200))")
            #expect(try ws.curl("GET", "\(jarPath).\(algorithm)", user: admin).status == 404)
        }

        var cases: [(label: String, path: String, body: Data, user: String?, expected: Int)] = []
        // Path traversal, plain (curl --path-as-is keeps it) and percent-encoded.
        for path in [
            "/acme/main/maven/com/example/../../../../admin.token",
            "/acme/main/maven/../../admin.token",
            "/acme/main/maven/com/example/bad/bad-lib/1.0/../../../../../../admin.token",
            "/acme/main/maven/com/example/bad/bad-lib/../bad-lib/1.0/bad-lib-1.0.jar",
            "/acme/main/maven/com/example/bad/bad-lib/1.0/../1.0/bad-lib-1.0.jar",
            "/acme/main/maven/%2e%2e/%2e%2e/admin.token",
            "/acme/main/maven/com/example/%2e%2e/%2e%2e/%2e%2e/admin.token",
            "/acme/main/maven/com/example/bad/bad-lib/1.0/%2e%2e%2f%2e%2e%2fbad-lib-1.0.jar",
            "/acme/main/maven/com/example/bad/bad-lib/1.0/..%2f..%2f..%2fbad-lib-1.0.jar",
            "/acme/main/maven/com%2fexample%2fbad/bad-lib/1.0/bad-lib-1.0.jar",
            "/acme/main/maven/com/example/bad/bad-lib/1.0%2f..%2f1.0/bad-lib-1.0.jar",
            "/acme/main/maven/com/example/bad/bad-lib/%2e%2e/bad-lib-%2e%2e.jar",
            "/acme/main/maven/com/example/bad/bad-lib/1.0/%2E%2E%2F%2E%2E%2Fadmin.token",
            "/acme/main/maven/com/example/bad/bad-lib/1.0/..%5c..%5cbad-lib-1.0.jar",
            "/acme/main/maven/com/example/bad/bad-lib/1.0/bad-lib-1.0.jar%00.txt",
        ] {
            cases.append(("traversal \(path)", path, jar, admin, 400))
        }
        // A pom (and a maven-metadata.xml) that is not XML, or not well-formed.
        cases.append(("pom that is not XML", "\(Self.base)/1.0/bad-lib-1.0.pom", Data("this is not xml at all\n".utf8), admin, 400))
        cases.append(("pom cut in the middle", "\(Self.base)/1.0/bad-lib-1.0.pom", Self.pom().prefix(80), admin, 400))
        cases.append(("empty pom", "\(Self.base)/1.0/bad-lib-1.0.pom", Data(), admin, 400))
        cases.append(("metadata that is not XML", "\(Self.base)/maven-metadata.xml", Data("{\"versions\": []}".utf8), admin, 400))
        cases.append(("metadata cut in the middle", "\(Self.base)/maven-metadata.xml",
                      Data("<metadata><groupId>com.example.bad</groupId><artifactId>bad-lib".utf8), admin, 400))
        // Coordinate paths with parts missing or not matching.
        for path in [
            "/acme/main/maven/lib-1.0.jar",
            "/acme/main/maven/org/lib/lib-1.0.jar",
            "/acme/main/maven/lib/1.0/lib-1.0.jar",
            "/acme/main/maven/com/example/bad/bad-lib/1.0/",
            "/acme/main/maven/com/example/bad/bad-lib/1.0/other-lib-1.0.jar",
            "/acme/main/maven/com/example/bad/bad-lib/1.0/bad-lib-2.0.jar",
            "/acme/main/maven/com/example/bad/bad-lib/1.0/bad-lib-1.0",
            "/acme/main/maven/com/example/bad/bad-lib/1.0/bad-lib.jar",
            "/acme/main/maven/com/example/bad/bad-lib/1.0-SNAPSHOT/bad-lib-1.0.jar",
        ] {
            cases.append(("coordinate path \(path)", path, jar, admin, 400))
        }
        // Credentials: a read-only token 403, none or an unknown one 401.
        cases.append(("read-only token", jarPath, jar, "x:\(readToken)", 403))
        cases.append(("read-only token, pom", "\(Self.base)/1.0/bad-lib-1.0.pom", Self.pom(), "x:\(readToken)", 403))
        cases.append(("no token", jarPath, jar, nil, 401))
        cases.append(("unknown token", jarPath, jar, "x:dpt_not_a_token", 401))

        for (label, path, body, user, expected) in cases {
            let reply = try ws.put(path, body, user: user)
            #expect(reply.status == expected, "\(label): PUT \(path) -> \(reply.status), expected \(expected) \(reply.text.prefix(200))")
            if expected == 401 {
                #expect(reply.headers["www-authenticate"] != nil, "\(label): 401 without WWW-Authenticate \(reply.headers)")
            }
        }
        // Another repository (missing) and a token of another repository.
        #expect(try ws.put("/acme/nope/maven/com/example/bad/bad-lib/1.0/bad-lib-1.0.jar", jar, user: admin).status == 404)
        // Reads that try to leave the repository never return the admin token.
        for path in [
            "/acme/main/maven/../../admin.token", "/acme/main/maven/com/../../../admin.token",
            "/acme/main/maven/%2e%2e/%2e%2e/%2e%2e/admin.token", "/acme/main/maven/com/example/..%2f..%2f..%2f..%2fadmin.token",
            "/acme/main/maven/com/example/bad/bad-lib/1.0/..%2f..%2f..%2f..%2f..%2f..%2fstorage%2fadmin.token",
            "/acme/main/maven/com/example/bad/bad-lib/1.0/%2fetc%2fpasswd",
        ] {
            let reply = try ws.curl("GET", path, user: admin)
            #expect((400..<500).contains(reply.status), "GET \(path) -> \(reply.status)")
            #expect(!reply.text.contains(ws.server.adminToken), "GET \(path) returned the admin token")
            #expect(!reply.text.contains("root:x:0:0"), "GET \(path) returned /etc/passwd")
        }

        // Nothing was stored, no blob (or temp file) left, and the server still serves.
        #expect(try ws.mavenPackageNames() == [], "depot package list --format maven after bad uploads")
        #expect(ws.blobFiles().isEmpty, "files left in the blob store: \(ws.blobFiles())")
        #expect(try ws.curl("GET", "/healthz").status == 200)
        #expect(try ws.curl("GET", jarPath, user: admin).status == 404)

        // Now a valid jar with a publish token, then checksums that do not match it: 400, the stored hashes stay.
        let stored = try ws.put(jarPath, jar, user: "x:\(publishToken)")
        #expect((200..<300).contains(stored.status), "valid PUT \(jarPath): \(stored.status) \(stored.text.prefix(200))")
        for algorithm in ["md5", "sha1", "sha256", "sha512"] {
            let right = try ws.digest(algorithm, jar)
            let wrong = String(repeating: "0", count: right.count)
            let mismatch = try ws.put("\(jarPath).\(algorithm)", Data(wrong.utf8), user: admin)
            #expect(mismatch.status == 400, "PUT \(jarPath).\(algorithm) with another file's checksum: \(mismatch.status) \(mismatch.text.prefix(200))")
            let garbage = try ws.put("\(jarPath).\(algorithm)", Data("not a checksum".utf8), user: admin)
            #expect(garbage.status == 400, "PUT \(jarPath).\(algorithm) with garbage: \(garbage.status)")
            // The right checksum is accepted, in upper case too.
            let upper = try ws.put("\(jarPath).\(algorithm)", Data(right.uppercased().utf8), user: admin)
            #expect((200..<300).contains(upper.status), "PUT \(jarPath).\(algorithm) upper-case: \(upper.status) \(upper.text.prefix(200))")
            let lower = try ws.put("\(jarPath).\(algorithm)", Data(right.utf8), user: admin)
            #expect((200..<300).contains(lower.status), "PUT \(jarPath).\(algorithm): \(lower.status) \(lower.text.prefix(200))")
            let served = try ws.curl("GET", "\(jarPath).\(algorithm)", user: admin)
            #expect(served.status == 200 && served.text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased().hasPrefix(right),
                    "GET \(jarPath).\(algorithm) -> \(served.status) \(served.text)")
        }
        // Without its maven-metadata.xml the release is Unfinished.
        #expect(try ws.mavenVersions("com.example.bad:bad-lib")?["1.0"] == "Unfinished")
        // The same bytes again are fine, other bytes 409; the jar is unchanged.
        let same = try ws.put(jarPath, jar, user: admin)
        #expect((200..<300).contains(same.status), "same bytes again: \(same.status) \(same.text.prefix(200))")
        var other = jar
        other.append(0x0A)
        let conflict = try ws.put(jarPath, other, user: admin)
        #expect(conflict.status == 409, "other bytes under a release file: \(conflict.status) \(conflict.text.prefix(200))")
        let download = try ws.curl("GET", jarPath, user: admin)
        #expect(download.status == 200 && download.body == jar, "GET \(jarPath) -> \(download.status)")
        #expect(try ws.mavenPackageNames() == ["com.example.bad:bad-lib"])
        #expect(try ws.curl("GET", "/healthz").status == 200)
        #expect(!ws.server.log.contains(" 500 "), "\(ws.server.log.split(separator: "\n").filter { $0.contains(" 500 ") }.joined(separator: "\n"))")
    }
}
