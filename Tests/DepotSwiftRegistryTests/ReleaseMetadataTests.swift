import DepotCore
import Foundation
import Hummingbird
import Testing

@testable import DepotSwiftRegistry

@Suite("Release metadata, release documents and Link headers")
struct ReleaseMetadataTests {
    @Test("The spec's example metadata is kept, with the publication time in whole seconds")
    func valid() throws {
        let text = """
            {"description": "One thing links to another.", "repositoryURLs": ["https://github.com/mona/LinkedList", "git@github.com:mona/LinkedList.git"],
             "licenseURL": "https://www.apache.org/licenses/LICENSE-2.0", "author": {"name": "Mona", "organization": {"name": "GitHub"}},
             "originalPublicationTime": "2023-02-16T04:00:00.123Z", "x-extra": [1, 2]}
            """
        let document = try ReleaseMetadataDocument(data: Data(text.utf8), limits: InputLimits())
        #expect(document.description == "One thing links to another.")
        #expect(document.repositoryURLs.count == 2)
        let object = try #require(try JSONSerialization.jsonObject(with: document.json) as? [String: Any])
        #expect(object["originalPublicationTime"] as? String == "2023-02-16T04:00:00Z")
        #expect(object["x-extra"] as? [Int] == [1, 2])
        #expect(ReleaseMetadataDocument.empty.json == Data("{}".utf8))
    }

    @Test("Invalid metadata is a 422", arguments: [
        "not json", "[]", "{\"description\": 1}", "{\"author\": \"mona\"}", "{\"author\": {\"email\": \"a@b\"}}",
        "{\"author\": {\"name\": \"a\", \"organization\": {}}}", "{\"repositoryURLs\": \"https://x\"}", "{\"repositoryURLs\": [1]}",
        "{\"originalPublicationTime\": \"yesterday\"}", "{\"licenseURL\": []}",
    ])
    func invalid(_ text: String) throws {
        let error = try #require(throws: HTTPError.self) { try ReleaseMetadataDocument(data: Data(text.utf8), limits: InputLimits()) }
        #expect(error.status == .unprocessableContent)
    }

    @Test("Deeply nested metadata is refused before it is parsed")
    func deep() {
        let text = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(throws: DepotError.self) {
            try ReleaseMetadataDocument(data: Data("{\"x\": \(text)}".utf8), limits: InputLimits())
        }
    }

    @Test("Repository URLs in any spelling of one repository compare equal")
    func repositoryURLs() {
        let forms = [
            "https://github.com/mona/LinkedList", "https://github.com/mona/LinkedList.git", "git@github.com:mona/LinkedList.git",
            "ssh://git@github.com/mona/linkedlist", "HTTPS://GitHub.com/mona/LinkedList/",
        ]
        #expect(Set(forms.map(RepositoryURL.canonical)) == ["github.com/mona/linkedlist"])
        #expect(RepositoryURL.canonical("https://github.com/mona/Other") != RepositoryURL.canonical("https://github.com/mona/LinkedList"))
    }

    @Test("Link headers: latest, successor and predecessor among published releases")
    func releaseLinks() {
        let versions = ["1.0.0", "1.1.0", "2.0.0-beta", "1.0.1"].compactMap(SwiftReleaseVersion.init)
        let url = { (version: SwiftReleaseVersion) in "https://r/mona/LinkedList/\(version)" }
        #expect(
            RegistryLinks.releases(published: versions, current: SwiftReleaseVersion("1.0.1"), url: url)
                == "<https://r/mona/LinkedList/2.0.0-beta>; rel=\"latest-version\", <https://r/mona/LinkedList/1.1.0>; rel=\"successor-version\", <https://r/mona/LinkedList/1.0.0>; rel=\"predecessor-version\""
        )
        #expect(
            RegistryLinks.releases(published: versions, current: nil, url: url)
                == "<https://r/mona/LinkedList/2.0.0-beta>; rel=\"latest-version\"")
        #expect(RegistryLinks.releases(published: [], current: nil, url: url) == nil)
    }

    @Test("Manifest Link headers name each version-specific manifest as SwiftPM parses them")
    func manifestLinks() {
        let manifests: [SwiftReleaseRecord.Manifest] = [
            .init(filename: "Package.swift", toolsVersion: "5.9"), .init(filename: "Package@swift-4.2.swift", toolsVersion: "4.2"),
        ]
        let link = RegistryLinks.manifests(manifests, manifestURL: "https://r/mona/LinkedList/1.0.0/Package.swift")
        #expect(
            link
                == "<https://r/mona/LinkedList/1.0.0/Package.swift?swift-version=4.2>; rel=\"alternate\"; filename=\"Package@swift-4.2.swift\"; swift-tools-version=\"4.2\""
        )
        // SwiftPM reads four `;`-separated fields per link.
        #expect(link?.split(separator: ",").allSatisfy { $0.split(separator: ";").count == 4 } == true)
        #expect(RegistryLinks.manifests([manifests[0]], manifestURL: "x") == nil)
    }

    @Test("The release document has the fields SwiftPM decodes")
    func releaseDocument() throws {
        let record = SwiftReleaseRecord(
            identity: "Mona.LinkedList", archive: "linkedlist-1.1.1.zip", manifests: [.init(filename: "Package.swift", toolsVersion: "5.9")],
            metadata: "{\"description\":\"d\"}", repositoryURLs: [],
            archiveSignature: .init(base64: "AQID", format: "cms-1.0.0"), metadataSignature: nil)
        let stored = PackageVersion(
            id: 1, packageID: 1, version: "1.1.1", status: .published, origin: VersionOrigin(type: .internal, repository: "main"),
            publishedAt: Date(timeIntervalSince1970: 1_676_520_000.5), summary: nil, metadata: try record.encoded())
        let entry = SwiftRegistryController.ReleaseEntry(
            version: SwiftReleaseVersion("1.1.1")!, status: .published, stored: stored, record: try SwiftReleaseRecord(data: stored.metadata))
        let object = ReleaseDocument(identity: try SwiftPackageIdentity("mona.linkedlist"), entry: entry, checksum: "ab12").object
        #expect(object["id"] as? String == "Mona.LinkedList")
        #expect(object["version"] as? String == "1.1.1")
        #expect(object["publishedAt"] as? String == "2023-02-16T04:00:00Z")
        #expect((object["metadata"] as? [String: Any])?["description"] as? String == "d")
        let resource = try #require((object["resources"] as? [[String: Any]])?.first)
        #expect(resource["name"] as? String == "source-archive")
        #expect(resource["type"] as? String == "application/zip")
        #expect(resource["checksum"] as? String == "ab12")
        #expect((resource["signing"] as? [String: String]) == ["signatureBase64Encoded": "AQID", "signatureFormat": "cms-1.0.0"])
    }

    @Test("Errors are problem details with the response's status")
    func problemDetails() throws {
        let style = ProblemDetails.style(status: .unprocessableContent)
        #expect(style.contentType == "application/problem+json")
        let body = try #require(
            try JSONSerialization.jsonObject(with: style.body(DepotError.badRequest("invalid package"))) as? [String: Any])
        #expect(body["detail"] as? String == "invalid package")
        #expect(body["status"] as? Int == 422)
        let notFound = try #require(
            try JSONSerialization.jsonObject(with: ProblemDetails.style.body(DepotError.notFound("release not found"))) as? [String: Any])
        #expect(notFound["status"] as? Int == 404)
        #expect(notFound["title"] as? String == "Not Found")
    }
}
