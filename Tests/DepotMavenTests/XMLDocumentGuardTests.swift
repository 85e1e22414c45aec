import DepotCore
import Foundation
import Testing
import ZIPFoundation

@testable import DepotMaven

@Suite("XML document guard and Maven limits")
struct XMLDocumentGuardTests {
    static func utf16(_ text: String, bom: [UInt8] = [0xFF, 0xFE]) -> Data {
        Data(bom + text.utf16.flatMap { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)] })
    }

    static let dtd = #"<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x "y">]><metadata><groupId>&x;</groupId></metadata>"#

    @Test("a DTD is refused whatever the encoding: UTF-8, UTF-16 with and without BOM, UTF-32, a declared UTF-16")
    func dtdInAnyEncoding() {
        #expect(XMLDocumentGuard.problem(in: Data(Self.dtd.utf8)) == .dtd)
        #expect(XMLDocumentGuard.problem(in: Self.utf16(Self.dtd)) != nil)
        #expect(XMLDocumentGuard.problem(in: Self.utf16(Self.dtd, bom: [])) != nil)
        #expect(XMLDocumentGuard.problem(in: Data([0x00, 0x00, 0xFE, 0xFF]) + Data("<x/>".utf8)) != nil)
        let declared = Data(#"<?xml version="1.0" encoding="UTF-16"?><metadata/>"#.utf8)
        #expect(XMLDocumentGuard.problem(in: declared) == .encoding("UTF-16"))
        #expect(XMLDocumentGuard.problem(in: Data([0x4C, 0x6F, 0xA7, 0x94, 0x93])) == .encoding("EBCDIC"))
    }

    @Test("UTF-8 (with BOM), ASCII and ISO-8859-1 documents pass")
    func asciiCompatible() {
        #expect(XMLDocumentGuard.problem(in: Data("<metadata/>".utf8)) == nil)
        #expect(XMLDocumentGuard.problem(in: Data([0xEF, 0xBB, 0xBF]) + Data(#"<?xml version="1.0" encoding="UTF-8"?><m/>"#.utf8)) == nil)
        #expect(XMLDocumentGuard.problem(in: Data(#"<?xml version='1.0' encoding='ISO-8859-1'?><project/>"#.utf8)) == nil)
    }

    @Test("maven-metadata.xml: UTF-16 with a DTD is 400 InvalidMetadata; over the size given is 413")
    func metadataParse() {
        #expect {
            _ = try MavenMetadata.parse(Self.utf16(Self.dtd))
        } throws: { ($0 as? DepotError)?.code == "InvalidMetadata" }
        #expect {
            _ = try MavenMetadata.parse(Data(("<metadata>" + String(repeating: " ", count: 5000) + "</metadata>").utf8), maxSize: 4096)
        } throws: { ($0 as? DepotError)?.kind == .payloadTooLarge }
    }

    @Test("a pom in UTF-16 gives no plugin information")
    func pomUTF16() {
        let pom = Self.utf16(#"<!DOCTYPE p [<!ENTITY x "maven-plugin">]><project><packaging>&x;</packaging></project>"#)
        #expect(MavenVersionInfo.fromPom(pom) == MavenVersionInfo())
    }

    @Test("a jar over maxArchiveEntries is 400; a plugin descriptor inflating past its limit is 413")
    func jarLimits() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("maven-jar-limits-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let many = directory.appendingPathComponent("many.jar")
        var entries = [String: Data]()
        for i in 0..<100 { entries["org/example/C\(i).class"] = Data([0xCA, 0xFE]) }
        try MavenPluginInfoTests.makeJar(at: many, entries: entries)
        #expect {
            _ = try MavenVersionInfo.fromJar(at: many, maxEntries: 50)
        } throws: { ($0 as? DepotError)?.code == "TooManyEntries" }
        #expect(try MavenVersionInfo.fromJar(at: many, maxEntries: 200) == nil)

        let bomb = directory.appendingPathComponent("bomb.jar")
        let descriptor = Data("<plugin><goalPrefix>x</goalPrefix>".utf8) + Data(repeating: 0x20, count: MavenVersionInfo.maxDescriptorSize)
        try MavenPluginInfoTests.makeJar(at: bomb, entries: ["META-INF/maven/plugin.xml": descriptor + Data("</plugin>".utf8)])
        #expect {
            _ = try MavenVersionInfo.fromJar(at: bomb)
        } throws: { ($0 as? DepotError)?.kind == .payloadTooLarge }
    }
}
