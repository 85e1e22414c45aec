import DepotCore
import Testing

@testable import DepotMaven

@Suite("MavenPath")
struct MavenPathTests {
    func artifact(_ raw: String) throws -> MavenArtifact {
        guard case .artifact(let a) = try MavenPath(parsing: raw) else {
            Issue.record("not an artifact: \(raw)")
            throw DepotError.badRequest("not an artifact")
        }
        return a
    }

    @Test("a plain jar and pom")
    func plain() throws {
        let jar = try artifact("org/example/lib/1.0/lib-1.0.jar")
        #expect(jar.groupId == "org.example")
        #expect(jar.artifactId == "lib")
        #expect(jar.version == "1.0")
        #expect(jar.classifier == nil)
        #expect(jar.extension == "jar")
        #expect(jar.snapshotTimestamp == nil && jar.buildNumber == nil)
        #expect(jar.fileName == "lib-1.0.jar")
        #expect(jar.displayName == "org.example:lib")
        #expect(jar.path == "org/example/lib/1.0/lib-1.0.jar")
        #expect(jar.packageKey == PackageKey(format: "maven", namespace: "org.example", name: "lib"))
        let pom = try artifact("org/example/lib/1.0/lib-1.0.pom")
        #expect(pom.extension == "pom")
        #expect(pom.fileName == "lib-1.0.pom")
    }

    @Test("classifiers", arguments: ["sources", "tests", "javadoc", "linux-x86_64"])
    func classifiers(_ classifier: String) throws {
        let a = try artifact("org/example/lib/1.0/lib-1.0-\(classifier).jar")
        #expect(a.classifier == classifier)
        #expect(a.extension == "jar")
        #expect(a.fileName == "lib-1.0-\(classifier).jar")
    }

    @Test("multi-part extensions")
    func extensions() throws {
        let tgz = try artifact("com/acme/tool/2.3.1/tool-2.3.1-bin.tar.gz")
        #expect(tgz.classifier == "bin")
        #expect(tgz.extension == "tar.gz")
        #expect(tgz.groupId == "com.acme")
        let bz = try artifact("com/acme/tool/2.3.1/tool-2.3.1.tar.bz2")
        #expect(bz.classifier == nil)
        #expect(bz.extension == "tar.bz2")
        let asc = try artifact("com/acme/tool/2.3.1/tool-2.3.1.jar.asc")
        #expect(asc.extension == "jar.asc")
    }

    @Test("single-part groupId, dotted artifactId and a + in the version")
    func oddNames() throws {
        let a = try artifact("junit/junit/4.13.2/junit-4.13.2.jar")
        #expect(a.groupId == "junit")
        let b = try artifact("org/eclipse/jdt/org.eclipse.jdt.core/3.26.0/org.eclipse.jdt.core-3.26.0.jar")
        #expect(b.groupId == "org.eclipse.jdt")
        #expect(b.artifactId == "org.eclipse.jdt.core")
        let c = try artifact("org/x/y/1.0+build.5/y-1.0+build.5.jar")
        #expect(c.version == "1.0+build.5")
        let d = try artifact("org/x/y/1.0%2Bbuild.5/y-1.0%2Bbuild.5.jar")
        #expect(d.version == "1.0+build.5")
    }

    @Test("timestamped SNAPSHOT builds")
    func snapshots() throws {
        let a = try artifact("org/example/a/1.0-SNAPSHOT/a-1.0-20251122.101500-3.jar")
        #expect(a.version == "1.0-SNAPSHOT")
        #expect(a.isSnapshot)
        #expect(a.isTimestampedSnapshot)
        #expect(a.baseVersion == "1.0")
        #expect(a.snapshotTimestamp == "20251122.101500")
        #expect(a.buildNumber == 3)
        #expect(a.classifier == nil)
        #expect(a.fileVersion == "1.0-20251122.101500-3")
        #expect(a.fileName == "a-1.0-20251122.101500-3.jar")
        #expect(a.withoutSnapshotBuild.fileName == "a-1.0-SNAPSHOT.jar")

        let s = try artifact("org/example/a/1.0-SNAPSHOT/a-1.0-20251122.101500-12-sources.jar")
        #expect(s.classifier == "sources")
        #expect(s.buildNumber == 12)
        #expect(s.fileName == "a-1.0-20251122.101500-12-sources.jar")

        let plain = try artifact("org/example/a/1.0-SNAPSHOT/a-1.0-SNAPSHOT-tests.jar")
        #expect(plain.classifier == "tests")
        #expect(plain.snapshotTimestamp == nil)
        #expect(!plain.isTimestampedSnapshot)
        #expect(plain.withSnapshotBuild(timestamp: "20251122.101500", buildNumber: 4).fileName
            == "a-1.0-20251122.101500-4-tests.jar")

        let pom = try artifact("org/example/a/1.0-SNAPSHOT/a-1.0-20251122.101500-3.pom")
        #expect(pom.extension == "pom")
    }

    @Test("checksums on every kind of file", arguments: MavenChecksum.allCases)
    func checksums(_ algorithm: MavenChecksum) throws {
        let ext = algorithm.fileSuffix
        #expect(try MavenPath(parsing: "org/example/lib/1.0/lib-1.0-sources.jar\(ext)")
            == .checksum(of: .artifact(try artifact("org/example/lib/1.0/lib-1.0-sources.jar")), algorithm: algorithm))
        #expect(try MavenPath(parsing: "org/example/lib/maven-metadata.xml\(ext)")
            == .checksum(of: .artifactMetadata(groupId: "org.example", artifactId: "lib"), algorithm: algorithm))
        #expect(try MavenPath(parsing: "org/example/lib/1.0-SNAPSHOT/maven-metadata.xml\(ext)")
            == .checksum(
                of: .snapshotMetadata(groupId: "org.example", artifactId: "lib", version: "1.0-SNAPSHOT"),
                algorithm: algorithm))
        #expect(try MavenPath(parsing: "org/maven-metadata.xml\(ext)")
            == .checksum(of: .groupMetadata(groupId: "org"), algorithm: algorithm))
        let snap = try MavenPath(parsing: "org/example/a/1.0-SNAPSHOT/a-1.0-20251122.101500-3.jar\(ext)")
        guard case .checksum(.artifact(let a), algorithm) = snap else {
            Issue.record("unexpected \(snap)")
            return
        }
        #expect(a.buildNumber == 3)
        #expect(snap.fileName == "a-1.0-20251122.101500-3.jar\(ext)")
        #expect(snap.path == "org/example/a/1.0-SNAPSHOT/a-1.0-20251122.101500-3.jar\(ext)")
    }

    @Test("metadata at the three levels")
    func metadata() throws {
        let ga = try MavenPath(parsing: "org/example/lib/maven-metadata.xml")
        #expect(ga == .artifactMetadata(groupId: "org.example", artifactId: "lib"))
        #expect(ga.fileName == "maven-metadata.xml")
        #expect(ga.path == "org/example/lib/maven-metadata.xml")
        #expect(ga.packageKey == PackageKey(format: "maven", namespace: "org.example", name: "lib"))
        #expect(try MavenPath(parsing: "junit/junit/maven-metadata.xml")
            == .artifactMetadata(groupId: "junit", artifactId: "junit"))
        let gav = try MavenPath(parsing: "org/example/lib/2.0-SNAPSHOT/maven-metadata.xml")
        #expect(gav == .snapshotMetadata(groupId: "org.example", artifactId: "lib", version: "2.0-SNAPSHOT"))
        #expect(gav.path == "org/example/lib/2.0-SNAPSHOT/maven-metadata.xml")
        let g = try MavenPath(parsing: "org/maven-metadata.xml")
        #expect(g == .groupMetadata(groupId: "org"))
        #expect(g.packageKey == nil)
        #expect(g.groupMetadataAlternative == nil)
        let plugins = try MavenPath(parsing: "org/apache/maven/plugins/maven-metadata.xml")
        #expect(plugins == .artifactMetadata(groupId: "org.apache.maven", artifactId: "plugins"))
        #expect(plugins.groupMetadataAlternative == .groupMetadata(groupId: "org.apache.maven.plugins"))
        #expect(try MavenPath(parsing: "org/apache/maven/plugins/maven-metadata.xml.sha1").groupMetadataAlternative
            == .checksum(of: .groupMetadata(groupId: "org.apache.maven.plugins"), algorithm: .sha1))
    }

    @Test(
        "rejected paths",
        arguments: [
            "", "/", "/org/example/lib/1.0/lib-1.0.jar", "org/example/lib/1.0/lib-1.0.jar/",
            "org//example/lib/1.0/lib-1.0.jar",
            "org/example/../lib/1.0/lib-1.0.jar", "org/example/lib/1.0/../lib-1.0.jar",
            "org/example/%2e%2e/1.0/lib-1.0.jar", "org/example/%2E%2E/lib/1.0/lib-1.0.jar",
            "org/example/./lib/1.0/lib-1.0.jar", "org%2fexample/lib/1.0/lib-1.0.jar",
            "org/example/lib/1.0/lib-1.0%2F..%2F..%2Fx.jar", "org/example/lib/1.0/lib-1.0.jar%00",
            "org/example/lib/1.0/lib-1.0\u{0}.jar", "org/exa\\mple/lib/1.0/lib-1.0.jar",
            "org/example/lib/1.0/.lib-1.0.jar", "org/.hidden/lib/1.0/lib-1.0.jar",
            "org/example/lib/1.0/lib-1.0.jar%", "org/example/lib/1.0/lib-1.0.jar%zz",
            "org/ex ample/lib/1.0/lib-1.0.jar", "org/example/lib/1.0/lib-1.0.jar?x=1",
            // missing parts
            "org/lib-1.0.jar", "lib/1.0/lib-1.0.jar", "lib-1.0.jar", "maven-metadata.xml", "org",
            // wrong artifact prefix or malformed file names
            "org/example/lib/1.0/other-1.0.jar", "org/example/lib/1.0/lib-1.1.jar", "org/example/lib/1.0/lib-1.0",
            "org/example/lib/1.0/lib-1.0x.jar", "org/example/lib/1.0/lib-1.0-.jar", "org/example/lib/1.0/lib-1.0.",
            "org/example/lib/1.0/lib-1.0..jar", "org/example/lib/1.0/lib-1.0.1.jar", "org/example/lib/1.0/lib-1.0-sources",
            "org/example/lib/1.0/lib-1.0.jar.sha1.md5", "org/example/lib/1.0/lib.jar",
            "org/example/a/1.0/a-1.0-20251122.101500-3.jar",  // timestamp on a release
            "org/example/a/1.0-SNAPSHOT/a-1.0-2025112.101500-3.jar",
            "org/example/a/1.0-SNAPSHOT/a-1.0-20251122.101500-0.jar",
            "org/example/a/1.0-SNAPSHOT/a-1.0-20251122.101500-03.jar",
            "org/example/a/1.0-SNAPSHOT/a-1.0-20251122.101500-.jar",
            "org/example/a/1.0-SNAPSHOT/a-2.0-20251122.101500-3.jar",
            // dots or + where the path does not allow them
            "org.example/lib/1.0/lib-1.0.jar", "org/lib+x/1.0/lib+x-1.0.jar", "org/example/lib/1.0/lib-1.0-a+b.jar",
            "org.example/lib/maven-metadata.xml",
        ])
    func rejected(_ raw: String) {
        #expect {
            try MavenPath(parsing: raw)
        } throws: { error in
            (error as? DepotError)?.kind == .badRequest && (error as? DepotError)?.code == "InvalidPath"
        }
    }

    @Test("the file name and path round-trip")
    func roundTrip() throws {
        for raw in [
            "org/example/lib/1.0/lib-1.0.jar", "org/example/lib/1.0/lib-1.0-sources.jar.sha1",
            "com/acme/tool/2.3.1/tool-2.3.1-bin.tar.gz.md5", "org/example/a/1.0-SNAPSHOT/a-1.0-20251122.101500-3-tests.jar",
            "org/example/lib/maven-metadata.xml.sha512", "org/maven-metadata.xml",
        ] {
            let p = try MavenPath(parsing: raw)
            #expect(p.path == raw)
            #expect(try MavenPath(parsing: p.path) == p)
            #expect(p.fileName == String(raw.split(separator: "/").last!))
        }
    }
}
