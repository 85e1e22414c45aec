import DepotCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DepotServer

@Suite("npm registry routes")
struct NpmRegistryTests {
    @Test("publish, then the full packument, a version manifest and the tarball")
    func publishAndRead() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            let tarball = NpmPublish.tarball(1)
            let published = try await depot.publish("@s/pkg", tarball: tarball, readme: "# pkg readme")
            #expect(published.status == .created)
            #expect(try published.object()["ok"] as? Bool == true)

            for path in ["/acme/main/npm/@s%2fpkg", "/acme/main/npm/@s%2Fpkg", "/acme/main/npm/@s/pkg"] {
                let response = try await depot.request(.get, path)
                #expect(response.status == .ok, "\(path)")
                #expect(response.headers[.contentType] == "application/json")
            }
            let response = try await depot.request(.get, "/acme/main/npm/@s%2fpkg")
            #expect(response.headers[.eTag] != nil)
            let doc = try response.object()
            #expect(doc["_id"] as? String == "@s/pkg")
            #expect(doc["name"] as? String == "@s/pkg")
            #expect((doc["_rev"] as? String)?.isEmpty == false)
            #expect(doc["dist-tags"] as? [String: String] == ["latest": "1.0.0"])
            #expect(doc["readme"] as? String == "# pkg readme")
            let versions = try #require(doc["versions"] as? [String: [String: Any]])
            let manifest = try #require(versions["1.0.0"])
            #expect(manifest["readme"] == nil)
            #expect(manifest["_id"] as? String == "@s/pkg@1.0.0")
            let dist = try #require(manifest["dist"] as? [String: Any])
            #expect(dist["tarball"] as? String == "http://localhost/acme/main/npm/@s/pkg/-/pkg-1.0.0.tgz")
            #expect(dist["integrity"] as? String == NpmPublish.integrity(tarball))
            #expect(dist["shasum"] as? String == NpmPublish.digests(tarball).sha1)
            let time = try #require(doc["time"] as? [String: String])
            #expect(time["created"] != nil && time["modified"] != nil && time["1.0.0"] != nil)

            let single = try await depot.request(.get, "/acme/main/npm/@s%2fpkg/1.0.0")
            #expect(single.status == .ok)
            #expect(try single.object()["version"] as? String == "1.0.0")
            let byTag = try await depot.request(.get, "/acme/main/npm/@s%2fpkg/latest")
            #expect(try byTag.object()["version"] as? String == "1.0.0")
            #expect(try await depot.request(.get, "/acme/main/npm/@s%2fpkg/2.0.0").status == .notFound)

            let download = try await depot.request(.get, "/acme/main/npm/@s/pkg/-/pkg-1.0.0.tgz")
            #expect(download.status == .ok)
            #expect(download.bytes == tarball)
            #expect(download.headers[.eTag] == "\"\(NpmPublish.digests(tarball).sha256)\"")
            #expect(download.headers[.contentType] == "application/octet-stream")
            #expect(try await depot.request(.get, "/acme/main/npm/@s/pkg/-/pkg-9.9.9.tgz").status == .notFound)
            #expect(try await depot.request(.get, "/acme/main/npm/@s/pkg/-/other-1.0.0.tgz").status == .notFound)

            // X-Forwarded-Proto counts only from a trusted proxy (none here: router tests have no peer address).
            var headers = HTTPFields()
            headers[HTTPField.Name("X-Forwarded-Proto")!] = "https"
            let proxied = try await depot.request(.get, "/acme/main/npm/@s%2fpkg", headers: headers).object()
            let proxiedVersions = try #require(proxied["versions"] as? [String: [String: Any]])
            #expect(
                (proxiedVersions["1.0.0"]?["dist"] as? [String: Any])?["tarball"] as? String
                    == "http://localhost/acme/main/npm/@s/pkg/-/pkg-1.0.0.tgz")
        }
    }

    @Test("a body with escaped slashes and an unscoped attachment name publishes too")
    func escapedSlashesBody() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            let tarball = NpmPublish.tarball(5, count: 20_000)
            let body = try NpmPublish.body(name: "@s/pkg", version: "1.0.0", tarball: tarball, readme: "r", npmStyle: false)
            #expect(String(decoding: body, as: UTF8.self).contains("\\/"))
            let response = try await depot.publish("@s/pkg", tarball: tarball, npmStyle: false)
            #expect(response.status == .created)
            #expect(try await depot.request(.get, "/acme/main/npm/@s/pkg/-/pkg-1.0.0.tgz").bytes == tarball)
            let version = try await depot.request(.get, "/api/v1/domains/acme/repositories/main/packages/npm/%40s%2Fpkg/versions/1.0.0")
            #expect((try version.object()["assets"] as? [[String: Any]])?.first?["name"] as? String == "pkg-1.0.0.tgz")
        }
    }

    @Test("concurrent publishes of one version: same bytes all succeed, different bytes exactly one wins")
    func concurrentPublishes() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            let same = NpmPublish.tarball(1)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<6 { group.addTask { try await depot.publish("same", tarball: same).status } }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == .created || $0 == .ok }, "\(statuses)")

            let outcomes = try await withThrowingTaskGroup(of: (UInt8, HTTPResponse.Status).self) { group in
                for seed in UInt8(10)..<UInt8(16) {
                    group.addTask { (seed, try await depot.publish("contested", tarball: NpmPublish.tarball(seed)).status) }
                }
                return try await group.reduce(into: [(UInt8, HTTPResponse.Status)]()) { $0.append($1) }
            }
            let winners = outcomes.filter { $0.1 == .created }
            try #require(winners.count == 1, "\(outcomes)")
            #expect(outcomes.filter { $0.1 == .conflict }.count == 5)
            let download = try await depot.request(.get, "/acme/main/npm/contested/-/contested-1.0.0.tgz")
            #expect(download.bytes == NpmPublish.tarball(winners[0].0))
            // The losers' bytes were not kept: one blob per package.
            #expect(depot.blobFiles().count == 2)
        }
    }

    @Test("a wrong integrity or shasum is refused with 400 and stores nothing")
    func wrongIntegrity() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            let tarball = NpmPublish.tarball(1)
            let other = NpmPublish.tarball(2)
            let badIntegrity = try await depot.publish("pkg", tarball: tarball, integrity: NpmPublish.integrity(other))
            #expect(badIntegrity.status == .badRequest)
            #expect(try badIntegrity.object()["code"] as? String == "IntegrityMismatch")
            #expect(try badIntegrity.object()["error"] as? String != nil)
            let badShasum = try await depot.publish("pkg", tarball: tarball, shasum: NpmPublish.digests(other).sha1)
            #expect(badShasum.status == .badRequest)

            #expect(try await depot.request(.get, "/acme/main/npm/pkg").status == .notFound)
            let list = try #require(
                try await depot.request(.get, "/api/v1/domains/acme/repositories/main/packages").object()["packages"] as? [Any])
            #expect(list.isEmpty)
            #expect(depot.blobFiles().isEmpty)
        }
    }

    @Test("republishing the same bytes succeeds; other bytes for the same version get 409")
    func immutability() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            let tarball = NpmPublish.tarball(1)
            #expect(try await depot.publish("pkg", tarball: tarball).status == .created)
            let again = try await depot.publish("pkg", tarball: tarball)
            #expect(again.status == .created || again.status == .ok)
            let different = try await depot.publish("pkg", tarball: NpmPublish.tarball(2))
            #expect(different.status == .conflict)
            #expect(try different.object()["code"] as? String == "VersionExists")
            #expect(try await depot.request(.get, "/acme/main/npm/pkg/-/pkg-1.0.0.tgz").bytes == tarball)
            // Only the original blob is on disk; the refused upload left no file behind.
            #expect(depot.blobFiles().count == 1)
        }
    }

    @Test("malformed publishes are refused with 400")
    func malformedPublishes() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            var json = HTTPFields()
            json[.contentType] = "application/json"
            let tarball = NpmPublish.tarball(1)
            let valid = try NpmPublish.body(name: "pkg", version: "1.0.0", tarball: tarball, readme: "r")
            let cases: [(String, [UInt8])] = [
                ("truncated", Array(valid.prefix(valid.count / 2))),
                ("not an object", Array("[1,2,3]".utf8)),
                ("trailing garbage", valid + Array(" {}".utf8)),
                ("name mismatch", try NpmPublish.body(name: "other", version: "1.0.0", tarball: tarball, readme: "r")),
                ("bad version", try NpmPublish.body(name: "pkg", version: "1.0", tarball: tarball, readme: "r")),
                ("bad base64", Array(String(decoding: valid, as: UTF8.self).replacingOccurrences(of: "\"data\":\"", with: "\"data\":\"*").utf8)),
            ]
            for (label, body) in cases {
                let response = try await depot.request(.put, "/acme/main/npm/pkg", headers: json, body: body)
                #expect(response.status == .badRequest, "\(label): \(response.text)")
            }
            #expect(try await depot.request(.get, "/acme/main/npm/pkg").status == .notFound)
            #expect(depot.blobFiles().isEmpty)
        }
    }

    @Test("traversal attempts through the HTTP route get 400 or 404 and never a file")
    func traversalOverHTTP() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            for path in [
                "/acme/main/npm/%2e%2e", "/acme/main/npm/%2E%2E/etc", "/acme/main/npm/pkg/-/..%2f..%2fetc%2fpasswd",
                "/acme/main/npm/pkg%00", "/acme/main/npm/pkg/-/a%5cb.tgz", "/acme/main/npm/%zz", "/acme/main/npm/@S%2Fpkg",
            ] {
                let response = try await depot.request(.get, path)
                #expect(response.status == .badRequest, "\(path)")
            }
            #expect(try await depot.request(.get, "/acme/main/npm/-/nothing").status == .notFound)
        }
    }

    @Test("abbreviated packuments, ETag revalidation and gzip")
    func negotiation() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            let readme = String(repeating: "A long readme line that makes the packument large enough to compress.\n", count: 200)
            try await depot.publish("pkg", tarball: NpmPublish.tarball(1), readme: readme)

            var accept = HTTPFields()
            accept[.accept] = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*"
            let abbreviated = try await depot.request(.get, "/acme/main/npm/pkg", headers: accept)
            #expect(abbreviated.status == .ok)
            #expect(abbreviated.headers[.contentType] == "application/vnd.npm.install-v1+json")
            let corgi = try abbreviated.object()
            #expect(Set(corgi.keys) == ["name", "modified", "dist-tags", "versions"])
            let corgiVersion = try #require((corgi["versions"] as? [String: [String: Any]])?["1.0.0"])
            #expect(corgiVersion["scripts"] == nil)
            #expect(corgiVersion["description"] == nil)
            #expect(corgiVersion["readme"] == nil)
            #expect(corgiVersion["dependencies"] as? [String: String] == ["left-pad": "^1.3.0"])
            #expect((corgiVersion["dist"] as? [String: Any])?["tarball"] as? String == "http://localhost/acme/main/npm/pkg/-/pkg-1.0.0.tgz")

            let full = try await depot.request(.get, "/acme/main/npm/pkg")
            #expect(full.headers[.contentType] == "application/json")
            #expect(try full.object()["readme"] as? String == readme)
            let etag = try #require(full.headers[.eTag])
            #expect(abbreviated.headers[.eTag] != etag)
            #expect(full.headers[.vary]?.contains("Accept") == true)

            var conditional = HTTPFields()
            conditional[.ifNoneMatch] = etag
            let notModified = try await depot.request(.get, "/acme/main/npm/pkg", headers: conditional)
            #expect(notModified.status == .notModified)
            #expect(notModified.body.readableBytes == 0)
            // RFC 9110 §15.4.5: the validators and caching fields, no representation metadata.
            #expect(notModified.headers[.eTag] == etag && notModified.headers[.vary] == full.headers[.vary])
            #expect(notModified.headers[.contentType] == nil && notModified.headers[.contentLength] == nil)
            conditional[.ifNoneMatch] = "\"other\", \(etag)"
            #expect(try await depot.request(.get, "/acme/main/npm/pkg", headers: conditional).status == .notModified)
            conditional[.ifNoneMatch] = "\"stale\""
            #expect(try await depot.request(.get, "/acme/main/npm/pkg", headers: conditional).status == .ok)

            var gzip = HTTPFields()
            gzip[.acceptEncoding] = "gzip, deflate, br"
            let compressed = try await depot.request(.get, "/acme/main/npm/pkg", headers: gzip)
            #expect(compressed.status == .ok)
            #expect(compressed.headers[.contentEncoding] == "gzip")
            #expect(Array(compressed.bytes.prefix(2)) == [0x1f, 0x8b])
            #expect(compressed.body.readableBytes < full.body.readableBytes)

            // A new version changes the ETag: the old one no longer matches.
            try await depot.publish("pkg", version: "1.1.0", tarball: NpmPublish.tarball(2), readme: readme)
            conditional[.ifNoneMatch] = etag
            let changed = try await depot.request(.get, "/acme/main/npm/pkg", headers: conditional)
            #expect(changed.status == .ok)
            #expect(changed.headers[.eTag] != etag)
            #expect((try changed.object()["versions"] as? [String: Any])?.count == 2)
        }
    }

    @Test("reads need a token unless the repository allows anonymous reads")
    func anonymousReads() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            try await depot.publish("pkg", tarball: NpmPublish.tarball(1))
            let anonymous = try await depot.request(.get, "/acme/main/npm/pkg", auth: .anonymous)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.wwwAuthenticate] != nil)
            #expect(try await depot.request(.get, "/acme/nope/npm/pkg", auth: .anonymous).status == .unauthorized)
            #expect(try await depot.request(.get, "/acme/nope/npm/pkg").status == .notFound)
            let basic = try await depot.request(.get, "/acme/main/npm/pkg", auth: .basic(user: "aws", password: depot.adminToken))
            #expect(basic.status == .ok)

            let opened = try await depot.request(.patch, "/api/v1/domains/acme/repositories/main", json: ["allowAnonymousRead": true])
            #expect(opened.status == .ok)
            #expect(try await depot.request(.get, "/acme/main/npm/pkg", auth: .anonymous).status == .ok)
            #expect(try await depot.request(.get, "/acme/main/npm/pkg/-/pkg-1.0.0.tgz", auth: .anonymous).status == .ok)
            let anonymousPublish = try await depot.publish("pkg", version: "2.0.0", tarball: NpmPublish.tarball(2), auth: .anonymous)
            #expect(anonymousPublish.status == .unauthorized)
        }
    }

    @Test("ping, whoami, search, audit, dist-tags, deprecate and unpublish")
    func otherEndpoints() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            try await depot.publish("@s/pkg", tarball: NpmPublish.tarball(1))
            try await depot.publish("@s/pkg", version: "1.1.0-beta.1", tarball: NpmPublish.tarball(2), distTags: ["beta": "1.1.0-beta.1"])
            try await depot.publish("unrelated", tarball: NpmPublish.tarball(3))

            let ping = try await depot.request(.get, "/acme/main/npm/-/ping", auth: .anonymous)
            #expect(ping.status == .ok)
            #expect(try ping.object().isEmpty)
            #expect(try await depot.request(.get, "/acme/main/npm/-/whoami").object()["username"] as? String == "admin")
            #expect(try await depot.request(.get, "/acme/main/npm/-/whoami", auth: .anonymous).status == .unauthorized)

            let search = try await depot.request(.get, "/acme/main/npm/-/v1/search?text=pkg&size=10")
            #expect(search.status == .ok)
            let objects = try #require(try search.object()["objects"] as? [[String: Any]])
            #expect(objects.compactMap { ($0["package"] as? [String: Any])?["name"] as? String } == ["@s/pkg"])

            let audit = try await depot.request(.post, "/acme/main/npm/-/npm/v1/security/advisories/bulk", json: ["@s/pkg": ["1.0.0"]])
            #expect(audit.status == .ok)
            #expect(try audit.object().isEmpty)
            #expect(try await depot.request(.post, "/acme/main/npm/-/npm/v1/security/audits/quick", json: [String: Any]()).status == .ok)

            // dist-tags: the publish's tag, then set, list and remove one.
            #expect(try await depot.request(.get, "/acme/main/npm/-/package/@s%2fpkg/dist-tags").object() as? [String: String]
                == ["latest": "1.0.0", "beta": "1.1.0-beta.1"])
            let set = try await depot.request(.put, "/acme/main/npm/-/package/@s%2fpkg/dist-tags/next", json: "1.1.0-beta.1")
            #expect(set.status == .created)
            #expect(try await depot.request(.get, "/acme/main/npm/-/package/@s/pkg/dist-tags").object()["next"] as? String == "1.1.0-beta.1")
            #expect(try await depot.request(.put, "/acme/main/npm/-/package/@s%2fpkg/dist-tags/1.0.0", json: "1.0.0").status == .badRequest)
            #expect(try await depot.request(.put, "/acme/main/npm/-/package/@s%2fpkg/dist-tags/x", json: "7.7.7").status == .notFound)
            #expect(try await depot.request(.delete, "/acme/main/npm/-/package/@s%2fpkg/dist-tags/next").status == .ok)
            #expect(try await depot.request(.delete, "/acme/main/npm/-/package/@s%2fpkg/dist-tags/latest").status == .badRequest)
            #expect(try await depot.request(.delete, "/acme/main/npm/-/package/@s%2fpkg/dist-tags/next").status == .notFound)

            // Deprecate: GET ?write=true, set versions[v].deprecated, PUT it back.
            var writable = try await depot.request(.get, "/acme/main/npm/@s%2fpkg?write=true").object()
            var versions = try #require(writable["versions"] as? [String: [String: Any]])
            versions["1.0.0"]?["deprecated"] = "use 1.1"
            writable["versions"] = versions
            let deprecate = try await depot.request(.put, "/acme/main/npm/@s%2fpkg", json: writable)
            #expect(deprecate.status == .ok)
            let corgiHeaders: HTTPFields = [.accept: "application/vnd.npm.install-v1+json"]
            let corgi = try await depot.request(.get, "/acme/main/npm/@s%2fpkg", headers: corgiHeaders).object()
            #expect(((corgi["versions"] as? [String: [String: Any]])?["1.0.0"])?["deprecated"] as? String == "use 1.1")

            // Unpublish one version: PUT /-rev without it, then DELETE its tarball.
            var withoutBeta = try await depot.request(.get, "/acme/main/npm/@s%2fpkg?write=true").object()
            let rev = try #require(withoutBeta["_rev"] as? String)
            var remaining = try #require(withoutBeta["versions"] as? [String: [String: Any]])
            remaining.removeValue(forKey: "1.1.0-beta.1")
            withoutBeta["versions"] = remaining
            withoutBeta["dist-tags"] = ["latest": "1.0.0"]
            #expect(try await depot.request(.put, "/acme/main/npm/@s%2fpkg/-rev/\(rev)", json: withoutBeta).status == .ok)
            #expect(try await depot.request(.delete, "/acme/main/npm/@s/pkg/-/pkg-1.1.0-beta.1.tgz/-rev/\(rev)").status == .ok)
            let afterUnpublish = try await depot.request(.get, "/acme/main/npm/@s%2fpkg").object()
            #expect((afterUnpublish["versions"] as? [String: Any]).map { Set($0.keys) } == ["1.0.0"])
            #expect(afterUnpublish["dist-tags"] as? [String: String] == ["latest": "1.0.0"])

            // Unpublish everything.
            let finalRev = try #require(try await depot.request(.get, "/acme/main/npm/@s%2fpkg?write=true").object()["_rev"] as? String)
            #expect(try await depot.request(.delete, "/acme/main/npm/@s%2fpkg/-rev/\(finalRev)").status == .ok)
            #expect(try await depot.request(.get, "/acme/main/npm/@s%2fpkg").status == .notFound)
            #expect(try await depot.request(.get, "/acme/main/npm/unrelated").status == .ok)
            #expect(depot.blobFiles().count == 1)
        }
    }

    @Test("legacy npm login accepts a Depot token as the password")
    func login() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            let token = try await depot.createToken(permissions: ["read"])
            let ok = try await depot.request(
                .put, "/acme/main/npm/-/user/org.couchdb.user:bob", auth: .anonymous,
                json: ["name": "bob", "password": token.secret])
            #expect(ok.status == .created)
            #expect(try ok.object()["token"] as? String == token.secret)
            let bad = try await depot.request(
                .put, "/acme/main/npm/-/user/org.couchdb.user:bob", auth: .anonymous, json: ["name": "bob", "password": "hunter2"])
            #expect(bad.status == .unauthorized)
            #expect(!bad.text.contains("hunter2"))
        }
    }

    @Test("uploads above maxUploadSize are refused with 413")
    func uploadLimit() async throws {
        try await Depot.run(configure: { $0.maxUploadSize = 4096 }) { depot in
            try await depot.standardSetup()
            let response = try await depot.publish("pkg", tarball: NpmPublish.tarball(1, count: 8000))
            #expect(response.status == .contentTooLarge)
            #expect(depot.blobFiles().isEmpty)
        }
    }
}
