import DepotCore
import Foundation
import Testing

@testable import DepotMaven

@Suite("MavenMetadata")
struct MavenMetadataTests {
    /// 2025-11-22 10:15:00 UTC.
    let date = Date(timeIntervalSince1970: 1_763_806_500)

    @Test("time stamps are UTC")
    func timestamps() {
        #expect(MavenMetadata.timestampCompact(date) == "20251122101500")
        #expect(MavenMetadata.snapshotTimestamp(date) == "20251122.101500")
        #expect(MavenMetadata.timestampCompact(Date(timeIntervalSince1970: 0)) == "19700101000000")
    }

    @Test("G/A metadata golden")
    func artifactLevel() throws {
        let m = MavenMetadata.artifactLevel(
            groupId: "org.example", artifactId: "lib", versions: ["1.10", "1.0", "2.0-SNAPSHOT", "1.9", "1.0"],
            lastUpdated: date)
        #expect(
            m.xml == """
                <?xml version="1.0" encoding="UTF-8"?>
                <metadata>
                  <groupId>org.example</groupId>
                  <artifactId>lib</artifactId>
                  <versioning>
                    <latest>2.0-SNAPSHOT</latest>
                    <release>1.10</release>
                    <versions>
                      <version>1.0</version>
                      <version>1.9</version>
                      <version>1.10</version>
                      <version>2.0-SNAPSHOT</version>
                    </versions>
                    <lastUpdated>20251122101500</lastUpdated>
                  </versioning>
                </metadata>

                """)
        #expect(try MavenMetadata.parse(m.xml) == m)
    }

    @Test("only SNAPSHOTs: no release")
    func noRelease() throws {
        let m = MavenMetadata.artifactLevel(
            groupId: "g", artifactId: "a", versions: ["1.0-SNAPSHOT"], lastUpdated: date)
        #expect(m.versioning?.latest == "1.0-SNAPSHOT")
        #expect(m.versioning?.release == nil)
        #expect(!m.xml.contains("<release>"))
        #expect(try MavenMetadata.parse(m.xml) == m)
    }

    @Test("G/A/V-SNAPSHOT metadata golden")
    func snapshotLevel() throws {
        func file(_ name: String, _ updated: Date) throws -> MavenMetadata.SnapshotFile {
            guard case .artifact(let a) = try MavenPath(parsing: "org/example/a/1.0-SNAPSHOT/\(name)") else {
                throw DepotError.badRequest("x")
            }
            return .init(artifact: a, updated: updated)
        }
        let earlier = date.addingTimeInterval(-3600)
        let m = MavenMetadata.snapshotLevel(
            groupId: "org.example", artifactId: "a", version: "1.0-SNAPSHOT",
            files: [
                try file("a-1.0-20251122.091500-2.jar", earlier),
                try file("a-1.0-20251122.091500-2.pom", earlier),
                try file("a-1.0-20251122.091500-2-sources.jar", earlier),
                try file("a-1.0-20251122.101500-3.jar", date),
                try file("a-1.0-20251122.101500-3.pom", date),
            ])
        #expect(
            m.xml == """
                <?xml version="1.0" encoding="UTF-8"?>
                <metadata>
                  <groupId>org.example</groupId>
                  <artifactId>a</artifactId>
                  <version>1.0-SNAPSHOT</version>
                  <versioning>
                    <snapshot>
                      <timestamp>20251122.101500</timestamp>
                      <buildNumber>3</buildNumber>
                    </snapshot>
                    <lastUpdated>20251122101500</lastUpdated>
                    <snapshotVersions>
                      <snapshotVersion>
                        <extension>jar</extension>
                        <value>1.0-20251122.101500-3</value>
                        <updated>20251122101500</updated>
                      </snapshotVersion>
                      <snapshotVersion>
                        <extension>pom</extension>
                        <value>1.0-20251122.101500-3</value>
                        <updated>20251122101500</updated>
                      </snapshotVersion>
                      <snapshotVersion>
                        <classifier>sources</classifier>
                        <extension>jar</extension>
                        <value>1.0-20251122.091500-2</value>
                        <updated>20251122091500</updated>
                      </snapshotVersion>
                    </snapshotVersions>
                  </versioning>
                </metadata>

                """)
        let parsed = try MavenMetadata.parse(m.xml)
        #expect(parsed == m)
        #expect(parsed.versioning?.snapshot?.buildNumber == 3)
        #expect(parsed.versioning?.snapshotVersions.count == 3)
    }

    @Test("group-level plugin metadata golden")
    func groupLevel() throws {
        let m = MavenMetadata.groupLevel(plugins: [
            .init(name: "Z Plugin", prefix: "zed", artifactId: "zed-maven-plugin"),
            .init(name: "Hello <Mojo> & co", prefix: "hello", artifactId: "hello-maven-plugin"),
        ])
        #expect(
            m.xml == """
                <?xml version="1.0" encoding="UTF-8"?>
                <metadata>
                  <plugins>
                    <plugin>
                      <name>Hello &lt;Mojo&gt; &amp; co</name>
                      <prefix>hello</prefix>
                      <artifactId>hello-maven-plugin</artifactId>
                    </plugin>
                    <plugin>
                      <name>Z Plugin</name>
                      <prefix>zed</prefix>
                      <artifactId>zed-maven-plugin</artifactId>
                    </plugin>
                  </plugins>
                </metadata>

                """)
        let parsed = try MavenMetadata.parse(m.xml)
        #expect(parsed == m)
        #expect(parsed.plugins.first?.name == "Hello <Mojo> & co")
    }

    @Test("text is XML-escaped and survives a round trip")
    func escaping() throws {
        let m = MavenMetadata(groupId: "a&b", artifactId: "<x>", version: "\"q'")
        #expect(m.xml.contains("<groupId>a&amp;b</groupId>"))
        #expect(m.xml.contains("<artifactId>&lt;x&gt;</artifactId>"))
        #expect(m.xml.contains("<version>&quot;q&apos;</version>"))
        #expect(try MavenMetadata.parse(m.xml) == m)
    }

    @Test("parses what mvn deploy uploads (namespaces, whitespace, unknown elements)")
    func parseMavenOutput() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <metadata xmlns="http://maven.apache.org/METADATA/1.1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" modelVersion="1.1.0">
              <!-- written by mvn -->
              <groupId>
                org.example
              </groupId>
              <artifactId>a</artifactId>
              <version>1.0-SNAPSHOT</version>
              <versioning>
                <snapshot>
                  <timestamp>20251122.101500</timestamp>
                  <buildNumber>3</buildNumber>
                </snapshot>
                <lastUpdated>20251122101500</lastUpdated>
                <snapshotVersions>
                  <snapshotVersion>
                    <classifier>sources</classifier>
                    <extension>jar</extension>
                    <value>1.0-20251122.101500-3</value>
                    <updated>20251122101500</updated>
                  </snapshotVersion>
                  <snapshotVersion>
                    <extension>pom</extension>
                    <value><![CDATA[1.0-20251122.101500-3]]></value>
                    <updated>20251122101500</updated>
                  </snapshotVersion>
                </snapshotVersions>
                <futureElement><nested>x</nested></futureElement>
              </versioning>
            </metadata>
            """
        let m = try MavenMetadata.parse(xml)
        #expect(m.groupId == "org.example")
        #expect(m.artifactId == "a")
        #expect(m.version == "1.0-SNAPSHOT")
        #expect(m.versioning?.snapshot == .init(timestamp: "20251122.101500", buildNumber: 3))
        #expect(m.versioning?.lastUpdated == "20251122101500")
        #expect(
            m.versioning?.snapshotVersions == [
                .init(classifier: "sources", extension: "jar", value: "1.0-20251122.101500-3", updated: "20251122101500"),
                .init(extension: "pom", value: "1.0-20251122.101500-3", updated: "20251122101500"),
            ])
        #expect(m.versioning?.versions == [])
        #expect(m.plugins == [])
    }

    @Test("parses a release G/A file with versions")
    func parseRelease() throws {
        let m = try MavenMetadata.parse(
            "<metadata><groupId>g</groupId><artifactId>a</artifactId><versioning><latest>2</latest><release>2</release>"
                + "<versions><version>1</version><version>2</version></versions></versioning></metadata>")
        #expect(m.versioning?.versions == ["1", "2"])
        #expect(m.versioning?.latest == "2")
        #expect(m.versioning?.release == "2")
        #expect(m.versioning?.lastUpdated == nil)
    }

    @Test(
        "malformed input is a 400",
        arguments: [
            "", "not xml", "<metadata>", "<metadata><groupId>g</metadata>", "<project><groupId>g</groupId></project>",
            "<metadata></metadata><metadata></metadata>", "<?xml version=\"1.0\"?>",
            "<metadata><versioning><snapshot><buildNumber>x</buildNumber></snapshot></versioning></metadata>",
            "<metadata><plugins><plugin><name>n</name></plugin></plugins></metadata>",
            "<!DOCTYPE metadata [<!ENTITY x \"y\">]><metadata><groupId>&x;</groupId></metadata>",
            "<metadata><groupId>a & b</groupId></metadata>",
        ])
    func malformed(_ xml: String) {
        #expect {
            try MavenMetadata.parse(xml)
        } throws: { error in
            (error as? DepotError)?.kind == .badRequest
        }
    }

    @Test("oversized input is refused")
    func oversized() {
        let big = Data(("<metadata>" + String(repeating: " ", count: MavenMetadata.maxSize) + "</metadata>").utf8)
        #expect {
            try MavenMetadata.parse(big)
        } throws: { error in
            (error as? DepotError)?.kind == .payloadTooLarge
        }
    }
}
