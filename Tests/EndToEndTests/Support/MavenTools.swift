import Foundation
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Debian's `mvn` and the Maven plugins Debian ships in its local Maven repository (`/usr/share/maven-repo`),
/// installed by `scripts/install-maven-tools`. The tests resolve plugins only from that folder (as the
/// `central` plugin repository, a `file://` URL) and dependencies only from Depot: Maven Central is never reached.
struct MavenTools: Sendable {
    let mvn: String
    let java: String
    /// Debian's Maven repository (`$DEPOT_MAVEN_REPO`, else /usr/share/maven-repo).
    let debianRepository: URL

    static let shared = MavenTools()

    init() {
        let environment = ProcessInfo.processInfo.environment
        mvn = environment["DEPOT_MVN"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.which("mvn") ?? "/usr/bin/mvn"
        java = Self.which("java") ?? "/usr/bin/java"
        debianRepository = URL(fileURLWithPath: environment["DEPOT_MAVEN_REPO"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/share/maven-repo")
    }

    static func which(_ name: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Whether mvn, java, javac and the plugins the test projects pin are all there.
    var available: Bool {
        FileManager.default.isExecutableFile(atPath: mvn) && FileManager.default.isExecutableFile(atPath: java)
            && Self.which("javac") != nil && Self.plugins.allSatisfy { pluginVersion($0.artifactId, preferred: $0.preferred) != nil }
    }

    var missingMessage: Comment {
        "mvn, a JDK or Debian's Maven plugins not found (mvn: \(mvn), plugins in \(debianRepository.path)): run scripts/install-maven-tools"
    }

    /// The plugins of the default `jar` lifecycle (plus the source plugin), each with the version Debian shipped
    /// when these tests were written; another version present in Debian's repository is taken when that one is gone.
    static let plugins: [(artifactId: String, preferred: String)] = [
        ("maven-resources-plugin", "3.3.0"), ("maven-compiler-plugin", "3.10.1"), ("maven-surefire-plugin", "2.22.3"),
        ("maven-jar-plugin", "3.3.0"), ("maven-install-plugin", "3.1.0"), ("maven-deploy-plugin", "3.0.0"),
    ]

    /// The version of `org.apache.maven.plugins:<artifactId>` to pin: `preferred` when Debian's repository has it,
    /// else the highest version there that has a jar (Debian's `debian` alias excluded).
    func pluginVersion(_ artifactId: String, preferred: String) -> String? {
        let directory = debianRepository.appendingPathComponent("org/apache/maven/plugins/\(artifactId)")
        func hasJar(_ version: String) -> Bool {
            FileManager.default.fileExists(atPath: directory.appendingPathComponent("\(version)/\(artifactId)-\(version).jar").path)
        }
        if hasJar(preferred) { return preferred }
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.first?.isNumber == true && hasJar($0) }
        return versions.max { Self.numericParts($0).lexicographicallyPrecedes(Self.numericParts($1)) }
    }

    static func numericParts(_ version: String) -> [Int] {
        version.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
    }

    /// Whether Debian ships maven-source-plugin (libmaven-source-plugin-java); otherwise the library's
    /// sources jar is a second, classified jar made by the jar plugin.
    var sourcePluginVersion: String? { pluginVersion("maven-source-plugin", preferred: "3.2.1") }

    /// `G:A:V` of the deploy plugin, for `mvn ...:deploy-file` (no prefix resolution needed).
    var deployPlugin: String {
        "org.apache.maven.plugins:maven-deploy-plugin:\(pluginVersion("maven-deploy-plugin", preferred: "3.0.0") ?? "3.0.0")"
    }

    /// The `<plugins>` of a test pom: every lifecycle plugin pinned to a version Debian ships. `sources` adds the
    /// sources jar (`-sources.jar`) to the `package` phase.
    func pluginsXML(sources: Bool) -> String {
        var xml = ""
        for plugin in Self.plugins {
            let version = pluginVersion(plugin.artifactId, preferred: plugin.preferred) ?? plugin.preferred
            if plugin.artifactId == "maven-jar-plugin", sources, sourcePluginVersion == nil {
                // No maven-source-plugin in Debian: a second jar of the sources with classifier `sources`.
                xml += """
                          <plugin>
                            <groupId>org.apache.maven.plugins</groupId><artifactId>maven-jar-plugin</artifactId><version>\(version)</version>
                            <executions><execution><id>sources-jar</id><phase>package</phase><goals><goal>jar</goal></goals>
                              <configuration><classifier>sources</classifier><classesDirectory>${project.basedir}/src/main/java</classesDirectory></configuration>
                            </execution></executions>
                          </plugin>

                    """
                continue
            }
            xml += """
                      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>\(plugin.artifactId)</artifactId><version>\(version)</version></plugin>

                """
        }
        if sources, let version = sourcePluginVersion {
            xml += """
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId><artifactId>maven-source-plugin</artifactId><version>\(version)</version>
                        <executions><execution><id>attach-sources</id><goals><goal>jar-no-fork</goal></goals></execution></executions>
                      </plugin>

                """
        }
        return xml
    }

    /// Variables of the calling environment that would change what mvn does (options, another Maven, rc files).
    static let leakingVariables = ["MAVEN_ARGS", "MAVEN_OPTS", "MAVEN_CONFIG", "M2_HOME", "MAVEN_HOME", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS"]
}

/// A Maven dependency of a test project.
struct MavenDependency {
    var groupId: String
    var artifactId: String
    var version: String
    var scope: String? = nil

    var xml: String {
        "      <dependency><groupId>\(groupId)</groupId><artifactId>\(artifactId)</artifactId><version>\(version)</version>"
            + (scope.map { "<scope>\($0)</scope>" } ?? "") + "</dependency>\n"
    }
}

extension Workspace {
    var maven: MavenTools { .shared }

    /// `$HOME/.m2/settings.xml`, which `depot login --tool maven` writes and mvn reads (user.home is this HOME).
    var mavenUserSettings: URL { home.appendingPathComponent(".m2/settings.xml") }

    /// The Maven repository URL of a Depot repository, with its trailing slash.
    func mavenURL(domain: String = "acme", repository: String = "main") -> String {
        "\(server.url)/\(domain)/\(repository)/maven/"
    }

    /// Global settings for every mvn run of this workspace: the `central` repository is replaced by a profile so
    /// that plugins (and their dependencies) come only from Debian's `/usr/share/maven-repo` as a `file://`
    /// plugin repository, and no dependency is ever looked up there: dependencies come from Depot only.
    func mavenGlobalSettings() throws -> URL {
        let file = root.appendingPathComponent("maven/global-settings.xml")
        if FileManager.default.fileExists(atPath: file.path) { return file }
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let debian = maven.debianRepository.absoluteURL.absoluteString
        let settings = """
            <?xml version="1.0" encoding="UTF-8"?>
            <settings xmlns="http://maven.apache.org/SETTINGS/1.0.0">
              <localRepository>\(root.appendingPathComponent("m2-default").path)</localRepository>
              <interactiveMode>false</interactiveMode>
              <offline>false</offline>
              <profiles>
                <profile>
                  <id>debian-plugins-only</id>
                  <repositories>
                    <repository>
                      <id>central</id>
                      <url>file://\(root.appendingPathComponent("no-central").path)</url>
                      <releases><enabled>false</enabled></releases>
                      <snapshots><enabled>false</enabled></snapshots>
                    </repository>
                  </repositories>
                  <pluginRepositories>
                    <pluginRepository>
                      <id>central</id>
                      <url>\(debian)</url>
                      <releases><enabled>true</enabled><checksumPolicy>ignore</checksumPolicy></releases>
                      <snapshots><enabled>false</enabled></snapshots>
                    </pluginRepository>
                  </pluginRepositories>
                </profile>
              </profiles>
              <activeProfiles><activeProfile>debian-plugins-only</activeProfile></activeProfiles>
            </settings>

            """
        try Data(settings.utf8).write(to: file)
        return file
    }

    /// Runs `mvn -B` in `directory` with this workspace's HOME as user.home (so `~/.m2/settings.xml` is the file
    /// `depot login` wrote), the global settings above and the local repository `<root>/<localRepository>`
    /// (a separate one per role, so a consumer never sees what a producer installed locally).
    @discardableResult
    func mvn(_ arguments: [String], in directory: URL? = nil, localRepository: String, timeout: TimeInterval = 600) throws -> CommandResult {
        let global = try mavenGlobalSettings()
        let environment = [
            "HOME": home.path, "MAVEN_SKIP_RC": "1", "MAVEN_OPTS": "-Duser.home=\(home.path) -Xmx512m -XX:TieredStopAtLevel=1",
            "NO_COLOR": "1", "TERM": "dumb", "LC_ALL": "C.UTF-8",
        ]
        let removed = MavenTools.leakingVariables.filter { $0 != "MAVEN_OPTS" }.flatMap { ["-u", $0] }
        let common = [
            "-B", "-V", "-Dstyle.color=never", "-gs", global.path,
            "-Dmaven.repo.local=\(root.appendingPathComponent(localRepository).path)",
        ]
        let result = try Command.run(
            "env", removed + [maven.mvn] + common + arguments, in: directory ?? root, environment: environment, timeout: timeout)
        return result
    }

    /// The last `lines` lines of an mvn run, for failure messages.
    func tail(_ result: CommandResult, lines: Int = 60) -> String {
        result.output.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    /// Writes a jar-packaged project: `pom.xml` (Java 8 bytecode, UTF-8, plugins pinned to Debian's),
    /// `distributionManagement` to `deployURL` with id `depot` when given, and the given source files
    /// (`relative path -> content`, under the project directory).
    func makeMavenProject(
        directory name: String, groupId: String, artifactId: String, version: String, dependencies: [MavenDependency] = [],
        deployURL: String? = nil, sources: Bool = false, files: [String: String]
    ) throws -> URL {
        let dir = try directory(name)
        let distribution = deployURL.map {
            """
              <distributionManagement>
                <repository><id>depot</id><name>Depot</name><url>\($0)</url></repository>
                <snapshotRepository><id>depot</id><name>Depot</name><url>\($0)</url></snapshotRepository>
              </distributionManagement>

            """
        } ?? ""
        let pom = """
            <?xml version="1.0" encoding="UTF-8"?>
            <project xmlns="http://maven.apache.org/POM/4.0.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                     xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 http://maven.apache.org/xsd/maven-4.0.0.xsd">
              <modelVersion>4.0.0</modelVersion>
              <groupId>\(groupId)</groupId>
              <artifactId>\(artifactId)</artifactId>
              <version>\(version)</version>
              <packaging>jar</packaging>
              <name>\(artifactId)</name>
              <description>\(artifactId) for Depot's end-to-end tests</description>
              <properties>
                <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                <maven.compiler.source>8</maven.compiler.source>
                <maven.compiler.target>8</maven.compiler.target>
              </properties>
            \(distribution)  <dependencies>
            \(dependencies.map(\.xml).joined())  </dependencies>
              <build>
                <plugins>
            \(maven.pluginsXML(sources: sources))    </plugins>
              </build>
            </project>

            """
        try Data(pom.utf8).write(to: dir.appendingPathComponent("pom.xml"))
        for (path, content) in files {
            let file = dir.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(content.utf8).write(to: file)
        }
        return dir
    }

    /// Runs `java -cp <classpath> <mainClass>`.
    func java(classpath: [URL], mainClass: String, arguments: [String] = []) throws -> CommandResult {
        try Command.run(
            maven.java, ["-cp", classpath.map(\.path).joined(separator: ":"), mainClass] + arguments, in: root,
            environment: ["HOME": home.path])
    }

    /// A new workspace with the Maven repository acme/main and `depot login --tool maven` done (requires mvn).
    static func loggedInToMaven() throws -> Workspace {
        let tools = MavenTools.shared
        try #require(tools.available, tools.missingMessage)
        let ws = try Workspace()
        try ws.setUpMavenRepository()
        let login = try ws.depotLogin(tool: "maven")
        try #require(login.succeeded, "depot login --tool maven: \(login.output)")
        return ws
    }

    /// Starts the server and creates domain and repository, without any client login.
    func setUpMavenRepository(domain: String = "acme", repository: String = "main") throws {
        try server.start()
        let created = try server.cli(["domain", "create", domain])
        #expect(created.succeeded, "\(created.output)")
        let repo = try server.cli(["repo", "create", "--domain", domain, repository, "--description", "maven e2e"])
        #expect(repo.succeeded, "\(repo.output)")
    }

    /// A fresh token for `domain/repository` with `permission` (read, publish, admin).
    func mintToken(permission: String, domain: String = "acme", repository: String = "main") throws -> String {
        let created = try server.cli(["token", "create", "--domain", domain, "--repo", repository, "--permission", permission])
        #expect(created.succeeded, "\(created.output)")
        let token = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.hasPrefix("dpt_"), "\(created.output)")
        return token
    }

    /// `depot package versions --format maven group:artifact --json`: version -> status (nil when the command fails).
    func mavenVersions(_ coordinate: String, domain: String = "acme", repository: String = "main") throws -> [String: String]? {
        let result = try server.cli(["package", "versions", "--domain", domain, "--repo", repository, "--format", "maven", coordinate, "--json"])
        guard result.succeeded, let object = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
            let versions = object["versions"] as? [[String: Any]]
        else { return nil }
        var statuses: [String: String] = [:]
        for version in versions {
            if let name = version["version"] as? String { statuses[name] = version["status"] as? String ?? "" }
        }
        return statuses
    }

    /// `depot package list --format maven --json`: the packages listed (display names), nil when the command fails.
    func mavenPackageNames(domain: String = "acme", repository: String = "main") throws -> [String]? {
        let result = try server.cli(["package", "list", "--domain", domain, "--repo", repository, "--format", "maven", "--json"])
        guard result.succeeded,
            let object = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
            let packages = object["packages"] as? [[String: Any]]
        else { return nil }
        return packages.compactMap { ($0["package"] ?? $0["name"]) as? String }
    }

    // MARK: Hashes

    func digest(_ algorithm: String, _ data: Data) throws -> String {
        let file = root.appendingPathComponent("digest-\(UUID().uuidString)")
        try data.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return try digest(algorithm, file)
    }

    /// `md5`, `sha1`, `sha256` or `sha512` of a file, lower-case hex (coreutils).
    func digest(_ algorithm: String, _ file: URL) throws -> String {
        let result = try Command.run("\(algorithm)sum", [file.path])
        return String(result.stdout.prefix(while: { !$0.isWhitespace }))
    }

    /// A HEAD request (`curl -I`, which does not wait for a body): status and lower-cased headers.
    func head(_ path: String, user: String?) throws -> HTTPReply {
        var arguments = ["-s", "-S", "-I", "--path-as-is", "--max-time", "30", "-w", "%{http_code}", "-o", "/dev/null", "-D", "-"]
        if let user { arguments += ["-u", user] }
        arguments.append(server.url + path)
        let result = try Command.run("curl", arguments, timeout: 40)
        var fields: [String: String] = [:]
        var lines = result.stdout.split(whereSeparator: \.isNewline).map(String.init)
        let status = Int(lines.popLast()?.trimmingCharacters(in: .whitespaces) ?? "") ?? -1
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return HTTPReply(status: status, headers: fields, body: Data())
    }

    /// Every `WWW-Authenticate` value of the response to an anonymous GET (the curl helper keeps only the last
    /// header of a name; Maven's HTTP client needs a Basic challenge among them).
    func authenticateChallenges(_ path: String) throws -> [String] {
        let result = try Command.run("curl", ["-s", "-S", "--path-as-is", "--max-time", "30", "-o", "/dev/null", "-D", "-", server.url + path], timeout: 40)
        return result.stdout.split(whereSeparator: \.isNewline).compactMap { line in
            guard let colon = line.firstIndex(of: ":"), line[..<colon].lowercased() == "www-authenticate" else { return nil }
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
    }

    /// PUTs `data` to a path under the server with curl (`--path-as-is`, HTTP Basic `user`).
    func put(_ path: String, _ data: Data, user: String?, headers: [String] = []) throws -> HTTPReply {
        let file = root.appendingPathComponent("put-\(UUID().uuidString)")
        try data.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return try curl("PUT", path, user: user, headers: headers, bodyFile: file)
    }
}

/// A parsed XML document with namespace-blind lookups by local name (settings.xml and POMs use a default namespace).
struct XMLTree {
    let root: XMLElement

    init?(_ text: String) {
        guard let document = try? XMLDocument(data: Data(text.utf8), options: []), let root = document.rootElement() else { return nil }
        self.root = root
    }

    init(element: XMLElement) { root = element }

    static func children(of element: XMLElement, _ name: String) -> [XMLElement] {
        (element.children ?? []).compactMap { $0 as? XMLElement }.filter { ($0.localName ?? $0.name) == name }
    }

    /// Elements at `path` below the root (each step a child's local name).
    func all(_ path: String) -> [XMLTree] {
        var current = [root]
        for step in path.split(separator: "/") {
            current = current.flatMap { Self.children(of: $0, String(step)) }
        }
        return current.map { XMLTree(element: $0) }
    }

    func first(_ path: String) -> XMLTree? { all(path).first }

    /// Trimmed text of the first element at `path` (nil when there is none).
    func text(_ path: String) -> String? {
        first(path)?.root.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    var name: String { root.localName ?? root.name ?? "" }
}
