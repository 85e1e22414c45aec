import DepotCore
import Foundation
import Testing

@testable import DepotMaven

/// Found by fuzzing (`scripts/fuzz maven-xml`): Foundation's XMLParser force-unwraps element, attribute and comment
/// names decoded as UTF-8 (libxml2 hands invalid bytes through) and reads a processing instruction without data
/// through a null pointer, so one uploaded pom stopped the server.
@Suite("Maven XML that crashed Foundation's parser")
struct MavenXMLTrapTests {
    static let documents: [[UInt8]] = [
        Array("<".utf8) + [0xFF, 0xFF] + Array("mx/>".utf8),
        Array("<metadata><!-- ".utf8) + [0xFF] + Array(" --></metadata>".utf8),
        Array("<metadata a".utf8) + [0xFF] + Array("=\"1\"/>".utf8),
        Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?><metadata><!-- ".utf8) + [0xC3] + Array(" --></metadata>".utf8),
        Array("<metadata><?x?></metadata>".utf8), Array("<?xml version=\"1.0\"?>\n<?pi?><metadata/>".utf8),
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

    @Test("processing instructions with data are still fine")
    func processingInstructionWithData() throws {
        #expect(try MavenMetadata.parse(Data("<?xml version=\"1.0\"?><?pi data?><metadata><version>1</version></metadata>".utf8)).version == "1")
    }

    @Test("a declared ISO-8859-1 pom is converted by the parser and still read")
    func latin1() {
        let pom = Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><project><name>M".utf8) + [0xFC]
            + Array("ller</name><!-- ".utf8) + [0xFF] + Array(" --></project>".utf8)
        #expect(MavenVersionInfo.fromPom(Data(pom)).name == "Müller")
    }
}
