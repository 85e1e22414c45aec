import DepotCore
import Foundation
import Testing

@testable import DepotMaven

@Suite("MavenUpstreamFormat")
struct MavenUpstreamFormatTests {
    let format = MavenUpstreamFormat()
    let key = PackageKey(format: "maven", namespace: "org.apache.commons", name: "commons-lang3")
    let central = URL(string: "https://repo1.maven.org/maven2/")!
    var documentURL: URL { format.metadataRequest(for: key, base: central).url }

    /// `maven-metadata.xml` as Maven Central serves it for commons-lang3 (trimmed), plus a SNAPSHOT.
    static func metadata(groupId: String = "org.apache.commons", artifactId: String = "commons-lang3") -> Data {
        Data(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <metadata modelVersion="1.1.0">
              <groupId>\(groupId)</groupId>
              <artifactId>\(artifactId)</artifactId>
              <versioning>
                <latest>3.15.0-SNAPSHOT</latest>
                <release>3.14.0</release>
                <versions>
                  <version>3.0</version>
                  <version>3.0.1</version>
                  <version>3.12.0</version>
                  <version>3.13.0</version>
                  <version>3.14.0</version>
                  <version>3.15.0-SNAPSHOT</version>
                </versions>
                <lastUpdated>20231201084541</lastUpdated>
              </versioning>
            </metadata>
            """.utf8)
    }

    @Test("metadata requests go to <base>/<group path>/<artifact>/maven-metadata.xml")
    func metadataRequest() {
        let request = format.metadataRequest(for: key, base: central)
        #expect(request.url.absoluteString == "https://repo1.maven.org/maven2/org/apache/commons/commons-lang3/maven-metadata.xml")
        #expect(request.accept.contains("application/xml"))
        let noSlash = format.metadataRequest(for: key, base: URL(string: "http://127.0.0.1:8081/maven2")!)
        #expect(noSlash.url.absoluteString == "http://127.0.0.1:8081/maven2/org/apache/commons/commons-lang3/maven-metadata.xml")
        #expect(format.connectionName == "public:maven-central")
        #expect(format.versionsHaveManyAssets)
    }

    @Test("versions in the upstream's order, SNAPSHOTs left out, no files listed")
    func parsesVersions() throws {
        let package = try format.parseMetadata(Self.metadata(), key: key, documentURL: documentURL)
        #expect(package.versions.map(\.version) == ["3.0", "3.0.1", "3.12.0", "3.13.0", "3.14.0"])
        #expect(package.tags.isEmpty)
        for version in package.versions {
            #expect(version.assets.isEmpty)
            #expect(version.publishedAt == nil)
            #expect(version.isListed)
        }
    }

    @Test("metadata naming another group or artifact is refused as UpstreamInvalid")
    func refusesOtherCoordinates() {
        let group = #expect(throws: DepotError.self) {
            try format.parseMetadata(Self.metadata(groupId: "org.apache.evil"), key: key, documentURL: documentURL)
        }
        #expect(group?.kind == .badGateway)
        #expect(group?.code == "UpstreamInvalid")
        let artifact = #expect(throws: DepotError.self) {
            try format.parseMetadata(Self.metadata(artifactId: "commons-text"), key: key, documentURL: documentURL)
        }
        #expect(artifact?.code == "UpstreamInvalid")
    }

    @Test("metadata without groupId/artifactId elements is accepted")
    func acceptsBareMetadata() throws {
        let bare = Data("<metadata><versioning><versions><version>1.0</version></versions></versioning></metadata>".utf8)
        #expect(try format.parseMetadata(bare, key: key, documentURL: documentURL).versions.map(\.version) == ["1.0"])
        let none = Data("<metadata><groupId>org.apache.commons</groupId><artifactId>commons-lang3</artifactId></metadata>".utf8)
        #expect(try format.parseMetadata(none, key: key, documentURL: documentURL).versions.isEmpty)
    }

    @Test(
        "documents that are not maven-metadata.xml are refused",
        arguments: [
            "<html><body><h1>502 Bad Gateway</h1>",
            "<html><body><h1>Not Found</h1></body></html>",
            "{\"versions\":[\"1.0\"]}",
            "<?xml version=\"1.0\"?><!DOCTYPE metadata [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><metadata>&x;</metadata>",
        ])
    func refusesGarbage(body: String) {
        #expect(throws: (any Error).self) {
            try format.parseMetadata(Data(body.utf8), key: key, documentURL: documentURL)
        }
    }

    @Test("files are located by the layout and verified against the .sha1 beside them")
    func unlistedAsset() throws {
        let jar = try #require(format.unlistedAsset(key: key, version: "3.14.0", name: "commons-lang3-3.14.0.jar", base: central))
        #expect(jar.name == "commons-lang3-3.14.0.jar")
        #expect(jar.url.absoluteString == "https://repo1.maven.org/maven2/org/apache/commons/commons-lang3/3.14.0/commons-lang3-3.14.0.jar")
        #expect(jar.expected.isEmpty)
        #expect(
            jar.checksumURL?.url.absoluteString
                == "https://repo1.maven.org/maven2/org/apache/commons/commons-lang3/3.14.0/commons-lang3-3.14.0.jar.sha1")
        #expect(jar.checksumURL?.algorithm == .sha1)

        let pom = try #require(
            format.unlistedAsset(key: key, version: "3.14.0", name: "commons-lang3-3.14.0.pom", base: URL(string: "http://127.0.0.1:8081/m2")!))
        #expect(pom.url.absoluteString == "http://127.0.0.1:8081/m2/org/apache/commons/commons-lang3/3.14.0/commons-lang3-3.14.0.pom")
        #expect(pom.checksumURL?.url.absoluteString == pom.url.absoluteString + ".sha1")

        let version = UpstreamVersion(version: "3.14.0", publishedAt: nil, summary: nil, metadata: Data("{}".utf8), assets: [])
        #expect(try format.recordedMetadata(for: version, asset: jar, file: nil) == Data("{}".utf8))
    }
}
