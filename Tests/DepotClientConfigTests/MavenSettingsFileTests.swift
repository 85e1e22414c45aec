import DepotCore
import Foundation
import Testing

@testable import DepotClientConfig

#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite("MavenSettingsFile")
struct MavenSettingsFileTests {
    let settings = MavenSettingsFile(repositoryURL: "http://127.0.0.1:8080/acme/main/maven/", token: "dpt_secret&1")

    func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    /// The text of `<tag>` elements anywhere (outside comments), via XMLParser.
    func values(_ tag: String, in text: String) -> [String] {
        final class Collector: NSObject, XMLParserDelegate {
            let tag: String
            var values: [String] = []
            var current: String?
            init(tag: String) { self.tag = tag }
            func parser(
                _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
            ) {
                if elementName == tag { current = "" }
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) { current? += string }
            func parser(
                _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?
            ) {
                if elementName == tag, let c = current { values.append(c) }
                current = nil
            }
        }
        let collector = Collector(tag: tag)
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = collector
        #expect(parser.parse())
        return collector.values
    }

    @Test("a fresh file")
    func fresh() throws {
        for existing in ["", "  \n"] {
            let text = try settings.merged(into: existing)
            #expect(text.hasPrefix("<?xml"))
            #expect(text.contains("<settings xmlns=\"http://maven.apache.org/SETTINGS/1.0.0\""))
            #expect(values("id", in: text) == ["depot", "depot", "depot", "depot"])
            #expect(values("username", in: text) == ["depot"])
            #expect(values("password", in: text) == ["dpt_secret&1"])
            #expect(text.contains("<password>dpt_secret&amp;1</password>"))
            #expect(values("url", in: text) == Array(repeating: "http://127.0.0.1:8080/acme/main/maven/", count: 2))
            #expect(values("activeProfile", in: text) == ["depot"])
            #expect(values("enabled", in: text) == ["true", "true", "true", "true"])
            #expect(count("<repository>", in: text) == 1)
            #expect(count("<pluginRepository>", in: text) == 1)
        }
    }

    @Test("the fresh file's layout")
    func freshGolden() throws {
        let text = try MavenSettingsFile(repositoryURL: "http://h/d/r/maven/", token: "t").merged(into: "")
        #expect(
            text == """
                <?xml version="1.0" encoding="UTF-8"?>
                <settings xmlns="http://maven.apache.org/SETTINGS/1.0.0"
                          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                          xsi:schemaLocation="http://maven.apache.org/SETTINGS/1.0.0 https://maven.apache.org/xsd/settings-1.0.0.xsd">
                  <servers>
                    <server>
                      <id>depot</id>
                      <username>depot</username>
                      <password>t</password>
                    </server>
                  </servers>
                  <profiles>
                    <profile>
                      <id>depot</id>
                      <repositories>
                        <repository>
                          <id>depot</id>
                          <url>http://h/d/r/maven/</url>
                          <releases><enabled>true</enabled></releases>
                          <snapshots><enabled>true</enabled></snapshots>
                        </repository>
                      </repositories>
                      <pluginRepositories>
                        <pluginRepository>
                          <id>depot</id>
                          <url>http://h/d/r/maven/</url>
                          <releases><enabled>true</enabled></releases>
                          <snapshots><enabled>true</enabled></snapshots>
                        </pluginRepository>
                      </pluginRepositories>
                    </profile>
                  </profiles>
                  <activeProfiles>
                    <activeProfile>depot</activeProfile>
                  </activeProfiles>
                </settings>

                """)
    }

    static let existing = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!-- my settings -->
        <settings>
          <localRepository>/home/me/.m2/repo</localRepository>
          <!--
          <servers>
            <server><id>depot</id></server>
          </servers>
          -->
          <servers>
            <server>
              <id>nexus</id>
              <username>me</username>
              <password>pw</password>
            </server>
          </servers>
          <mirrors>
            <mirror>
              <id>corp</id>
              <mirrorOf>external:*</mirrorOf>
              <url>https://mirror.example.com/maven2</url>
            </mirror>
          </mirrors>
          <profiles>
            <profile>
              <id>other</id>
              <properties><x>1</x></properties>
            </profile>
          </profiles>
          <activeProfiles>
            <activeProfile>other</activeProfile>
          </activeProfiles>
        </settings>
        """

    @Test("merging into an existing file keeps everything else")
    func existingFile() throws {
        let text = try settings.merged(into: Self.existing)
        #expect(text.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- my settings -->\n<settings>\n"))
        #expect(text.contains("<localRepository>/home/me/.m2/repo</localRepository>"))
        #expect(text.contains("    <server><id>depot</id></server>\n"))  // the comment is untouched
        #expect(values("username", in: text) == ["me", "depot"])
        #expect(values("password", in: text) == ["pw", "dpt_secret&1"])
        #expect(values("mirrorOf", in: text) == ["external:*"])
        #expect(values("activeProfile", in: text) == ["other", "depot"])
        #expect(count("<servers>", in: text) == 2)  // one in the comment
        #expect(count("<profiles>", in: text) == 1)
        #expect(text.contains("""
                <server>
                  <id>depot</id>
                  <username>depot</username>
                  <password>dpt_secret&amp;1</password>
                </server>
              </servers>
            """))
        #expect(text.contains("""
              <activeProfiles>
                <activeProfile>other</activeProfile>
                <activeProfile>depot</activeProfile>
              </activeProfiles>
            """))
    }

    @Test("logging in again replaces the earlier server, profile and activation")
    func relogin() throws {
        let first = try settings.merged(into: Self.existing)
        let second = try MavenSettingsFile(repositoryURL: "https://depot.example/acme/other/maven/", token: "dpt_new")
            .merged(into: first)
        #expect(values("password", in: second) == ["pw", "dpt_new"])
        #expect(values("url", in: second).filter { $0.contains("depot.example") }.count == 2)
        #expect(!second.contains("127.0.0.1"))
        #expect(values("activeProfile", in: second) == ["other", "depot"])
        #expect(count("<profile>", in: second) == 2)
        // Idempotent: the same login twice gives the same text.
        let again = try settings.merged(into: first)
        #expect(again == first)
        let third = try settings.merged(into: second)
        #expect(third == first)
    }

    @Test("a minimal or self-closing existing file")
    func minimal() throws {
        for existing in ["<settings/>", "<settings></settings>", "<settings>\n  <servers/>\n</settings>\n"] {
            let text = try settings.merged(into: existing)
            #expect(values("password", in: text) == ["dpt_secret&1"], "\(existing)")
            #expect(values("activeProfile", in: text) == ["depot"])
        }
    }

    @Test("an unparsable file is refused, not overwritten", arguments: [
        "<settings><servers></settings>", "not xml at all", "<project></project>", "<settings>",
    ])
    func unparsable(_ existing: String) {
        #expect {
            try settings.merged(into: existing)
        } throws: { error in
            (error as? DepotError)?.kind == .badRequest
        }
    }

    @Test("the distributionManagement snippet")
    func snippet() {
        #expect(
            MavenSettingsFile.distributionManagementSnippet(url: "http://h/d/r/maven/") == """
                <distributionManagement>
                  <repository>
                    <id>depot</id>
                    <url>http://h/d/r/maven/</url>
                  </repository>
                  <snapshotRepository>
                    <id>depot</id>
                    <url>http://h/d/r/maven/</url>
                  </snapshotRepository>
                </distributionManagement>
                """)
    }
}
