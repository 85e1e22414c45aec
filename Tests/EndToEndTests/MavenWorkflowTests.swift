import Foundation
import Testing

/// The real `mvn` (Debian's Maven 3.8 with Debian's plugins) against a running `depot serve`: `depot login --tool
/// maven` writes `~/.m2/settings.xml`, `mvn deploy` publishes a library (release and SNAPSHOT, deployed twice),
/// `mvn package` of a second project resolves it from Depot, `mvn -U package` picks up the newer SNAPSHOT build;
/// and real third-party jars from Debian's Maven repository go up with `deploy:deploy-file` and come back as
/// dependencies. Plugins come only from Debian's `/usr/share/maven-repo`, dependencies only from Depot.
@Suite("Maven workflow", .serialized)
struct MavenWorkflowTests {
    static let group = "com.example.depot"
    static let groupPath = "com/example/depot"
    static let lib = "depot-e2e-lib"

    /// The library's one class: `version()` tells which build a consumer got.
    static func librarySource(_ version: String) -> [String: String] {
        [
            "src/main/java/com/example/depot/Greeting.java": """
                package com.example.depot;

                /** A greeting that names the build of depot-e2e-lib it comes from. */
                public final class Greeting {
                    private Greeting() {}

                    public static String version() {
                        return "\(version)";
                    }

                    public static String greet(String name) {
                        return "Hello, " + name + ", from depot-e2e-lib " + version();
                    }
                }

                """,
            "src/main/resources/depot-e2e-lib.properties": "build=\(version)\n",
        ]
    }

    static let appSource = [
        "src/main/java/com/example/app/Main.java": """
            package com.example.app;

            import com.example.depot.Greeting;

            public final class Main {
                public static void main(String[] args) {
                    System.out.println(Greeting.greet("app"));
                }
            }

            """
    ]

    @Test("depot login --tool maven, mvn deploy (release and SNAPSHOT twice), mvn package and mvn -U package from Depot")
    func deployAndResolve() throws {
        let tools = MavenTools.shared
        try #require(tools.available, tools.missingMessage)
        let ws = try Workspace()
        try ws.setUpMavenRepository()
        let admin = "x:\(ws.server.adminToken)"
        let repoURL = ws.mavenURL()
        let base = "/acme/main/maven/\(Self.groupPath)/\(Self.lib)"

        // An existing settings.xml with another server: login merges into it.
        try FileManager.default.createDirectory(at: ws.mavenUserSettings.deletingLastPathComponent(), withIntermediateDirectories: true)
        let existing = """
            <?xml version="1.0" encoding="UTF-8"?>
            <settings xmlns="http://maven.apache.org/SETTINGS/1.0.0">
              <servers>
                <server>
                  <id>corp-nexus</id>
                  <username>alice</username>
                  <password>s3cret-not-depot</password>
                </server>
              </servers>
            </settings>

            """
        try Data(existing.utf8).write(to: ws.mavenUserSettings)

        let login = try ws.depotLogin(tool: "maven")
        try #require(login.succeeded, "depot login --tool maven: \(login.output)")
        let token = try checkLoginSettings(ws, repoURL: repoURL)
        try checkDistributionSnippet(login.stdout, repoURL: repoURL)
        // Logging in again replaces Depot's entries (a fresh token) and still keeps the other server.
        let again = try ws.depotLogin(tool: "maven")
        #expect(again.succeeded, "second depot login --tool maven: \(again.output)")
        let token2 = try checkLoginSettings(ws, repoURL: repoURL)
        #expect(token2 != nil && token2 != token, "a second login writes a fresh token")

        // 1. Release 1.0.0: jar + sources jar + pom with `mvn deploy`.
        let release = try ws.makeMavenProject(
            directory: "lib-release", groupId: Self.group, artifactId: Self.lib, version: "1.0.0", deployURL: repoURL, sources: true,
            files: Self.librarySource("release-1.0.0"))
        let deployed = try ws.mvn(["deploy"], in: release, localRepository: "m2-lib")
        try #require(deployed.succeeded, "mvn deploy 1.0.0:\n\(ws.tail(deployed))")
        #expect(deployed.output.contains("Uploaded to depot: \(repoURL)\(Self.groupPath)/\(Self.lib)/1.0.0/\(Self.lib)-1.0.0.jar"), "\(ws.tail(deployed))")
        #expect(!deployed.output.contains("Checksum validation failed"), "checksum warnings:\n\(ws.tail(deployed))")
        let releaseJar = release.appendingPathComponent("target/\(Self.lib)-1.0.0.jar")
        let releaseSources = release.appendingPathComponent("target/\(Self.lib)-1.0.0-sources.jar")
        #expect(FileManager.default.fileExists(atPath: releaseSources.path), "the build made no sources jar")
        #expect(try ws.mavenVersions("\(Self.group):\(Self.lib)")?["1.0.0"] == "Published")

        // Every file of the version, byte for byte, with its four checksums served from the stored hashes.
        for (name, local) in [
            ("\(Self.lib)-1.0.0.jar", releaseJar), ("\(Self.lib)-1.0.0-sources.jar", releaseSources),
            ("\(Self.lib)-1.0.0.pom", release.appendingPathComponent("pom.xml")),
        ] {
            let path = "\(base)/1.0.0/\(name)"
            let download = try ws.curl("GET", path, user: admin)
            #expect(download.status == 200, "GET \(path) -> \(download.status) \(download.text.prefix(200))")
            #expect(download.body == (try Data(contentsOf: local)), "\(name) served differs from what mvn deployed")
            for algorithm in ["md5", "sha1", "sha256", "sha512"] {
                let checksum = try ws.curl("GET", "\(path).\(algorithm)", user: admin)
                #expect(checksum.status == 200, "GET \(path).\(algorithm) -> \(checksum.status)")
                let served = checksum.text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
                #expect(served.split(separator: " ").first.map(String.init) == (try ws.digest(algorithm, download.body)),
                        "\(name).\(algorithm) is \(served), not the \(algorithm) of the downloaded file")
            }
        }
        let head = try ws.head("\(base)/1.0.0/\(Self.lib)-1.0.0.jar", user: admin)
        #expect(head.status == 200, "HEAD jar -> \(head.status)")
        let size = try FileManager.default.attributesOfItem(atPath: releaseJar.path)[.size] as? Int
        #expect(head.headers["content-length"].flatMap { Int($0) } == size, "HEAD content-length \(head.headers)")
        // Reads need a token (401 with a Basic challenge, which is what makes mvn send its credentials).
        let anonymous = try ws.curl("GET", "\(base)/1.0.0/\(Self.lib)-1.0.0.jar")
        #expect(anonymous.status == 401, "GET without a token -> \(anonymous.status)")
        let challenges = try ws.authenticateChallenges("\(base)/1.0.0/\(Self.lib)-1.0.0.jar")
        #expect(challenges.contains { $0.lowercased().hasPrefix("basic") }, "a Basic challenge in its own WWW-Authenticate header: \(challenges)")
        #expect(try ws.curl("GET", "\(base)/1.0.0/\(Self.lib)-1.0.0.jar", user: "x:dpt_not_a_token").status == 401)
        #expect(try ws.curl("GET", "\(base)/1.0.0/\(Self.lib)-1.0.0-javadoc.jar", user: admin).status == 404)
        #expect(try ws.curl("GET", "\(base)/9.9.9/\(Self.lib)-9.9.9.jar", user: admin).status == 404)

        // A release is immutable: deploying 1.0.0 again with other code fails (409) and changes nothing.
        let changed = try ws.makeMavenProject(
            directory: "lib-release-changed", groupId: Self.group, artifactId: Self.lib, version: "1.0.0", deployURL: repoURL,
            sources: true, files: Self.librarySource("release-1.0.0-changed"))
        let redeploy = try ws.mvn(["deploy"], in: changed, localRepository: "m2-lib-changed")
        #expect(!redeploy.succeeded, "redeploying release 1.0.0 with other bytes succeeded:\n\(ws.tail(redeploy))")
        #expect(redeploy.output.contains("409"), "redeploy of 1.0.0 should fail with 409:\n\(ws.tail(redeploy))")
        let still = try ws.curl("GET", "\(base)/1.0.0/\(Self.lib)-1.0.0.jar", user: admin)
        #expect(still.body == (try Data(contentsOf: releaseJar)), "release jar changed after a refused redeploy")

        // 2. 1.1-SNAPSHOT, first build.
        let snapshot = try ws.makeMavenProject(
            directory: "lib-snapshot", groupId: Self.group, artifactId: Self.lib, version: "1.1-SNAPSHOT", deployURL: repoURL,
            sources: true, files: Self.librarySource("snapshot-v1"))
        let snap1 = try ws.mvn(["deploy"], in: snapshot, localRepository: "m2-lib")
        try #require(snap1.succeeded, "mvn deploy 1.1-SNAPSHOT (first):\n\(ws.tail(snap1))")
        let snapshotJar = snapshot.appendingPathComponent("target/\(Self.lib)-1.1-SNAPSHOT.jar")
        let v1Jar = try Data(contentsOf: snapshotJar)
        let v1Metadata = try snapshotMetadata(ws, admin: admin, base: base)
        #expect(v1Metadata?.text("versioning/snapshot/buildNumber") == "1", "\(v1Metadata.map { "\($0.root)" } ?? "no metadata")")
        let v1Value = v1Metadata.flatMap { snapshotValue($0, extension: "jar", classifier: nil) }
        #expect(v1Value?.hasPrefix("1.1-") == true && v1Value?.hasSuffix("-1") == true, "snapshotVersions jar value \(v1Value ?? "none")")

        // The artifact-level metadata lists both versions.
        let artifactMetadata = try ws.curl("GET", "\(base)/maven-metadata.xml", user: admin)
        #expect(artifactMetadata.status == 200, "GET \(base)/maven-metadata.xml -> \(artifactMetadata.status)")
        let artifactTree = XMLTree(artifactMetadata.text)
        #expect(artifactTree != nil, "G/A maven-metadata.xml is not XML: \(artifactMetadata.text)")
        if let tree = artifactTree {
            #expect(tree.name == "metadata")
            #expect(tree.text("groupId") == Self.group && tree.text("artifactId") == Self.lib, "\(artifactMetadata.text)")
            let versions = tree.all("versioning/versions/version").compactMap { $0.root.stringValue }
            #expect(versions.contains("1.0.0") && versions.contains("1.1-SNAPSHOT"), "versions \(versions)")
            #expect(tree.text("versioning/release") == "1.0.0", "\(artifactMetadata.text)")
            #expect(tree.text("versioning/latest") == "1.1-SNAPSHOT", "\(artifactMetadata.text)")
            #expect(tree.text("versioning/lastUpdated")?.count == 14, "lastUpdated yyyyMMddHHmmss: \(artifactMetadata.text)")
        }
        let metadataSHA1 = try ws.curl("GET", "\(base)/maven-metadata.xml.sha1", user: admin)
        #expect(metadataSHA1.status == 200, "maven-metadata.xml.sha1 -> \(metadataSHA1.status)")
        #expect(metadataSHA1.text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased().hasPrefix(try ws.digest("sha1", artifactMetadata.body)),
                "maven-metadata.xml.sha1 does not match the metadata served")

        // 3. A second project depending on 1.0.0 builds with `mvn package`, the library coming from Depot.
        let appRelease = try ws.makeMavenProject(
            directory: "app-release", groupId: "com.example.app", artifactId: "depot-e2e-app", version: "1.0",
            dependencies: [MavenDependency(groupId: Self.group, artifactId: Self.lib, version: "1.0.0")], files: Self.appSource)
        let packaged = try ws.mvn(["package"], in: appRelease, localRepository: "m2-app")
        try #require(packaged.succeeded, "mvn package of the app (lib 1.0.0):\n\(ws.tail(packaged))")
        #expect(packaged.output.contains("Downloaded from depot: \(repoURL)\(Self.groupPath)/\(Self.lib)/1.0.0/\(Self.lib)-1.0.0.jar"),
                "the library did not come from Depot:\n\(ws.tail(packaged))")
        #expect(!packaged.output.contains("Checksum validation failed"), "checksum warnings:\n\(ws.tail(packaged))")
        let appJar = appRelease.appendingPathComponent("target/depot-e2e-app-1.0.jar")
        let resolvedRelease = ws.root.appendingPathComponent("m2-app/\(Self.groupPath)/\(Self.lib)/1.0.0/\(Self.lib)-1.0.0.jar")
        #expect(try Data(contentsOf: resolvedRelease) == (try Data(contentsOf: releaseJar)))
        let ranRelease = try ws.java(classpath: [appJar, resolvedRelease], mainClass: "com.example.app.Main")
        #expect(ranRelease.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "Hello, app, from depot-e2e-lib release-1.0.0", "\(ranRelease.output)")

        // 4. The same app on 1.1-SNAPSHOT gets the first build.
        let appSnapshot = try ws.makeMavenProject(
            directory: "app-snapshot", groupId: "com.example.app", artifactId: "depot-e2e-app", version: "1.0",
            dependencies: [MavenDependency(groupId: Self.group, artifactId: Self.lib, version: "1.1-SNAPSHOT")], files: Self.appSource)
        let snapApp1 = try ws.mvn(["package"], in: appSnapshot, localRepository: "m2-app")
        try #require(snapApp1.succeeded, "mvn package of the app (lib 1.1-SNAPSHOT):\n\(ws.tail(snapApp1))")
        if let v1Value {
            #expect(snapApp1.output.contains("\(Self.lib)-\(v1Value).jar"), "the SNAPSHOT build was not downloaded from Depot:\n\(ws.tail(snapApp1))")
        }
        let ran1 = try ws.java(classpath: [appSnapshot.appendingPathComponent("target/depot-e2e-app-1.0.jar"), try resolvedSnapshotJar(ws)],
                               mainClass: "com.example.app.Main")
        #expect(ran1.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "Hello, app, from depot-e2e-lib snapshot-v1", "\(ran1.output)")

        // 5. The SNAPSHOT deployed again with changed code: build number 2, the older build stays downloadable.
        for (path, content) in Self.librarySource("snapshot-v2") {
            try Data(content.utf8).write(to: snapshot.appendingPathComponent(path))
        }
        let snap2 = try ws.mvn(["deploy"], in: snapshot, localRepository: "m2-lib")
        try #require(snap2.succeeded, "mvn deploy 1.1-SNAPSHOT (second):\n\(ws.tail(snap2))")
        let v2Jar = try Data(contentsOf: snapshotJar)
        #expect(v2Jar != v1Jar)
        let v2Metadata = try snapshotMetadata(ws, admin: admin, base: base)
        #expect(v2Metadata?.text("versioning/snapshot/buildNumber") == "2", "\(v2Metadata.map { "\($0.root)" } ?? "no metadata")")
        let v2Value = v2Metadata.flatMap { snapshotValue($0, extension: "jar", classifier: nil) }
        #expect(v2Value?.hasSuffix("-2") == true && v2Value != v1Value, "snapshotVersions jar value \(v2Value ?? "none") (first was \(v1Value ?? "none"))")
        if let v2Metadata {
            #expect(snapshotValue(v2Metadata, extension: "pom", classifier: nil) == v2Value, "\(v2Metadata.root)")
            #expect(snapshotValue(v2Metadata, extension: "jar", classifier: "sources") == v2Value, "\(v2Metadata.root)")
            #expect(v2Metadata.text("version") == "1.1-SNAPSHOT", "\(v2Metadata.root)")
        }
        let newest = try ws.curl("GET", "\(base)/1.1-SNAPSHOT/\(Self.lib)-1.1-SNAPSHOT.jar", user: admin)
        #expect(newest.status == 200 && newest.body == v2Jar, "\(Self.lib)-1.1-SNAPSHOT.jar should be the newest build (\(newest.status))")
        if let v1Value {
            let older = try ws.curl("GET", "\(base)/1.1-SNAPSHOT/\(Self.lib)-\(v1Value).jar", user: admin)
            #expect(older.status == 200 && older.body == v1Jar, "the first SNAPSHOT build \(v1Value) -> \(older.status)")
        }
        if let v2Value {
            let sha1 = try ws.curl("GET", "\(base)/1.1-SNAPSHOT/\(Self.lib)-\(v2Value).jar.sha1", user: admin)
            #expect(sha1.text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased().hasPrefix(try ws.digest("sha1", v2Jar)),
                    "\(v2Value).jar.sha1 -> \(sha1.status) \(sha1.text)")
        }

        // 6. `mvn -U package` picks up the new build.
        let snapApp2 = try ws.mvn(["-U", "package"], in: appSnapshot, localRepository: "m2-app")
        try #require(snapApp2.succeeded, "mvn -U package after the second SNAPSHOT deploy:\n\(ws.tail(snapApp2))")
        if let v2Value {
            #expect(snapApp2.output.contains("\(Self.lib)-\(v2Value).jar"), "the second SNAPSHOT build was not downloaded:\n\(ws.tail(snapApp2))")
        }
        let ran2 = try ws.java(classpath: [appSnapshot.appendingPathComponent("target/depot-e2e-app-1.0.jar"), try resolvedSnapshotJar(ws)],
                               mainClass: "com.example.app.Main")
        #expect(ran2.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "Hello, app, from depot-e2e-lib snapshot-v2", "\(ran2.output)")

        // Package management sees both versions.
        let versions = try ws.mavenVersions("\(Self.group):\(Self.lib)")
        #expect(versions?["1.0.0"] == "Published", "versions: \(versions ?? [:])")
        #expect(versions?["1.1-SNAPSHOT"] == "Published", "versions: \(versions ?? [:])")
        #expect(try ws.mavenPackageNames() == ["\(Self.group):\(Self.lib)"])
        #expect(!ws.server.log.contains(" 500 "), "\(ws.server.log.split(separator: "\n").filter { $0.contains(" 500 ") }.joined(separator: "\n"))")
    }

    /// Checks `~/.m2/settings.xml` after `depot login --tool maven` and returns the token it holds.
    @discardableResult
    func checkLoginSettings(_ ws: Workspace, repoURL: String) throws -> String? {
        let text = try String(contentsOf: ws.mavenUserSettings, encoding: .utf8)
        let tree = try #require(XMLTree(text), "settings.xml is not XML:\n\(text)")
        #expect(tree.name == "settings")
        let servers = tree.all("servers/server")
        let other = servers.filter { $0.text("id") == "corp-nexus" }
        #expect(other.count == 1 && other.first?.text("username") == "alice" && other.first?.text("password") == "s3cret-not-depot",
                "the existing server did not survive the login:\n\(text)")
        let depot = servers.filter { $0.text("id") == "depot" }
        #expect(depot.count == 1, "one server with id depot:\n\(text)")
        #expect(depot.first?.text("username") == "depot", "\(text)")
        let token = depot.first?.text("password")
        #expect(token?.hasPrefix("dpt_") == true, "the password is a Depot token:\n\(text)")

        let profiles = tree.all("profiles/profile").filter { $0.text("id") == "depot" }
        #expect(profiles.count == 1, "one profile depot:\n\(text)")
        let active = tree.all("activeProfiles/activeProfile").compactMap { $0.root.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines) }
        let activeByDefault = profiles.first?.text("activation/activeByDefault") == "true"
        #expect(active.filter { $0 == "depot" }.count == 1 || activeByDefault, "profile depot is not active:\n\(text)")
        for (kind, path) in [("repository", "repositories/repository"), ("pluginRepository", "pluginRepositories/pluginRepository")] {
            let entries = profiles.first?.all(path).filter { $0.text("id") == "depot" } ?? []
            #expect(entries.count == 1, "one \(kind) depot in the profile:\n\(text)")
            guard let entry = entries.first else { continue }
            #expect(entry.text("url") == repoURL, "\(kind) url \(entry.text("url") ?? "none"), expected \(repoURL)")
            for policy in ["releases", "snapshots"] {
                let enabled = entry.text("\(policy)/enabled")
                #expect(enabled == nil || enabled == "true", "\(kind) \(policy) must be enabled:\n\(text)")
            }
        }
        // The token works for this repository.
        if let token {
            let reply = try ws.curl("GET", "/acme/main/maven/com/example/none/none/1.0/none-1.0.pom", user: "depot:\(token)")
            #expect(reply.status == 404, "a read with the login token -> \(reply.status)")
        }
        return token
    }

    /// The `<distributionManagement>` snippet `depot login --tool maven` prints.
    func checkDistributionSnippet(_ output: String, repoURL: String) throws {
        guard let start = output.range(of: "<distributionManagement>"), let end = output.range(of: "</distributionManagement>") else {
            Issue.record("depot login --tool maven printed no <distributionManagement> snippet:\n\(output)")
            return
        }
        let snippet = String(output[start.lowerBound..<end.upperBound])
        let tree = try #require(XMLTree(snippet), "the printed snippet is not XML:\n\(snippet)")
        for element in ["repository", "snapshotRepository"] {
            #expect(tree.text("\(element)/id") == "depot", "\(element) id:\n\(snippet)")
            #expect(tree.text("\(element)/url") == repoURL, "\(element) url:\n\(snippet)")
        }
    }

    /// The G/A/V maven-metadata.xml of 1.1-SNAPSHOT, parsed (nil and a recorded issue when it is missing or not XML).
    func snapshotMetadata(_ ws: Workspace, admin: String, base: String) throws -> XMLTree? {
        let reply = try ws.curl("GET", "\(base)/1.1-SNAPSHOT/maven-metadata.xml", user: admin)
        #expect(reply.status == 200, "GET 1.1-SNAPSHOT/maven-metadata.xml -> \(reply.status) \(reply.text.prefix(300))")
        let tree = XMLTree(reply.text)
        #expect(tree != nil, "1.1-SNAPSHOT/maven-metadata.xml is not XML: \(reply.text.prefix(500))")
        if let tree {
            #expect(tree.text("groupId") == Self.group && tree.text("artifactId") == Self.lib, "\(reply.text)")
            let timestamp = tree.text("versioning/snapshot/timestamp") ?? ""
            #expect(timestamp.range(of: #"^\d{8}\.\d{6}$"#, options: .regularExpression) != nil, "snapshot timestamp \(timestamp)")
            #expect(!tree.all("versioning/snapshotVersions/snapshotVersion").isEmpty, "no snapshotVersions: \(reply.text)")
        }
        return tree
    }

    /// The `value` of the snapshotVersion with this extension and classifier.
    func snapshotValue(_ tree: XMLTree, extension ext: String, classifier: String?) -> String? {
        tree.all("versioning/snapshotVersions/snapshotVersion").first {
            $0.text("extension") == ext && ($0.text("classifier").flatMap { $0.isEmpty ? nil : $0 }) == classifier
        }?.text("value")
    }

    /// The SNAPSHOT jar in the app's local repository (mvn keeps `-1.1-SNAPSHOT.jar` beside the timestamped copy).
    func resolvedSnapshotJar(_ ws: Workspace) throws -> URL {
        let dir = ws.root.appendingPathComponent("m2-app/\(Self.groupPath)/\(Self.lib)/1.1-SNAPSHOT")
        let plain = dir.appendingPathComponent("\(Self.lib)-1.1-SNAPSHOT.jar")
        if FileManager.default.fileExists(atPath: plain.path) { return plain }
        let jars = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
            .filter { $0.hasSuffix(".jar") && !$0.hasSuffix("-sources.jar") }.sorted()
        return dir.appendingPathComponent(try #require(jars.last, "no SNAPSHOT jar in \(dir.path)"))
    }

    // MARK: Real third-party artifacts

    /// A jar and its pom from Debian's Maven repository, with what the copy deployed to Depot changes in the pom.
    struct ThirdParty {
        var groupId: String
        var artifactId: String
        var version: String
        var groupPath: String { groupId.replacingOccurrences(of: ".", with: "/") }
        var coordinate: String { "\(groupId):\(artifactId)" }
    }

    static let thirdParty = [
        ThirdParty(groupId: "org.hamcrest", artifactId: "hamcrest", version: "2.2"),
        ThirdParty(groupId: "junit", artifactId: "junit", version: "4.13.2"),
        ThirdParty(groupId: "commons-io", artifactId: "commons-io", version: "2.11.0"),
        ThirdParty(groupId: "commons-cli", artifactId: "commons-cli", version: "1.5.0"),
    ]

    /// Debian's poms point at Debian-only versions: their `<parent>` (commons-parent `debian`) is dropped and a
    /// dependency on hamcrest `debian` becomes the real 2.2 deployed beside it.
    static func portablePOM(_ pom: String) -> String {
        var text = pom
        if let parent = text.range(of: #"<parent>[\s\S]*?</parent>"#, options: .regularExpression) {
            text.replaceSubrange(parent, with: "")
        }
        return text.replacingOccurrences(
            of: #"(<groupId>org\.hamcrest</groupId>\s*<artifactId>hamcrest(-core|-library)?</artifactId>\s*<version>)debian(</version>)"#,
            with: "<groupId>org.hamcrest</groupId><artifactId>hamcrest</artifactId><version>2.2$3", options: .regularExpression)
    }

    @Test("real jars and poms from Debian's Maven repository: deploy:deploy-file, then resolved by mvn package")
    func thirdPartyArtifacts() throws {
        let tools = MavenTools.shared
        let ws = try Workspace.loggedInToMaven()
        let admin = "x:\(ws.server.adminToken)"
        let repoURL = ws.mavenURL()
        let staging = try ws.directory("third-party")

        var jars: [String: Data] = [:]
        for artifact in Self.thirdParty {
            let source = tools.debianRepository.appendingPathComponent("\(artifact.groupPath)/\(artifact.artifactId)/\(artifact.version)")
            let jarSource = source.appendingPathComponent("\(artifact.artifactId)-\(artifact.version).jar").resolvingSymlinksInPath()
            let pomSource = source.appendingPathComponent("\(artifact.artifactId)-\(artifact.version).pom")
            let jarData = try Data(contentsOf: jarSource)
            #expect(jarData.count > 1000 && jarData.prefix(2) == Data("PK".utf8), "\(jarSource.path) is not a jar")
            let pom = Self.portablePOM(try String(contentsOf: pomSource, encoding: .utf8))
            #expect(!pom.contains("<version>debian</version>") && !pom.contains("<parent>"), "pom still Debian-only:\n\(pom)")
            let jar = staging.appendingPathComponent("\(artifact.artifactId)-\(artifact.version).jar")
            let pomFile = staging.appendingPathComponent("\(artifact.artifactId)-\(artifact.version).pom")
            try jarData.write(to: jar)
            try Data(pom.utf8).write(to: pomFile)
            jars[artifact.artifactId] = jarData

            let deployed = try ws.mvn([
                "\(tools.deployPlugin):deploy-file", "-Dfile=\(jar.path)", "-DpomFile=\(pomFile.path)", "-Durl=\(repoURL)",
                "-DrepositoryId=depot",
            ], in: staging, localRepository: "m2-deploy")
            #expect(deployed.succeeded, "deploy-file \(artifact.coordinate):\(artifact.version):\n\(ws.tail(deployed))")
            #expect(deployed.output.contains("Uploaded to depot: \(repoURL)\(artifact.groupPath)/\(artifact.artifactId)/\(artifact.version)/"),
                    "\(ws.tail(deployed))")

            #expect(try ws.mavenVersions(artifact.coordinate)?[artifact.version] == "Published", "\(artifact.coordinate)")
            let path = "/acme/main/maven/\(artifact.groupPath)/\(artifact.artifactId)/\(artifact.version)/\(artifact.artifactId)-\(artifact.version).jar"
            let served = try ws.curl("GET", path, user: admin)
            #expect(served.status == 200 && served.body == jarData, "GET \(path) -> \(served.status)")
            let sha1 = try ws.curl("GET", path + ".sha1", user: admin)
            #expect(sha1.text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased().hasPrefix(try ws.digest("sha1", jarData)),
                    "\(path).sha1 -> \(sha1.status) \(sha1.text)")
            let metadata = try ws.curl("GET", "/acme/main/maven/\(artifact.groupPath)/\(artifact.artifactId)/maven-metadata.xml", user: admin)
            #expect(XMLTree(metadata.text)?.all("versioning/versions/version").compactMap { $0.root.stringValue } == [artifact.version],
                    "maven-metadata.xml of \(artifact.coordinate): \(metadata.status) \(metadata.text)")
        }
        #expect(Set(try ws.mavenPackageNames() ?? []) == Set(Self.thirdParty.map(\.coordinate)))

        // A project using commons-io and commons-cli, tested with junit (and hamcrest), all from Depot.
        let app = try ws.makeMavenProject(
            directory: "third-party-app", groupId: "com.example.app", artifactId: "depot-e2e-tools", version: "1.0",
            dependencies: [
                MavenDependency(groupId: "commons-io", artifactId: "commons-io", version: "2.11.0"),
                MavenDependency(groupId: "commons-cli", artifactId: "commons-cli", version: "1.5.0"),
                MavenDependency(groupId: "junit", artifactId: "junit", version: "4.13.2", scope: "test"),
            ],
            files: [
                "src/main/java/com/example/tools/Tool.java": """
                    package com.example.tools;

                    import java.io.File;
                    import java.nio.charset.StandardCharsets;
                    import org.apache.commons.cli.CommandLine;
                    import org.apache.commons.cli.DefaultParser;
                    import org.apache.commons.cli.Options;
                    import org.apache.commons.io.FileUtils;
                    import org.apache.commons.io.FilenameUtils;

                    public final class Tool {
                        public static String run(String[] args) throws Exception {
                            Options options = new Options();
                            options.addOption("n", "name", true, "a name");
                            options.addOption("o", "out", true, "a file to write");
                            CommandLine line = new DefaultParser().parse(options, args);
                            String text = "hello " + line.getOptionValue("name", "nobody");
                            File out = new File(line.getOptionValue("out"));
                            FileUtils.writeStringToFile(out, text, StandardCharsets.UTF_8);
                            return FileUtils.readFileToString(out, StandardCharsets.UTF_8) + " in " + FilenameUtils.getExtension(out.getName());
                        }

                        public static void main(String[] args) throws Exception {
                            System.out.println(run(args));
                        }
                    }

                    """,
                "src/test/java/com/example/tools/ToolTest.java": """
                    package com.example.tools;

                    import static org.hamcrest.CoreMatchers.containsString;
                    import static org.junit.Assert.assertEquals;
                    import static org.junit.Assert.assertThat;

                    import java.io.File;
                    import org.junit.Test;

                    public class ToolTest {
                        @Test
                        public void writesAndReadsBack() throws Exception {
                            File out = File.createTempFile("depot-e2e", ".txt");
                            out.deleteOnExit();
                            String result = Tool.run(new String[] {"--name", "depot", "--out", out.getPath()});
                            assertEquals("hello depot in txt", result);
                            assertThat(result, containsString("depot"));
                        }
                    }

                    """,
            ])
        let packaged = try ws.mvn(["package"], in: app, localRepository: "m2-app")
        try #require(packaged.succeeded, "mvn package with commons-io, commons-cli and junit from Depot:\n\(ws.tail(packaged, lines: 120))")
        #expect(packaged.output.contains("Tests run: 1, Failures: 0, Errors: 0"), "\(ws.tail(packaged))")
        for artifact in Self.thirdParty {
            let file = "\(artifact.groupPath)/\(artifact.artifactId)/\(artifact.version)/\(artifact.artifactId)-\(artifact.version).jar"
            #expect(packaged.output.contains("Downloaded from depot: \(repoURL)\(file)"), "\(artifact.coordinate) did not come from Depot:\n\(ws.tail(packaged))")
            let local = ws.root.appendingPathComponent("m2-app/\(file)")
            #expect((try? Data(contentsOf: local)) == jars[artifact.artifactId], "\(file) in the local repository differs from Debian's")
        }
        #expect(!packaged.output.contains("Checksum validation failed"), "checksum warnings:\n\(ws.tail(packaged))")

        let out = ws.root.appendingPathComponent("tool-out.txt")
        let ran = try ws.java(
            classpath: [
                app.appendingPathComponent("target/depot-e2e-tools-1.0.jar"),
                ws.root.appendingPathComponent("m2-app/commons-io/commons-io/2.11.0/commons-io-2.11.0.jar"),
                ws.root.appendingPathComponent("m2-app/commons-cli/commons-cli/1.5.0/commons-cli-1.5.0.jar"),
            ], mainClass: "com.example.tools.Tool", arguments: ["--name", "maven", "--out", out.path])
        #expect(ran.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "hello maven in txt", "\(ran.output)")
        #expect(!ws.server.log.contains(" 500 "), "\(ws.server.log.split(separator: "\n").filter { $0.contains(" 500 ") }.joined(separator: "\n"))")
    }
}
