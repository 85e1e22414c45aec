import Foundation
import Testing

/// Maven through the chain `app -> team -> maven-store(public:maven-central)`, with Maven Central a local
/// stand-in serving Debian's Maven repository (`/usr/share/maven-repo`, filled by the plugin packages
/// `scripts/install-maven-tools` installs) and Depot the only mirror (`<mirrorOf>*</mirrorOf>`): every plugin
/// and dependency of `mvn package` comes through Depot; then again with the stand-in stopped and an empty
/// local repository.
@Suite("Maven upstream install")
struct MavenUpstreamInstallTests {
    static let test = """
        package org.example.proxied;

        import static org.junit.Assert.assertEquals;
        import org.junit.Test;

        public class GreeterTest {
            @Test
            public void greets() {
                assertEquals("hello, depot", new Greeter().greet("depot"));
            }
        }

        """
    static let main = """
        package org.example.proxied;

        public class Greeter {
            public String greet(String name) {
                return "hello, " + name;
            }
        }

        """

    @Test("mvn package through app -> team -> maven-store with Depot as the only mirror, then with the upstream stopped")
    func packageThroughChainThenOffline() async throws {
        let tools = MavenTools.shared
        try #require(tools.available, tools.missingMessage)
        let ws = try Workspace()
        let standIn = try StandInRegistry(root: ws.root.appendingPathComponent("stand-in-root"))
        defer { standIn.stop() }
        // The stand-in's root is a link to Debian's repository (served as is; its jars link to /usr/share/java).
        try FileManager.default.removeItem(at: standIn.root)
        try FileManager.default.createSymbolicLink(at: standIn.root, withDestinationURL: tools.debianRepository)
        try standIn.start()
        try ws.server.start(environment: StandInRegistry.depotEnvironment.merging(["DEPOT_MAVEN_CENTRAL_URL": standIn.url + "/"]) { $1 })
        try ws.server.createUpstreamChain(store: "maven-store", connection: "public:maven-central")
        try writeMirrorSettings(ws, repository: "app")

        let junit = MavenDependency(groupId: "junit", artifactId: "junit", version: "4.13.2", scope: "test")
        let project = try ws.makeMavenProject(
            directory: "proxied", groupId: "org.example.proxied", artifactId: "proxied", version: "1.0.0", dependencies: [junit],
            files: ["src/main/java/org/example/proxied/Greeter.java": Self.main, "src/test/java/org/example/proxied/GreeterTest.java": Self.test])

        let built = try ws.mvn(["package"], in: project, localRepository: "m2-online")
        try #require(built.succeeded, "mvn package through Depot:\n\(ws.tail(built, lines: 120))\n\(ws.server.log.suffix(3000))")
        #expect(built.output.contains("Tests run: 1, Failures: 0"), "\(ws.tail(built))")
        #expect(FileManager.default.fileExists(atPath: project.appendingPathComponent("target/proxied-1.0.0.jar").path))
        // Every download went to Depot's app repository: nothing from the file:// Debian repository or anywhere else.
        let downloads = built.output.split(separator: "\n").filter { $0.contains("Downloaded from") }
        #expect(!downloads.isEmpty, "\(ws.tail(built))")
        #expect(downloads.allSatisfy { $0.contains("Downloaded from depot: \(ws.mavenURL(repository: "app"))") }, "\(downloads.joined(separator: "\n"))")
        for expected in ["junit/junit/4.13.2/junit-4.13.2.jar", "maven-compiler-plugin", "maven-surefire-plugin", "surefire-junit4"] {
            #expect(downloads.contains { $0.contains(expected) }, "\(expected) not downloaded through Depot")
        }
        // The stand-in served them; junit is recorded along the path as fetched from Maven Central.
        let counts = try await standIn.requests()
        #expect(counts["/junit/junit/4.13.2/junit-4.13.2.jar"] == 1, "\(counts.filter { $0.key.contains("junit") })")
        for repository in ["app", "team", "maven-store"] {
            let (status, body) = try await ws.server.managementAPI(
                "GET", "/api/v1/domains/acme/repositories/\(repository)/packages/maven/junit:junit/versions/4.13.2")
            #expect(status == 200, "junit 4.13.2 in \(repository): \(status) \(body)")
            let origin = body["origin"] as? [String: Any] ?? [:]
            #expect(origin["type"] as? String == "EXTERNAL" && origin["repository"] as? String == "public:maven-central", "\(repository): \(body)")
        }

        // Maven Central goes away: the same build with an empty local repository works from Depot alone.
        standIn.stop()
        try FileManager.default.removeItem(at: project.appendingPathComponent("target"))
        let offline = try ws.mvn(["package"], in: project, localRepository: "m2-offline")
        #expect(offline.succeeded, "mvn package with the upstream stopped:\n\(ws.tail(offline, lines: 120))\n\(ws.server.log.suffix(3000))")
        #expect(offline.output.contains("Tests run: 1, Failures: 0"), "\(ws.tail(offline))")
        let offlineDownloads = offline.output.split(separator: "\n").filter { $0.contains("Downloaded from") }
        #expect(offlineDownloads.count == downloads.count, "online \(downloads.count), offline \(offlineDownloads.count)")
        #expect(!ws.server.log.contains("dpt_"))
    }

    /// `~/.m2/settings.xml` with Depot's `repository` as the mirror of every repository, and its credentials.
    /// The workspace's global settings are plain ones here (written before `ws.mvn` would write its own, whose
    /// profile takes plugins from Debian's folder and disables dependencies from `central`).
    func writeMirrorSettings(_ ws: Workspace, repository: String) throws {
        let global = ws.root.appendingPathComponent("maven/global-settings.xml")
        try FileManager.default.createDirectory(at: global.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("""
            <?xml version="1.0" encoding="UTF-8"?>
            <settings xmlns="http://maven.apache.org/SETTINGS/1.0.0">
              <localRepository>\(ws.root.appendingPathComponent("m2-default").path)</localRepository>
              <interactiveMode>false</interactiveMode>
            </settings>

            """.utf8).write(to: global)
        #expect(try ws.mavenGlobalSettings() == global)
        let settings = """
            <?xml version="1.0" encoding="UTF-8"?>
            <settings xmlns="http://maven.apache.org/SETTINGS/1.0.0">
              <servers>
                <server><id>depot</id><username>depot</username><password>\(ws.server.adminToken)</password></server>
              </servers>
              <mirrors>
                <mirror><id>depot</id><name>Depot</name><mirrorOf>*</mirrorOf><url>\(ws.mavenURL(repository: repository))</url></mirror>
              </mirrors>
            </settings>

            """
        try FileManager.default.createDirectory(at: ws.mavenUserSettings.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(settings.utf8).write(to: ws.mavenUserSettings)
    }
}
