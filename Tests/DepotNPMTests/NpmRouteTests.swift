import DepotCore
import Foundation
import Testing

@testable import DepotNPM

@Suite("NpmRoute")
struct NpmRouteTests {
    func route(_ path: String) throws -> NpmRoute {
        try NpmRoute.parse(rawPath: Substring(path))
    }

    func name(_ text: String) throws -> NpmPackageName {
        try NpmPackageName(text)
    }

    @Test("special endpoints")
    func specialEndpoints() throws {
        #expect(try route("-/ping") == .ping)
        #expect(try route("-/whoami") == .whoami)
        #expect(try route("-/v1/search") == .search)
        #expect(try route("-/user/org.couchdb.user:bob") == .login(user: "bob"))
        #expect(try route("-/user/org.couchdb.user%3Abob") == .login(user: "bob"))
        #expect(try route("-/npm/v1/security/advisories/bulk") == .auditBulk)
        #expect(try route("-/npm/v1/security/audits/quick") == .auditQuick)
    }

    @Test("dist-tag endpoints with escaped and unescaped scoped names")
    func distTags() throws {
        #expect(try route("-/package/@s%2fn/dist-tags") == .distTags(name("@s/n")))
        #expect(try route("-/package/@s%2Fn/dist-tags") == .distTags(name("@s/n")))
        #expect(try route("-/package/@s/n/dist-tags") == .distTags(name("@s/n")))
        #expect(try route("-/package/pkg/dist-tags") == .distTags(name("pkg")))
        #expect(try route("-/package/@s/n/dist-tags/beta") == .distTag(name("@s/n"), tag: "beta"))
        #expect(try route("-/package/@s%2fn/dist-tags/beta") == .distTag(name("@s/n"), tag: "beta"))
        #expect(try route("-/package/pkg/dist-tags/next") == .distTag(name("pkg"), tag: "next"))
    }

    @Test("package documents")
    func packages() throws {
        #expect(try route("pkg") == .package(name("pkg")))
        #expect(try route("pkg/") == .package(name("pkg")))
        #expect(try route("@s%2fpkg") == .package(name("@s/pkg")))
        #expect(try route("@s%2Fpkg") == .package(name("@s/pkg")))
        #expect(try route("%40s%2fpkg") == .package(name("@s/pkg")))
        #expect(try route("@s/pkg") == .package(name("@s/pkg")))
        #expect(try route("pkg/1.0.0") == .packageVersion(name("pkg"), version: "1.0.0"))
        #expect(try route("pkg/latest") == .packageVersion(name("pkg"), version: "latest"))
        #expect(try route("@s/pkg/2.0.0-beta.1") == .packageVersion(name("@s/pkg"), version: "2.0.0-beta.1"))
        #expect(try route("pkg/-rev/3-a") == .packageRevision(name("pkg"), revision: "3-a"))
        #expect(try route("@s%2fpkg/-rev/3-a") == .packageRevision(name("@s/pkg"), revision: "3-a"))
    }

    @Test("tarballs")
    func tarballs() throws {
        #expect(try route("pkg/-/pkg-1.0.0.tgz") == .tarball(name("pkg"), file: "pkg-1.0.0.tgz"))
        #expect(try route("@s/pkg/-/pkg-1.0.0.tgz") == .tarball(name("@s/pkg"), file: "pkg-1.0.0.tgz"))
        #expect(try route("@s%2fpkg/-/pkg-1.0.0.tgz") == .tarball(name("@s/pkg"), file: "pkg-1.0.0.tgz"))
        #expect(
            try route("@s/pkg/-/pkg-1.0.0.tgz/-rev/2-b") == .tarballRevision(name("@s/pkg"), file: "pkg-1.0.0.tgz", revision: "2-b"))
        #expect(try route("pkg/-/pkg-1.0.0.tgz/-rev/2-b") == .tarballRevision(name("pkg"), file: "pkg-1.0.0.tgz", revision: "2-b"))
    }

    @Test(
        "uppercase and malformed names are refused with 400",
        arguments: ["@S%2Fpkg", "@S/pkg", "Pkg", "@s%2FPkg", "@s", "@s/", "_private", ".pkg/1.0.0"])
    func invalidNames(_ path: String) {
        let error = depotError { _ = try route(path) }
        #expect(error?.kind == .badRequest)
    }

    @Test(
        "traversal and bad encodings are refused with 400",
        arguments: [
            "..", "%2e%2e", "%2E%2E", "%2E%2E/etc", "%2e%2e%2fetc%2fpasswd", "pkg/..", "pkg/-/..", "pkg/-/%2e%2e",
            "pkg/-/..%2f..%2fetc%2fpasswd", "pkg/-/..%2F..%2Fetc%2Fpasswd", "%00", "pkg%00", "pkg/-/pkg-1.0.0.tgz%00",
            "pkg/-/a%5cb", "pkg/-/..%5c..%5cwindows", "%5c", "pkg/%zz", "%zz", "pkg/-/pkg%2", ".", "pkg/.", "%2e",
            "pkg/-/a%2fb.tgz", "pkg/1.0.0%2f..", "-/package/%2e%2e/dist-tags", "-/package/pkg/dist-tags/%2e%2e",
            "pkg/-rev/..", "@s/%2e%2e", "%2fetc%2fpasswd", "-/user/org.couchdb.user:..%2f..",
        ])
    func traversal(_ path: String) {
        let error = depotError { _ = try route(path) }
        #expect(error?.kind == .badRequest, "\(path) -> \(String(describing: error))")
    }

    @Test(
        "unknown paths are 404",
        arguments: [
            "", "-", "-/", "-/unknown", "-/v1", "-/v1/search/extra", "-/user", "-/user/bob", "-/npm/v1/security/audits",
            "-/package", "-/package/pkg", "-/package/pkg/other", "-/package/pkg/dist-tags/a/b", "-/package/@s/dist-tags", "pkg/a/b",
            "pkg/-/file.tgz/extra", "pkg/-/file.tgz/-rev", "pkg/1.0.0/extra/more/stuff", "@s/pkg/a/b/c/d",
        ])
    func unknown(_ path: String) {
        let error = depotError { _ = try route(path) }
        #expect(error?.kind == .notFound, "\(path) -> \(String(describing: error))")
    }

    @Test("dist-tag names are validated")
    func tagValidation() throws {
        try NpmController.validate(tag: "beta")
        try NpmController.validate(tag: "next-2.x")
        for bad in ["", "1.0.0", "2.0.0-rc.1", "a/b", "a b", "t\u{e9}g", String(repeating: "x", count: 65), "%2e"] {
            let error = depotError { try NpmController.validate(tag: bad) }
            #expect(error?.code == "InvalidTag", "\(bad)")
        }
    }

    @Test("a forwarded quick audit loses internal names everywhere and the root project's own name and version")
    func quickAuditForwardable() throws {
        let document: [String: Any] = [
            "name": "@acme/secret-app", "version": "3.1.4",
            "requires": ["lodash": "^4.17.0", "@acme/internal": "^1.0.0"],
            "dependencies": [
                "lodash": ["version": "4.17.21"],
                "@acme/internal": ["version": "1.0.0", "requires": ["left-pad": "1.0.0"]],
                "express": ["version": "4.18.2", "dependencies": ["@acme/internal": ["version": "1.0.0"]]],
            ],
        ]
        let sent = NpmController.forwardable(document, removing: ["@acme/internal"], endpoint: .quick)
        #expect(sent["name"] as? String == "project")
        #expect(sent["version"] as? String == "0.0.0")
        #expect((sent["requires"] as? [String: Any])?.keys.sorted() == ["lodash"])
        let dependencies = try #require(sent["dependencies"] as? [String: Any])
        #expect(dependencies.keys.sorted() == ["express", "lodash"])
        #expect(((dependencies["express"] as? [String: Any])?["dependencies"] as? [String: Any])?.isEmpty == true)
        let text = String(decoding: try JSONSerialization.data(withJSONObject: sent), as: UTF8.self)
        #expect(!text.contains("secret-app") && !text.contains("3.1.4") && !text.contains("@acme/internal"))

        let bulk = NpmController.forwardable(["lodash": ["4.17.21"], "@acme/internal": ["1.0.0"]], removing: ["@acme/internal"], endpoint: .bulk)
        #expect(bulk.keys.sorted() == ["lodash"])
    }
}
