import DepotCore
import Foundation
import Testing

@testable import DepotNPM

@Suite("NpmUpstreamFormat")
struct NpmUpstreamFormatTests {
    let format = NpmUpstreamFormat()
    let scopedKey = PackageKey(format: "npm", namespace: "types", name: "node-fetch")
    let documentURL = URL(string: "https://registry.npmjs.org/@types%2fnode-fetch")!

    /// The digests npm would declare for `bytes`: hex shasum and the SRI sha512.
    static func digests(_ text: String) -> (shasum: String, integrity: String, sha512: String) {
        var hasher = MultiHasher()
        Array(text.utf8).withUnsafeBytes { hasher.update($0) }
        let digests = hasher.finalize()
        let raw = Data(Hex.decode(digests.sha512)!)
        return (digests.sha1, "sha512-" + raw.base64EncodedString(), digests.sha512)
    }

    /// A packument shaped like the registry's full document for `@types/node-fetch` (trimmed).
    static func packument(
        name: String = "@types/node-fetch", tarball2: String = "https://registry.npmjs.org/@types/node-fetch/-/node-fetch-2.6.11.tgz"
    ) -> Data {
        let v1 = digests("node-fetch 2.6.10")
        let v2 = digests("node-fetch 2.6.11")
        let json = """
            {
              "_id": "\(name)",
              "_rev": "812-4a1c5f7e2b9d0c3a6f8e1d2b7c4a9e0f",
              "name": "\(name)",
              "description": "TypeScript definitions for node-fetch",
              "dist-tags": { "latest": "2.6.11", "ts4.9": "2.6.10", "next": "3.0.0" },
              "versions": {
                "2.6.10": {
                  "name": "\(name)",
                  "version": "2.6.10",
                  "description": "TypeScript definitions for node-fetch",
                  "license": "MIT",
                  "dependencies": { "@types/node": "*", "form-data": "^4.0.0" },
                  "_id": "\(name)@2.6.10",
                  "dist": {
                    "integrity": "\(v1.integrity)",
                    "shasum": "\(v1.shasum.uppercased())",
                    "tarball": "/@types/node-fetch/-/node-fetch-2.6.10.tgz",
                    "fileCount": 5,
                    "unpackedSize": 12103
                  }
                },
                "2.6.11": {
                  "name": "\(name)",
                  "version": "2.6.11",
                  "description": "TypeScript definitions for node-fetch",
                  "license": "MIT",
                  "dependencies": { "@types/node": "*", "form-data": "^4.0.0" },
                  "_id": "\(name)@2.6.11",
                  "dist": {
                    "integrity": "sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC \(v2.integrity)",
                    "shasum": "\(v2.shasum)",
                    "tarball": "\(tarball2)",
                    "signatures": [{ "keyid": "SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA", "sig": "MEUCIQ..." }]
                  }
                }
              },
              "time": {
                "created": "2017-01-09T19:01:39.563Z",
                "modified": "2024-01-02T03:04:05.678Z",
                "2.6.10": "2023-12-20T08:41:59.123Z",
                "2.6.11": "2024-01-02T03:04:05Z"
              },
              "maintainers": [{ "name": "types", "email": "ts-npm-types@microsoft.com" }],
              "readme": "# Installation\\n> `npm install --save @types/node-fetch`",
              "readmeFilename": "README.md",
              "license": "MIT"
            }
            """
        return Data(json.utf8)
    }

    @Test("metadata requests name scoped packages @scope%2fname below the configured URL")
    func metadataRequest() {
        let root = format.metadataRequest(for: scopedKey, base: URL(string: "https://registry.npmjs.org/")!)
        #expect(root.url.absoluteString == "https://registry.npmjs.org/@types%2fnode-fetch")
        #expect(root.accept == "application/json")
        let noSlash = format.metadataRequest(for: scopedKey, base: URL(string: "http://127.0.0.1:4873/npm")!)
        #expect(noSlash.url.absoluteString == "http://127.0.0.1:4873/npm/@types%2fnode-fetch")
        let plain = format.metadataRequest(for: PackageKey(format: "npm", name: "left-pad"), base: URL(string: "https://registry.npmjs.org/")!)
        #expect(plain.url.absoluteString == "https://registry.npmjs.org/left-pad")
        #expect(format.connectionName == "public:npmjs")
        #expect(format.formatID == "npm")
        #expect(!format.versionsHaveManyAssets)
    }

    @Test("a scoped packument: versions, publish times, dist-tags, tarball URLs and declared digests")
    func parsesPackument() throws {
        let package = try format.parseMetadata(Self.packument(), key: scopedKey, documentURL: documentURL)
        #expect(package.versions.map(\.version).sorted() == ["2.6.10", "2.6.11"])
        // A tag pointing at a version the document does not have is dropped.
        #expect(package.tags == ["latest": "2.6.11", "ts4.9": "2.6.10"])

        let old = try #require(package.version("2.6.10"))
        #expect(abs((old.publishedAt?.timeIntervalSince1970 ?? 0) - 1_703_061_719.123) < 0.001)
        #expect(old.summary == "TypeScript definitions for node-fetch")
        #expect(old.isListed)
        let oldAsset = try #require(old.assets.first)
        #expect(old.assets.count == 1)
        #expect(oldAsset.name == "node-fetch-2.6.10.tgz")
        // A path-absolute tarball resolves against the packument's URL.
        #expect(oldAsset.url.absoluteString == "https://registry.npmjs.org/@types/node-fetch/-/node-fetch-2.6.10.tgz")
        let v1 = Self.digests("node-fetch 2.6.10")
        #expect(oldAsset.expected == [.sha1: v1.shasum, .sha512: v1.sha512])

        let new = try #require(package.version("2.6.11"))
        #expect(new.publishedAt == Date(timeIntervalSince1970: 1_704_164_645))
        let newAsset = try #require(new.assets.first)
        #expect(newAsset.url.absoluteString == "https://registry.npmjs.org/@types/node-fetch/-/node-fetch-2.6.11.tgz")
        // The sha512 entry of a multi-hash SRI string, as lowercase hex.
        let v2 = Self.digests("node-fetch 2.6.11")
        #expect(newAsset.expected[.sha512] == v2.sha512)
        #expect(newAsset.expected[.sha1] == v2.shasum)
    }

    @Test("each version's stored document is its manifest; the latest carries the README")
    func versionMetadata() throws {
        let package = try format.parseMetadata(Self.packument(), key: scopedKey, documentURL: documentURL)
        let latest = try NpmVersionMetadata(data: try #require(package.version("2.6.11")).metadata)
        #expect(latest.manifest["version"] as? String == "2.6.11")
        #expect((latest.manifest["dependencies"] as? [String: String])?["form-data"] == "^4.0.0")
        #expect(latest.readme == "# Installation\n> `npm install --save @types/node-fetch`")
        #expect(latest.readmeFilename == "README.md")
        let older = try NpmVersionMetadata(data: try #require(package.version("2.6.10")).metadata)
        #expect(older.manifest["version"] as? String == "2.6.10")
        #expect(older.readme == nil)

        let version = try #require(package.version("2.6.10"))
        #expect(try format.recordedMetadata(for: version, asset: version.assets[0], file: nil) == version.metadata)
    }

    @Test("a relative tarball URL resolves against the packument's URL; an http URL is kept")
    func relativeAndPlainHTTPTarballs() throws {
        let relative = try format.parseMetadata(
            Self.packument(tarball2: "node-fetch/-/node-fetch-2.6.11.tgz"), key: scopedKey,
            documentURL: URL(string: "http://127.0.0.1:4873/registry/@types%2fnode-fetch")!)
        #expect(
            relative.version("2.6.11")?.assets.first?.url.absoluteString
                == "http://127.0.0.1:4873/registry/node-fetch/-/node-fetch-2.6.11.tgz")
        let plain = try format.parseMetadata(
            Self.packument(tarball2: "http://mirror.test/node-fetch-2.6.11.tgz"), key: scopedKey, documentURL: documentURL)
        #expect(plain.version("2.6.11")?.assets.first?.url.absoluteString == "http://mirror.test/node-fetch-2.6.11.tgz")
    }

    @Test("tarball URLs that are not http(s) are refused", arguments: ["file:///etc/passwd", "ftp://mirror.test/x.tgz", "javascript:alert(1)"])
    func refusesOtherSchemes(tarball: String) {
        #expect(throws: (any Error).self) {
            try format.parseMetadata(Self.packument(tarball2: tarball), key: scopedKey, documentURL: documentURL)
        }
    }

    @Test("a packument for another package is refused")
    func refusesOtherName() {
        #expect(throws: (any Error).self) {
            try format.parseMetadata(Self.packument(name: "@evil/node-fetch"), key: scopedKey, documentURL: documentURL)
        }
        // The unscoped name alone is another package too.
        #expect(throws: (any Error).self) {
            try format.parseMetadata(Self.packument(name: "node-fetch"), key: scopedKey, documentURL: documentURL)
        }
    }

    @Test("documents that are not a JSON object are refused", arguments: ["<html><body>502 Bad Gateway</body></html>", "[]", "", "{\"name\":"])
    func refusesNonJSON(body: String) {
        #expect(throws: (any Error).self) {
            try format.parseMetadata(Data(body.utf8), key: scopedKey, documentURL: documentURL)
        }
    }

    @Test("a version without any declared digest is refused")
    func refusesUndeclaredDigest() {
        let json = """
            {"name":"left-pad","versions":{"1.0.0":{"name":"left-pad","version":"1.0.0",
             "dist":{"tarball":"https://registry.npmjs.org/left-pad/-/left-pad-1.0.0.tgz"}}}}
            """
        #expect(throws: (any Error).self) {
            try format.parseMetadata(
                Data(json.utf8), key: PackageKey(format: "npm", name: "left-pad"),
                documentURL: URL(string: "https://registry.npmjs.org/left-pad")!)
        }
    }

    @Test("old packages with only a shasum, and an unpublished package with no versions")
    func shasumOnlyAndUnpublished() throws {
        let key = PackageKey(format: "npm", name: "left-pad")
        let url = URL(string: "https://registry.npmjs.org/left-pad")!
        let old = """
            {"name":"left-pad","dist-tags":{"latest":"0.0.3"},"time":{"0.0.3":"2014-03-14T00:00:00.000Z"},
             "versions":{"0.0.3":{"name":"left-pad","version":"0.0.3",
               "dist":{"shasum":"04d9b2ff2fe2b7a1a2a5c9e6b0b2f4c0a1e3d5f7","tarball":"https://registry.npmjs.org/left-pad/-/left-pad-0.0.3.tgz"}}}}
            """
        let package = try format.parseMetadata(Data(old.utf8), key: key, documentURL: url)
        #expect(package.version("0.0.3")?.assets.first?.expected == [.sha1: "04d9b2ff2fe2b7a1a2a5c9e6b0b2f4c0a1e3d5f7"])
        #expect(package.version("0.0.3")?.publishedAt == Date(timeIntervalSince1970: 1_394_755_200))

        let unpublished = """
            {"name":"left-pad","time":{"created":"2014-03-14T00:00:00.000Z","unpublished":{"time":"2016-03-23T00:00:00.000Z","versions":["0.0.3"]}}}
            """
        let gone = try format.parseMetadata(Data(unpublished.utf8), key: key, documentURL: url)
        #expect(gone.versions.isEmpty)
        #expect(gone.tags.isEmpty)
    }

    @Test("SRI strings: the first valid sha512 entry, as hex")
    func sriToHex() {
        let digests = Self.digests("hello")
        #expect(NpmUpstreamFormat.sha512Hex(fromSRI: digests.integrity) == digests.sha512)
        #expect(NpmUpstreamFormat.sha512Hex(fromSRI: "sha1-qvTGHdzF6KLavt4PO0gs2a6pQ00= \(digests.integrity)") == digests.sha512)
        #expect(NpmUpstreamFormat.sha512Hex(fromSRI: digests.integrity + "?foo") == digests.sha512)
        #expect(NpmUpstreamFormat.sha512Hex(fromSRI: "sha1-qvTGHdzF6KLavt4PO0gs2a6pQ00=") == nil)
        #expect(NpmUpstreamFormat.sha512Hex(fromSRI: "sha512-notbase64!!") == nil)
        // Valid base64 but not 64 bytes.
        #expect(NpmUpstreamFormat.sha512Hex(fromSRI: "sha512-qvTGHdzF6KLavt4PO0gs2a6pQ00=") == nil)
        #expect(NpmUpstreamFormat.sha512Hex(fromSRI: "") == nil)
    }
}
