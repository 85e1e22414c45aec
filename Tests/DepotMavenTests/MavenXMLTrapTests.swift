import DepotCore
import Foundation
import Testing

@testable import DepotMaven

/// Found by fuzzing (`scripts/fuzz maven-xml`): Foundation's XMLParser force-unwraps element, attribute and comment
/// names decoded as UTF-8, and libxml2 hands invalid bytes through, so one uploaded pom stopped the server.
@Suite("Maven XML with invalid UTF-8")
struct MavenXMLTrapTests {
    static let documents: [[UInt8]] = [
        Array("<".utf8) + [0xFF, 0xFF] + Array("mx/>".utf8),
        Array("<metadata><!-- ".utf8) + [0xFF] + Array(" --></metadata>".utf8),
        Array("<metadata a".utf8) + [0xFF] + Array("=\"1\"/>".utf8),
        Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?><metadata><!-- ".utf8) + [0xC3] + Array(" --></metadata>".utf8),
    ]

    @Test("maven-metadata.xml is a 400, not a trap", arguments: documents)
    func metadata(document: [UInt8]) {
        #expect { _ = try MavenMetadata.parse(Data(document)) } throws: { ($0 as? DepotError)?.code == "InvalidMetadata" }
    }

    @Test("a pom or plugin descriptor gives no information, not a trap", arguments: documents)
    func pom(document: [UInt8]) {
        #expect(MavenVersionInfo.fromPom(Data(document)) == MavenVersionInfo())
        #expect(MavenVersionInfo.fromPluginDescriptor(Data(document)) == MavenVersionInfo())
    }

    @Test("a declared ISO-8859-1 pom is converted by the parser and still read")
    func latin1() {
        let pom = Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><project><name>M".utf8) + [0xFC]
            + Array("ller</name><!-- ".utf8) + [0xFF] + Array(" --></project>".utf8)
        #expect(MavenVersionInfo.fromPom(Data(pom)).name == "Müller")
    }
}
