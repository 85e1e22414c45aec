import DepotCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DepotServer

@Suite("Packages API")
struct PackageAPITests {
    static let packages = "/api/v1/domains/acme/repositories/main/packages"
    static let scoped = "\(packages)/npm/%40s%2Fpkg"
    static let tarballPath = "/acme/main/npm/@s/pkg/-/pkg-1.0.0.tgz"

    @Test("a published npm package is listed and described with origin controls, versions, assets and hashes")
    func listAndDescribe() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            let tarball = NpmPublish.tarball(1)
            let digests = NpmPublish.digests(tarball)
            #expect(try await depot.publish("@s/pkg", tarball: tarball).status == .created)
            #expect(try await depot.publish("@s/pkg", version: "1.1.0", tarball: NpmPublish.tarball(2)).status == .created)
            #expect(try await depot.publish("other-pkg", tarball: NpmPublish.tarball(3)).status == .created)

            let list = try await depot.request(.get, Self.packages)
            #expect(list.status == .ok)
            let all = try #require(try list.object()["packages"] as? [[String: Any]])
            #expect(Set(all.compactMap { $0["package"] as? String }) == ["@s/pkg", "other-pkg"])
            let entry = try #require(all.first { $0["package"] as? String == "@s/pkg" })
            #expect(entry["format"] as? String == "npm")
            #expect(entry["namespace"] as? String == "s")
            #expect(entry["name"] as? String == "pkg")
            #expect(entry["versionCount"] as? Int == 2)

            let scopedOnly = try #require(
                try await depot.request(.get, "\(Self.packages)?format=npm&namespace=s").object()["packages"] as? [[String: Any]])
            #expect(scopedOnly.compactMap { $0["package"] as? String } == ["@s/pkg"])
            let prefixed = try #require(try await depot.request(.get, "\(Self.packages)?prefix=oth").object()["packages"] as? [[String: Any]])
            #expect(prefixed.compactMap { $0["package"] as? String } == ["other-pkg"])
            let unknownFormat = try await depot.request(.get, "\(Self.packages)?format=cobol")
            #expect(unknownFormat.status == .badRequest)

            let described = try await depot.request(.get, Self.scoped)
            #expect(described.status == .ok)
            let package = try described.object()
            #expect(package["package"] as? String == "@s/pkg")
            #expect(package["originConfiguration"] as? [String: String] == ["publish": "ALLOW", "upstream": "BLOCK"])
            #expect(package["latestVersion"] as? String == "1.1.0")
            #expect(package["tags"] as? [String: String] == ["latest": "1.1.0"])
            #expect(package["versionCount"] as? Int == 2)
            // The unencoded form of the name is accepted too.
            #expect(try await depot.request(.get, "\(Self.packages)/npm/@s%2fpkg").status == .ok)
            let missing = try await depot.request(.get, "\(Self.packages)/npm/nothing")
            #expect(missing.status == .notFound)
            #expect(try missing.apiErrorCode() == "PackageNotFound")
            let badName = try await depot.request(.get, "\(Self.packages)/npm/Bad%20Name")
            #expect(badName.status == .badRequest)

            let versions = try #require(try await depot.request(.get, "\(Self.scoped)/versions").object()["versions"] as? [[String: Any]])
            #expect(versions.compactMap { $0["version"] as? String } == ["1.0.0", "1.1.0"])
            #expect(versions.allSatisfy { $0["status"] as? String == "Published" })

            let version = try await depot.request(.get, "\(Self.scoped)/versions/1.0.0")
            #expect(version.status == .ok)
            let v = try version.object()
            #expect(v["version"] as? String == "1.0.0")
            #expect(v["status"] as? String == "Published")
            #expect(v["package"] as? String == "@s/pkg")
            #expect(v["format"] as? String == "npm")
            #expect(v["summary"] as? String == "the @s/pkg package")
            #expect(v["origin"] as? [String: String] == ["type": "INTERNAL", "repository": "main"])
            let assets = try #require(v["assets"] as? [[String: Any]])
            try #require(assets.count == 1)
            #expect(assets[0]["name"] as? String == "pkg-1.0.0.tgz")
            #expect(assets[0]["size"] as? Int == tarball.count)
            #expect(
                assets[0]["hashes"] as? [String: String] == [
                    "md5": digests.md5, "sha1": digests.sha1, "sha256": digests.sha256, "sha512": digests.sha512,
                ])
            let noVersion = try await depot.request(.get, "\(Self.scoped)/versions/9.9.9")
            #expect(noVersion.status == .notFound)
            #expect(try noVersion.apiErrorCode() == "VersionNotFound")
        }
    }

    @Test("status changes: Unlisted hides from the packument, Archived blocks downloads, Disposed removes the assets")
    func statuses() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            let tarball = NpmPublish.tarball(7)
            try await depot.publish("@s/pkg", tarball: tarball)
            #expect(try await depot.request(.get, "/acme/main/npm/@s%2fpkg").status == .ok)

            let unlisted = try await depot.request(.patch, "\(Self.scoped)/versions/1.0.0", json: ["status": "Unlisted"])
            #expect(unlisted.status == .ok)
            #expect(try unlisted.object()["status"] as? String == "Unlisted")
            let packument = try await depot.request(.get, "/acme/main/npm/@s%2fpkg")
            if packument.status == .ok {
                let versions = try #require(try packument.object()["versions"] as? [String: Any])
                #expect(versions["1.0.0"] == nil)
            } else {
                #expect(packument.status == .notFound)
            }
            let download = try await depot.request(.get, Self.tarballPath)
            #expect(download.status == .ok)
            #expect(download.bytes == tarball)
            // npm's read-for-write (unpublish, deprecate) still sees the unlisted version.
            let forWrite = try await depot.request(.get, "/acme/main/npm/@s%2fpkg?write=true")
            #expect(forWrite.status == .ok)
            #expect((try forWrite.object()["versions"] as? [String: Any])?["1.0.0"] != nil)
            let filtered = try #require(
                try await depot.request(.get, "\(Self.scoped)/versions?status=unlisted").object()["versions"] as? [[String: Any]])
            #expect(filtered.count == 1)
            let none = try #require(
                try await depot.request(.get, "\(Self.scoped)/versions?status=Published").object()["versions"] as? [[String: Any]])
            #expect(none.isEmpty)
            #expect(try await depot.request(.get, "\(Self.scoped)/versions?status=Bogus").status == .badRequest)

            let archived = try await depot.request(.patch, "\(Self.scoped)/versions/1.0.0", json: ["status": "Archived"])
            #expect(try archived.object()["status"] as? String == "Archived")
            #expect(try await depot.request(.get, Self.tarballPath).status == .notFound)

            let republished = try await depot.request(.patch, "\(Self.scoped)/versions/1.0.0", json: ["status": "published"])
            #expect(try republished.object()["status"] as? String == "Published")
            #expect(try await depot.request(.get, Self.tarballPath).bytes == tarball)
            #expect(try await depot.request(.get, "/acme/main/npm/@s%2fpkg").status == .ok)

            let invalid = try await depot.request(.patch, "\(Self.scoped)/versions/1.0.0", json: ["status": "Gone"])
            #expect(invalid.status == .badRequest)
            #expect(try invalid.apiErrorCode() == "InvalidStatus")
            let disposedViaPatch = try await depot.request(.patch, "\(Self.scoped)/versions/1.0.0", json: ["status": "Disposed"])
            #expect(disposedViaPatch.status == .badRequest)

            let disposed = try await depot.request(.post, "\(Self.scoped)/versions/1.0.0/dispose")
            #expect(disposed.status == .ok)
            #expect(try disposed.object()["status"] as? String == "Disposed")
            #expect(try disposed.object()["assets"] as? [Any] != nil)
            #expect((try disposed.object()["assets"] as? [Any])?.isEmpty == true)
            let after = try await depot.request(.get, "\(Self.scoped)/versions/1.0.0").object()
            #expect(after["status"] as? String == "Disposed")
            #expect((after["assets"] as? [Any])?.isEmpty == true)
            #expect(try await depot.request(.get, Self.tarballPath).status == .notFound)
            // The blob is gone from disk (no other asset refers to it).
            #expect(depot.blobFiles().filter { !$0.hasPrefix("tmp/") }.isEmpty)
            // A disposed version keeps its record: it cannot change status or be published again.
            #expect(try await depot.request(.patch, "\(Self.scoped)/versions/1.0.0", json: ["status": "Published"]).status == .conflict)
            #expect(try await depot.publish("@s/pkg", tarball: tarball).status == .conflict)
        }
    }

    @Test("package routes check the caller's permission on the repository")
    func authorization() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            try await depot.createRepository("other")
            try await depot.publish("@s/pkg", tarball: NpmPublish.tarball(1))
            let reader = try await depot.createToken(repositories: ["main"], permissions: ["read"])
            let outsider = try await depot.createToken(repositories: ["other"], permissions: ["admin"])
            let publisher = try await depot.createToken(repositories: ["main"], permissions: ["publish"])

            #expect(try await depot.request(.get, Self.packages, auth: .anonymous).status == .unauthorized)
            #expect(try await depot.request(.get, Self.scoped, auth: .bearer(reader.secret)).status == .ok)
            #expect(try await depot.request(.get, Self.scoped, auth: .bearer(outsider.secret)).status == .forbidden)

            let status = "\(Self.scoped)/versions/1.0.0"
            #expect(try await depot.request(.patch, status, auth: .bearer(reader.secret), json: ["status": "Archived"]).status == .forbidden)
            #expect(try await depot.request(.post, "\(status)/dispose", auth: .bearer(reader.secret)).status == .forbidden)
            #expect(try await depot.request(.delete, status, auth: .bearer(reader.secret)).status == .forbidden)
            #expect(
                try await depot.request(.put, "\(Self.scoped)/origin", auth: .bearer(reader.secret), json: ["publish": "BLOCK", "upstream": "BLOCK"])
                    .status == .forbidden)
            // Nothing changed.
            #expect(try await depot.request(.get, status).object()["status"] as? String == "Published")

            let unlisted = try await depot.request(.patch, status, auth: .bearer(publisher.secret), json: ["status": "Unlisted"])
            #expect(unlisted.status == .ok)
            #expect(try await depot.request(.patch, "\(Self.scoped)/versions/3.0.0", json: ["status": "Unlisted"]).status == .notFound)
            let malformed = try await depot.request(.patch, status, body: Array("{\"state\":1}".utf8))
            #expect(malformed.status == .badRequest)
            #expect(try malformed.apiErrorCode() == "MalformedBody")
        }
    }

    @Test("yank is one route for the formats that yank: npm's answer is 400, rights and missing versions as for the other routes")
    func yankRoute() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            try await depot.publish("@s/pkg", tarball: NpmPublish.tarball(1))
            let reader = try await depot.createToken(repositories: ["main"], permissions: ["read"])
            let yank = "\(Self.scoped)/versions/1.0.0/yank"
            #expect(try await depot.request(.post, yank, auth: .anonymous).status == .unauthorized)
            #expect(try await depot.request(.post, yank, auth: .bearer(reader.secret)).status == .forbidden)
            let npm = try await depot.request(.post, yank)
            #expect(npm.status == .badRequest)
            #expect(try npm.apiErrorCode() == "YankUnsupported")
            #expect(try await depot.request(.delete, yank).status == .badRequest)
            let malformed = try await depot.request(.post, yank, body: Array("[1]".utf8))
            #expect(try malformed.apiErrorCode() == "MalformedBody")
            #expect(try await depot.request(.post, "\(Self.packages)/pypi/nothing/versions/1.0/yank").status == .notFound)
            // Nothing changed.
            #expect(try await depot.request(.get, "\(Self.scoped)/versions/1.0.0").object()["status"] as? String == "Published")
        }
    }

    @Test("deleting a version lets it be published again")
    func deleteVersion() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            try await depot.publish("pkg", tarball: NpmPublish.tarball(1))
            try await depot.publish("pkg", version: "2.0.0", tarball: NpmPublish.tarball(2))
            #expect(try await depot.request(.delete, "\(Self.packages)/npm/pkg/versions/1.0.0").status == .ok)
            #expect(try await depot.request(.get, "\(Self.packages)/npm/pkg/versions/1.0.0").status == .notFound)
            #expect(try await depot.request(.delete, "\(Self.packages)/npm/pkg/versions/1.0.0").status == .notFound)
            let again = try await depot.publish("pkg", tarball: NpmPublish.tarball(9))
            #expect(again.status == .created)
            let download = try await depot.request(.get, "/acme/main/npm/pkg/-/pkg-1.0.0.tgz")
            #expect(download.bytes == NpmPublish.tarball(9))
        }
    }

    @Test("copy puts versions into another repository of the domain")
    func copy() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            try await depot.createRepository("release")
            let tarball = NpmPublish.tarball(4)
            try await depot.publish("@s/pkg", tarball: tarball)
            try await depot.publish("@s/pkg", version: "1.1.0", tarball: NpmPublish.tarball(5))

            let response = try await depot.request(
                .post, "/api/v1/domains/acme/copy",
                json: [
                    "sourceRepository": "main", "destinationRepository": "release", "format": "npm", "package": "@s/pkg",
                    "versions": ["1.0.0", "9.9.9"],
                ])
            #expect(response.status == .ok)
            let body = try response.object()
            #expect(body["successfulVersions"] as? [String] == ["1.0.0"])
            let failed = try #require(body["failedVersions"] as? [String: [String: String]])
            #expect(failed["9.9.9"]?["code"] == "VersionNotFound")

            let copied = try await depot.request(.get, "/api/v1/domains/acme/repositories/release/packages/npm/%40s%2Fpkg/versions/1.0.0")
            #expect(copied.status == .ok)
            let assets = try #require(try copied.object()["assets"] as? [[String: Any]])
            #expect((assets.first?["hashes"] as? [String: String])?["sha256"] == NpmPublish.digests(tarball).sha256)
            #expect(try copied.object()["origin"] as? [String: String] == ["type": "INTERNAL", "repository": "main"])
            #expect(try await depot.request(.get, "/acme/release/npm/@s/pkg/-/pkg-1.0.0.tgz").bytes == tarball)
            let packument = try await depot.request(.get, "/acme/release/npm/@s%2fpkg").object()
            #expect((packument["versions"] as? [String: Any]).map { Set($0.keys) } == ["1.0.0"])
            #expect(try await depot.request(.get, "/api/v1/domains/acme/repositories/release/packages/npm/%40s%2Fpkg/versions/1.1.0").status == .notFound)

            let empty = try await depot.request(
                .post, "/api/v1/domains/acme/copy",
                json: ["sourceRepository": "main", "destinationRepository": "release", "format": "npm", "package": "@s/pkg", "versions": [String]()])
            #expect(empty.status == .badRequest)
            let missingRepository = try await depot.request(
                .post, "/api/v1/domains/acme/copy",
                json: ["sourceRepository": "main", "destinationRepository": "nope", "format": "npm", "package": "@s/pkg", "versions": ["1.0.0"]])
            #expect(missingRepository.status == .notFound)
            let readOnly = try await depot.createToken(permissions: ["read"])
            let forbidden = try await depot.request(
                .post, "/api/v1/domains/acme/copy", auth: .bearer(readOnly.secret),
                json: ["sourceRepository": "main", "destinationRepository": "release", "format": "npm", "package": "@s/pkg", "versions": ["1.1.0"]])
            #expect(forbidden.status == .forbidden)
        }
    }

    @Test("origin controls: BLOCK publish refuses npm publishes with 403")
    func originControls() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            try await depot.publish("@s/pkg", tarball: NpmPublish.tarball(1))
            let set = try await depot.request(.put, "\(Self.scoped)/origin", json: ["publish": "BLOCK", "upstream": "ALLOW"])
            #expect(set.status == .ok)
            #expect(try set.object()["originConfiguration"] as? [String: String] == ["publish": "BLOCK", "upstream": "ALLOW"])
            #expect(
                try await depot.request(.get, Self.scoped).object()["originConfiguration"] as? [String: String] == [
                    "publish": "BLOCK", "upstream": "ALLOW",
                ])

            let blocked = try await depot.publish("@s/pkg", version: "1.1.0", tarball: NpmPublish.tarball(2))
            #expect(blocked.status == .forbidden)
            #expect(try blocked.object()["code"] as? String == "PublishBlocked")
            #expect(try await depot.request(.get, "\(Self.scoped)/versions/1.1.0").status == .notFound)
            // Nothing but the first tarball is on disk.
            #expect(depot.blobFiles().count == 1)

            let invalid = try await depot.request(.put, "\(Self.scoped)/origin", json: ["publish": "MAYBE", "upstream": "ALLOW"])
            #expect(invalid.status == .badRequest)
            #expect(try invalid.apiErrorCode() == "InvalidOriginControls")

            let allowed = try await depot.request(.put, "\(Self.scoped)/origin", json: ["publish": "allow", "upstream": "block"])
            #expect(allowed.status == .ok)
            #expect(try await depot.publish("@s/pkg", version: "1.1.0", tarball: NpmPublish.tarball(2)).status == .created)

            let publisher = try await depot.createToken(permissions: ["publish"])
            let notAdmin = try await depot.request(
                .put, "\(Self.scoped)/origin", auth: .bearer(publisher.secret), json: ["publish": "BLOCK", "upstream": "ALLOW"])
            #expect(notAdmin.status == .forbidden)
        }
    }
}
