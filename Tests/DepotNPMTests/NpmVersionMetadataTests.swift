import DepotCore
import Foundation
import Testing

@testable import DepotNPM

@Suite("NpmVersionMetadata")
struct NpmVersionMetadataTests {
    let tarball = Fixtures.bytes(count: 1234, seed: 5)
    var digests: BlobDigests { Fixtures.digests(of: tarball) }

    func published(
        _ manifest: [String: Any], documentReadme: String? = nil, documentReadmeFilename: String? = nil
    ) throws -> NpmVersionMetadata {
        NpmVersionMetadata.fromPublished(
            manifest: manifest, name: try NpmPackageName("@s/n"), version: "1.0.0", digests: digests,
            documentReadme: documentReadme, documentReadmeFilename: documentReadmeFilename)
    }

    @Test("moves the readme out, drops dist.tarball and sets the server's digests")
    func normalizes() throws {
        let metadata = try published([
            "name": "@s/other", "version": "9.9.9", "_id": "whatever", "description": "d", "readme": "# R",
            "readmeFilename": "README.md",
            "dist": [
                "tarball": "http://client.example/n.tgz", "shasum": "client-sha1", "integrity": "sha512-client",
                "fileCount": 3, "unpackedSize": 999,
            ] as [String: Any],
        ])
        #expect(metadata.readme == "# R")
        #expect(metadata.readmeFilename == "README.md")
        #expect(metadata.manifest["readme"] == nil)
        #expect(metadata.manifest["readmeFilename"] == nil)
        #expect(metadata.manifest["name"] as? String == "@s/n")
        #expect(metadata.manifest["version"] as? String == "1.0.0")
        #expect(metadata.manifest["_id"] as? String == "@s/n@1.0.0")
        #expect(metadata.manifest["description"] as? String == "d")
        let dist = try #require(metadata.manifest["dist"] as? [String: Any])
        #expect(dist["tarball"] == nil)
        #expect(dist["shasum"] as? String == digests.sha1)
        #expect(dist["integrity"] as? String == Fixtures.integrity(of: tarball))
        #expect(dist["fileCount"] as? Int == 3)
        #expect(dist["unpackedSize"] as? Int == 999)
    }

    @Test("takes the document's readme when the manifest has none; an empty readme is none")
    func documentReadme() throws {
        let fromDocument = try published(["name": "@s/n"], documentReadme: "doc readme", documentReadmeFilename: "readme.md")
        #expect(fromDocument.readme == "doc readme")
        #expect(fromDocument.readmeFilename == "readme.md")
        let manifestWins = try published(["readme": "manifest readme"], documentReadme: "doc readme")
        #expect(manifestWins.readme == "manifest readme")
        let empty = try published(["readme": ""])
        #expect(empty.readme == nil)
        // A manifest without dist still gets one with the digests.
        let dist = try #require(empty.manifest["dist"] as? [String: Any])
        #expect(dist["shasum"] as? String == digests.sha1)
    }

    @Test("round-trips through encoded() and init(data:)")
    func roundTrip() throws {
        let metadata = try published([
            "description": "d", "readme": "# R\n\u{1F600} \"quoted\"", "dependencies": ["a": "^1.0.0"], "bin": ["n": "cli.js"],
            "deprecated": "use m", "_hasShrinkwrap": false,
        ])
        let data = try metadata.encoded()
        let decoded = try NpmVersionMetadata(data: data)
        #expect(decoded.readme == metadata.readme)
        #expect(decoded.readmeFilename == nil)
        #expect(NSDictionary(dictionary: decoded.manifest).isEqual(to: metadata.manifest))
        // Encoding is stable (sorted keys), so equal metadata gives equal bytes.
        #expect(try decoded.encoded() == data)
    }

    @Test("stored metadata of the wrong shape is an internal error", arguments: ["[]", "{}", "{\"manifest\":[]}", "{\"readme\":\"x\"}"])
    func corrupt(_ text: String) {
        let error = depotError { _ = try NpmVersionMetadata(data: Data(text.utf8)) }
        #expect(error?.kind == .internalError)
        #expect(error?.code == "CorruptMetadata")
    }

    @Test("stored metadata that is not JSON cannot be read", arguments: ["", "not json", "{\"manifest\":"])
    func notJSON(_ text: String) {
        #expect(throws: (any Error).self) { _ = try NpmVersionMetadata(data: Data(text.utf8)) }
    }
}

@Suite("ISO8601")
struct ISO8601Tests {
    @Test("formats UTC timestamps with milliseconds like npm")
    func formats() {
        #expect(ISO8601.string(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(ISO8601.string(Date(timeIntervalSince1970: 1_700_000_000.5)) == "2023-11-14T22:13:20.500Z")
        #expect(ISO8601.string(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000Z")
        #expect(ISO8601.string(Date(timeIntervalSince1970: 1_704_067_199.25)) == "2023-12-31T23:59:59.250Z")
    }
}
