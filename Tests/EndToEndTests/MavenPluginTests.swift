import Foundation
import Testing

/// Maven plugins: `mvn deploy:deploy-file` of a `maven-plugin` jar carrying `META-INF/maven/plugin.xml` makes the
/// group-level maven-metadata.xml list its goal prefix; an uploaded group-level file is validated and merged.
/// Also that `Expect: 100-continue` (what Maven's transport sends on PUT) is answered.
@Suite("Maven plugins")
struct MavenPluginTests {
    static let group = "com.example.plugins"
    static let groupPath = "com/example/plugins"

    static func pom(artifactId: String, name: String?) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <project xmlns="http://maven.apache.org/POM/4.0.0">
          <modelVersion>4.0.0</modelVersion>
          <groupId>\(group)</groupId>
          <artifactId>\(artifactId)</artifactId>
          <version>1.0</version>
          <packaging>maven-plugin</packaging>
        \(name.map { "  <name>\($0)</name>\n" } ?? "")</project>

        """
    }

    static let descriptor = """
        <?xml version="1.0" encoding="UTF-8"?>
        <plugin>
          <name>Hello descriptor</name>
          <groupId>\(group)</groupId>
          <artifactId>depot-hello-maven-plugin</artifactId>
          <version>1.0</version>
          <goalPrefix>greet</goalPrefix>
          <mojos/>
        </plugin>

        """

    @Test("deploy-file of maven-plugin jars: the G-level metadata lists their prefixes; uploads are validated and merged")
    func pluginPrefixes() throws {
        let tools = MavenTools.shared
        let ws = try Workspace.loggedInToMaven()
        let admin = "x:\(ws.server.adminToken)"
        let staging = try ws.directory("plugins")

        // One plugin with a descriptor declaring its prefix, one without a descriptor (Maven's naming convention).
        let plugins: [(artifactId: String, name: String?, descriptor: String?)] = [
            ("depot-hello-maven-plugin", "Depot Hello Plugin", Self.descriptor),
            ("maven-depotconv-plugin", nil, nil),
        ]
        for plugin in plugins {
            let content = staging.appendingPathComponent(plugin.artifactId)
            let meta = content.appendingPathComponent("META-INF/maven")
            try FileManager.default.createDirectory(at: meta, withIntermediateDirectories: true)
            try Data("hello".utf8).write(to: content.appendingPathComponent("README.txt"))
            if let descriptor = plugin.descriptor { try Data(descriptor.utf8).write(to: meta.appendingPathComponent("plugin.xml")) }
            let jar = staging.appendingPathComponent("\(plugin.artifactId)-1.0.jar")
            let built = try Command.run("jar", ["cf", jar.path, "-C", content.path, "."])
            try #require(built.succeeded, "jar cf: \(built.output)")
            let pom = staging.appendingPathComponent("\(plugin.artifactId)-1.0.pom")
            try Data(Self.pom(artifactId: plugin.artifactId, name: plugin.name).utf8).write(to: pom)
            let deployed = try ws.mvn([
                "\(tools.deployPlugin):deploy-file", "-Dfile=\(jar.path)", "-DpomFile=\(pom.path)", "-Durl=\(ws.mavenURL())",
                "-DrepositoryId=depot",
            ], in: staging, localRepository: "m2-deploy")
            #expect(deployed.succeeded, "deploy-file \(plugin.artifactId):\n\(ws.tail(deployed))")
        }

        let metadataPath = "/acme/main/maven/\(Self.groupPath)/maven-metadata.xml"
        func listed() throws -> [String: (name: String?, prefix: String?)] {
            let reply = try ws.curl("GET", metadataPath, user: admin)
            #expect(reply.status == 200, "GET \(metadataPath): \(reply.status) \(reply.text)")
            var result: [String: (name: String?, prefix: String?)] = [:]
            for plugin in XMLTree(reply.text)?.all("plugins/plugin") ?? [] {
                result[plugin.text("artifactId") ?? ""] = (plugin.text("name"), plugin.text("prefix"))
            }
            return result
        }
        var entries = try listed()
        #expect(entries.count == 2, "\(entries)")
        #expect(entries["depot-hello-maven-plugin"]?.prefix == "greet")
        #expect(entries["depot-hello-maven-plugin"]?.name == "Depot Hello Plugin")
        #expect(entries["maven-depotconv-plugin"]?.prefix == "depotconv")
        #expect(entries["maven-depotconv-plugin"]?.name == "maven-depotconv-plugin")

        // Its checksums are those of the served bytes.
        let served = try ws.curl("GET", metadataPath, user: admin)
        let sha1 = try ws.curl("GET", metadataPath + ".sha1", user: admin)
        let expectedSHA1 = try ws.digest("sha1", served.body)
        #expect(sha1.status == 200 && sha1.text.trimmingCharacters(in: .whitespacesAndNewlines) == expectedSHA1)
        // It carries its SHA-1 as ETag, so a revalidation is a 304.
        let revalidated = try ws.curl("GET", metadataPath, user: admin, headers: ["If-None-Match: \"\(expectedSHA1)\""])
        #expect(revalidated.status == 304, "If-None-Match: \(revalidated.status)")

        // An uploaded G-level file (what maven-deploy-plugin sends for plugins): accepted; a declared prefix is used
        // where the jar has no descriptor, the descriptor's prefix wins, and artifacts not stored here are not listed.
        let uploaded = """
            <?xml version="1.0" encoding="UTF-8"?>
            <metadata>
              <plugins>
                <plugin><name>Hello</name><prefix>other</prefix><artifactId>depot-hello-maven-plugin</artifactId></plugin>
                <plugin><name>Conv</name><prefix>conv</prefix><artifactId>maven-depotconv-plugin</artifactId></plugin>
                <plugin><name>Ghost</name><prefix>ghost</prefix><artifactId>ghost-maven-plugin</artifactId></plugin>
              </plugins>
            </metadata>

            """
        let put = try ws.put(metadataPath, Data(uploaded.utf8), user: admin)
        #expect(put.status == 201, "PUT G-level metadata: \(put.status) \(put.text)")
        let checksum = try ws.put(metadataPath + ".sha1", Data(try ws.digest("sha1", Data(uploaded.utf8)).utf8), user: admin)
        #expect(checksum.status == 201, "PUT G-level metadata checksum: \(checksum.status) \(checksum.text)")
        entries = try listed()
        #expect(Set(entries.keys) == ["depot-hello-maven-plugin", "maven-depotconv-plugin"])
        #expect(entries["depot-hello-maven-plugin"]?.prefix == "greet")
        #expect(entries["maven-depotconv-plugin"]?.prefix == "conv")
        #expect(entries["maven-depotconv-plugin"]?.name == "Conv")

        for bad in ["<metadata><plugins><plugin><prefix>x</prefix>", "not xml", "<metadata><plugins><plugin><prefix>x</prefix></plugin></plugins></metadata>"] {
            let reply = try ws.put(metadataPath, Data(bad.utf8), user: admin)
            #expect(reply.status == 400, "PUT \(bad): \(reply.status) \(reply.text)")
        }
        #expect(try listed().count == 2)
    }

    /// A real mojo: `execute()` prints one line that the test looks for.
    static let mojoSource = """
        package com.example.plugins.run;

        import org.apache.maven.plugin.AbstractMojo;

        public class HelloMojo extends AbstractMojo {
            public void execute() {
                getLog().info("depot-hello: resolved by its prefix through Depot");
            }
        }

        """

    /// The descriptor maven-plugin-plugin would generate for that mojo: goal `hello`, no project needed.
    static func runnableDescriptor(artifactId: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <plugin>
          <name>Depot Runnable Plugin</name>
          <groupId>\(runGroup)</groupId>
          <artifactId>\(artifactId)</artifactId>
          <version>1.0</version>
          <goalPrefix>depothello</goalPrefix>
          <isolatedRealm>false</isolatedRealm>
          <inheritedByDefault>true</inheritedByDefault>
          <mojos>
            <mojo>
              <goal>hello</goal>
              <requiresProject>false</requiresProject>
              <implementation>com.example.plugins.run.HelloMojo</implementation>
              <language>java</language>
              <instantiationStrategy>per-lookup</instantiationStrategy>
              <executionStrategy>once-per-session</executionStrategy>
              <threadSafe>true</threadSafe>
              <parameters/>
            </mojo>
          </mojos>
          <dependencies/>
        </plugin>

        """
    }

    static let runGroup = "com.example.plugins.run"

    @Test("mvn <prefix>:<goal> with an empty local repository: the prefix, the version and the plugin come from Depot")
    func prefixResolvesThroughDepot() throws {
        let tools = MavenTools.shared
        let ws = try Workspace.loggedInToMaven()
        let pluginAPI = try #require(
            (try? FileManager.default.contentsOfDirectory(atPath: "/usr/share/maven/lib"))?.first { $0.hasPrefix("maven-plugin-api") },
            "maven-plugin-api is not in /usr/share/maven/lib")
        let artifactId = "depot-runnable-maven-plugin"
        let staging = try ws.directory("runnable-plugin")
        let sources = staging.appendingPathComponent("src/com/example/plugins/run")
        let classes = staging.appendingPathComponent("classes")
        try FileManager.default.createDirectory(at: sources, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: classes.appendingPathComponent("META-INF/maven"), withIntermediateDirectories: true)
        try Data(Self.mojoSource.utf8).write(to: sources.appendingPathComponent("HelloMojo.java"))
        try Data(Self.runnableDescriptor(artifactId: artifactId).utf8)
            .write(to: classes.appendingPathComponent("META-INF/maven/plugin.xml"))
        let compiled = try Command.run("javac", [
            "--release", "8", "-nowarn", "-cp", "/usr/share/maven/lib/\(pluginAPI)", "-d", classes.path,
            sources.appendingPathComponent("HelloMojo.java").path,
        ])
        try #require(compiled.succeeded, "javac: \(compiled.output)")
        let jar = staging.appendingPathComponent("\(artifactId)-1.0.jar")
        let built = try Command.run("jar", ["cf", jar.path, "-C", classes.path, "."])
        try #require(built.succeeded, "jar cf: \(built.output)")
        let pom = staging.appendingPathComponent("\(artifactId)-1.0.pom")
        // It declares plexus-utils (from Debian's repository) so that mvn does not inject the ancient 1.1 nobody has.
        let dependencies = """
              <dependencies>
                <dependency><groupId>org.codehaus.plexus</groupId><artifactId>plexus-utils</artifactId><version>3.4.2</version></dependency>
              </dependencies>
            </project>
            """
        try Data(Self.pom(artifactId: artifactId, name: "Depot Runnable Plugin").replacingOccurrences(of: Self.group, with: Self.runGroup)
            .replacingOccurrences(of: "</project>", with: dependencies).utf8)
            .write(to: pom)
        let deployed = try ws.mvn([
            "\(tools.deployPlugin):deploy-file", "-Dfile=\(jar.path)", "-DpomFile=\(pom.path)", "-Durl=\(ws.mavenURL())",
            "-DrepositoryId=depot",
        ], in: staging, localRepository: "m2-deploy")
        try #require(deployed.succeeded, "deploy-file:\n\(ws.tail(deployed))")

        // The plugin group is one mvn searches for prefixes; the rest of the settings is what `depot login` wrote.
        let settings = try String(contentsOf: ws.mavenUserSettings, encoding: .utf8)
        try #require(settings.contains("</settings>"))
        try Data(settings.replacingOccurrences(
            of: "</settings>", with: "  <pluginGroups><pluginGroup>\(Self.runGroup)</pluginGroup></pluginGroups>\n</settings>").utf8)
            .write(to: ws.mavenUserSettings)

        // No project, an empty local repository: `depothello` is only known from Depot's group-level metadata.
        let elsewhere = try ws.directory("no-project")
        let ran = try ws.mvn(["depothello:hello"], in: elsewhere, localRepository: "m2-prefix")
        #expect(ran.succeeded, "mvn depothello:hello:\n\(ws.tail(ran))")
        #expect(ran.output.contains("depot-hello: resolved by its prefix through Depot"), "\(ws.tail(ran))")
        let cached = ws.root.appendingPathComponent("m2-prefix/com/example/plugins/run/\(artifactId)/1.0/\(artifactId)-1.0.jar")
        #expect(FileManager.default.fileExists(atPath: cached.path), "the plugin jar came through Depot")
    }

    @Test("curl -T with Expect: 100-continue gets 100 Continue before it sends the body")
    func expectContinue() throws {
        let ws = try Workspace()
        try ws.setUpMavenRepository()
        let file = ws.root.appendingPathComponent("lib-1.0.jar")
        try Data(repeating: 7, count: 4096).write(to: file)
        let url = "\(ws.mavenURL())com/example/expect/lib/1.0/lib-1.0.jar"
        // --expect100-timeout is long so a missing 100 shows as a missing line, not as a slow upload.
        let result = try Command.run("curl", [
            "-sS", "-v", "--expect100-timeout", "120", "-u", "x:\(ws.server.adminToken)", "-H", "Expect: 100-continue",
            "-T", file.path, "-o", "/dev/null", "-w", "%{http_code}", url,
        ])
        #expect(result.succeeded, "\(result.output)")
        let lines = result.stderr.split(whereSeparator: \.isNewline).map(String.init)
        let continueLine = lines.firstIndex { $0.hasPrefix("< HTTP/1.1 100 Continue") }
        let finalLine = lines.firstIndex { $0.hasPrefix("< HTTP/1.1 201") }
        #expect(continueLine != nil && finalLine != nil && continueLine! < finalLine!, "\(result.stderr)")
        #expect(result.stdout == "201")
    }
}
