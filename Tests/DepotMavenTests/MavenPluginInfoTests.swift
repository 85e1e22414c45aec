import DepotCore
import Foundation
import Testing
import ZIPFoundation

@testable import DepotMaven

@Suite("Maven plugin prefixes")
struct MavenPluginInfoTests {
    static let pluginPom = Data("""
        <?xml version="1.0" encoding="UTF-8"?>
        <project xmlns="http://maven.apache.org/POM/4.0.0">
          <modelVersion>4.0.0</modelVersion>
          <parent><groupId>org.example</groupId><artifactId>parent</artifactId><version>1</version><name>Parent</name></parent>
          <artifactId>hello-maven-plugin</artifactId>
          <packaging>maven-plugin</packaging>
          <name> Hello &amp; Co Plugin </name>
          <build><plugins><plugin><name>not this one</name></plugin></plugins></build>
        </project>
        """.utf8)

    static let descriptor = Data("""
        <?xml version="1.0" encoding="UTF-8"?>
        <plugin>
          <name>Hello Descriptor</name>
          <groupId>org.example</groupId>
          <artifactId>hello-maven-plugin</artifactId>
          <version>1.0</version>
          <goalPrefix>hi</goalPrefix>
          <mojos><mojo><goal>greet</goal></mojo></mojos>
        </plugin>
        """.utf8)

    @Test("Maven's naming convention when no goal prefix is declared")
    func conventionalPrefix() {
        #expect(MavenPluginPrefix.conventional(artifactId: "maven-foo-plugin") == "foo")
        #expect(MavenPluginPrefix.conventional(artifactId: "foo-maven-plugin") == "foo")
        #expect(MavenPluginPrefix.conventional(artifactId: "maven-deploy-plugin") == "deploy")
        #expect(MavenPluginPrefix.conventional(artifactId: "exec-maven-plugin") == "exec")
        #expect(MavenPluginPrefix.conventional(artifactId: "maven-plugin-plugin") == "plugin")
        #expect(MavenPluginPrefix.conventional(artifactId: "build-helper-maven-plugin") == "build-helper")
        #expect(MavenPluginPrefix.conventional(artifactId: "frobnicator") == "frobnicator")
    }

    @Test("packaging and name come from the pom's own elements, not its parent's or a plugin's")
    func pom() {
        let info = MavenVersionInfo.fromPom(Self.pluginPom)
        #expect(info == MavenVersionInfo(packaging: "maven-plugin", name: "Hello & Co Plugin"))
        #expect(info.isPlugin)
        #expect(MavenVersionInfo.fromPom(Data("<project><packaging>jar</packaging></project>".utf8)).isPlugin == false)
        // Not a pom, not XML, or with a DTD: nothing is learned.
        #expect(MavenVersionInfo.fromPom(Data("<plugin><packaging>maven-plugin</packaging></plugin>".utf8)) == MavenVersionInfo())
        #expect(MavenVersionInfo.fromPom(Data("<project><packaging>maven-plugin".utf8)) == MavenVersionInfo())
        #expect(
            MavenVersionInfo.fromPom(Data(#"<!DOCTYPE p [<!ENTITY x "y">]><project><name>&x;</name></project>"#.utf8))
                == MavenVersionInfo())
    }

    @Test("the goal prefix is read from META-INF/maven/plugin.xml in the jar")
    func jar() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("maven-plugin-info-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let plugin = directory.appendingPathComponent("plugin.jar")
        try Self.makeJar(at: plugin, entries: ["META-INF/MANIFEST.MF": Data("Manifest-Version: 1.0\n".utf8),
            "META-INF/maven/plugin.xml": Self.descriptor])
        #expect(try MavenVersionInfo.fromJar(at: plugin) == MavenVersionInfo(goalPrefix: "hi", descriptorName: "Hello Descriptor"))

        let library = directory.appendingPathComponent("lib.jar")
        try Self.makeJar(at: library, entries: ["org/example/Lib.class": Data([0xCA, 0xFE, 0xBA, 0xBE])])
        #expect(try MavenVersionInfo.fromJar(at: library) == nil)

        let notZip = directory.appendingPathComponent("junk.jar")
        try Data("not a zip".utf8).write(to: notZip)
        #expect(try MavenVersionInfo.fromJar(at: notZip) == nil)
    }

    @Test("the G-level entry: descriptor prefix, then the uploaded one, then the convention; pom name first")
    func pluginEntry() {
        let fromPom = MavenVersionInfo.fromPom(Self.pluginPom)
        #expect(
            fromPom.plugin(artifactId: "hello-maven-plugin")
                == .init(name: "Hello & Co Plugin", prefix: "hello", artifactId: "hello-maven-plugin"))
        let withJar = fromPom.merging(MavenVersionInfo.fromPluginDescriptor(Self.descriptor))
        #expect(withJar.plugin(artifactId: "hello-maven-plugin")?.prefix == "hi")
        let declared = MavenVersionInfo(declaredPrefix: "hey", declaredName: "Declared")
        #expect(declared.plugin(artifactId: "hello-maven-plugin") == .init(name: "Declared", prefix: "hey", artifactId: "hello-maven-plugin"))
        #expect(withJar.merging(declared).plugin(artifactId: "hello-maven-plugin")?.prefix == "hi")
        #expect(MavenVersionInfo(goalPrefix: "x").plugin(artifactId: "x-maven-plugin")?.name == "x-maven-plugin")
        #expect(MavenVersionInfo(packaging: "jar", name: "Lib").plugin(artifactId: "lib") == nil)
    }

    @Test("stored as version metadata JSON; the {} of older versions reads as nothing known")
    func json() {
        let info = MavenVersionInfo(packaging: "maven-plugin", name: "N", goalPrefix: "p")
        #expect(MavenVersionInfo(json: info.json) == info)
        #expect(MavenVersionInfo(json: Data("{}".utf8)) == MavenVersionInfo())
        #expect(MavenVersionInfo(json: Data("not json".utf8)) == MavenVersionInfo())
        #expect(info.merging(MavenVersionInfo(name: "M")) == MavenVersionInfo(packaging: "maven-plugin", name: "M", goalPrefix: "p"))
    }

    @Test("an uploaded G-level file parses and goes back out with the plugins generated")
    func groupLevelRoundTrip() throws {
        let uploaded = try MavenMetadata.parse("""
            <?xml version="1.0" encoding="UTF-8"?>
            <metadata>
              <plugins>
                <plugin><name>Hello</name><prefix>hi</prefix><artifactId>hello-maven-plugin</artifactId></plugin>
                <plugin><prefix>other</prefix><artifactId>other-maven-plugin</artifactId></plugin>
              </plugins>
            </metadata>
            """)
        #expect(uploaded.versioning == nil)
        #expect(uploaded.plugins.map(\.prefix) == ["hi", "other"])
        let path = try MavenPath(parsing: "org/example/maven-metadata.xml")
        #expect(try MavenController.groupLevelTarget(of: uploaded, at: path) == "org.example")
        #expect(try MavenController.groupLevelTarget(of: uploaded, at: .groupMetadata(groupId: "org")) == "org")
        let artifactLevel = MavenMetadata.artifactLevel(groupId: "org", artifactId: "example", versions: ["1.0"], lastUpdated: Date())
        #expect(try MavenController.groupLevelTarget(of: artifactLevel, at: path) == nil)
        #expect(throws: DepotError.self) {
            try MavenController.groupLevelTarget(of: uploaded, at: try MavenPath(parsing: "org/example.lib/maven-metadata.xml"))
        }
        let generated = MavenMetadata.groupLevel(plugins: uploaded.plugins.reversed())
        #expect(try MavenMetadata.parse(generated.xml).plugins == uploaded.plugins)
    }

    static func makeJar(at url: URL, entries: [String: Data]) throws {
        let archive = try Archive(url: url, accessMode: .create)
        for (path, data) in entries.sorted(by: { $0.key < $1.key }) {
            try archive.addEntry(
                with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate
            ) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
    }
}
