import Foundation
import Testing

/// SwiftPM against a running `depot serve`: `depot login --tool swift` and `swift-netrc` write what `swift
/// package-registry set/login` write, `swift package-registry login` probes the token, `publish` sends two
/// versions of a library, and a package depending on it by registry identity resolves, builds and runs with
/// `swift build`; then bad publishes, each a problem+json 4xx that stores nothing.
@Suite("Swift registry workflow")
struct SwiftRegistryWorkflowTests {
    @Test("login, publish, resolve and build by registry identity, a second version, statuses, lookup")
    func publishResolveAndBuild() throws {
        let ws = try Workspace()
        let authority = try TestCertificateAuthority(in: ws.root)
        let swift = try SwiftClient(ws, authority: authority)
        try ws.startTLSServer(authority)
        let registry = "\(ws.server.url)/acme/main/swift"

        // depot login writes SwiftPM's own files: the default registry with token authentication, the token in .netrc.
        for tool in ["swift", "swift-netrc"] {
            let login = try ws.server.cli(["login", "--tool", tool, "--domain", "acme", "--repo", "main"], environment: ["HOME": ws.home.path])
            try #require(login.succeeded, "depot login --tool \(tool): \(login.output)")
        }
        let registries = try String(contentsOf: swift.configuration.appendingPathComponent("registries.json"), encoding: .utf8)
        #expect(registries.contains("\"url\" : \"\(registry)\""), "\(registries)")
        #expect(registries.contains("\"\(ws.server.url.replacingOccurrences(of: "https://", with: ""))\" : {"), "\(registries)")
        let netrc = try String(contentsOf: swift.netrc, encoding: .utf8)
        #expect(netrc.hasPrefix("machine 127.0.0.1 login token password dpt_"), "\(netrc)")

        // SwiftPM's login probe posts to the registry URL with the token it finds in .netrc; a wrong token is refused.
        let probe = try swift.run(["package-registry", "login", registry, "--no-confirm"], in: ws.home)
        #expect(probe.succeeded && probe.output.contains("Login successful"), "\(probe.output)")
        #expect(ws.server.log.contains("POST /acme/main/swift 200"))
        // (SwiftPM's URLSession waits for credentials on a 401 challenge, so a wrong token is sent by curl.)
        let wrong = try ws.tlsCurl(
            authority, ["-s", "-X", "POST", "-H", "Authorization: Bearer dpt_wrong", "-o", "/dev/null", "-w", "%{http_code}"],
            path: "/acme/main/swift/login")
        #expect(wrong.stdout == "401", "\(wrong.output)")

        let library = try Self.makeLibrary(ws, greeting: "hello 1.0.0")
        let published = try swift.run(["package-registry", "publish", "acme.Greeting", "1.0.0", "--url", registry], in: library)
        try #require(published.succeeded, "publish: \(published.output)")
        #expect(published.output.contains("successfully published"), "\(published.output)")

        let app = try ws.directory("app")
        try FileManager.default.createDirectory(at: app.appendingPathComponent("Sources/App"), withIntermediateDirectories: true)
        try """
            // swift-tools-version:5.9
            import PackageDescription

            let package = Package(
                name: "App",
                dependencies: [.package(id: "acme.Greeting", from: "1.0.0")],
                targets: [.executableTarget(name: "App", dependencies: [.product(name: "Greeting", package: "acme.Greeting")])]
            )

            """.write(to: app.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
        try "import Greeting\nprint(greeting())\n".write(to: app.appendingPathComponent("Sources/App/main.swift"), atomically: true, encoding: .utf8)
        let built = try swift.run(["build"], in: app, timeout: 900)
        try #require(built.succeeded, "swift build: \(built.output.suffix(4000))")
        let run = try Command.run(app.appendingPathComponent(".build/debug/App").path, [])
        #expect(run.stdout == "hello 1.0.0\n", "\(run.output)")
        for path in ["GET /acme/main/swift/acme/Greeting 200", "/acme/Greeting/1.0.0/Package.swift 200", "/acme/Greeting/1.0.0.zip 200"] {
            #expect(ws.server.log.contains(path), "\(path) not in the log")
        }

        // A second version: the lockfile moves to it on update; the links of 1.0.0 name it.
        try Self.writeGreeting(library, "hello 1.1.0")
        let second = try swift.run(["package-registry", "publish", "acme.Greeting", "1.1.0", "--url", registry], in: library)
        try #require(second.succeeded, "publish 1.1.0: \(second.output)")
        let updated = try swift.run(["package", "update"], in: app)
        #expect(updated.succeeded, "swift package update: \(updated.output)")
        let resolved = try String(contentsOf: app.appendingPathComponent("Package.resolved"), encoding: .utf8)
        #expect(resolved.contains("\"version\" : \"1.1.0\""), "\(resolved)")

        let auth = ["-H", "Authorization: Bearer \(ws.server.adminToken)"]
        let release = try ws.tlsCurl(authority, auth + ["-i", "-H", "Accept: application/vnd.swift.registry.v1+json"], path: "/acme/main/swift/acme/Greeting/1.0.0")
        #expect(release.stdout.contains("<\(registry)/acme/Greeting/1.1.0>; rel=\"latest-version\""), "\(release.stdout)")
        #expect(release.stdout.contains("<\(registry)/acme/Greeting/1.1.0>; rel=\"successor-version\""), "\(release.stdout)")
        #expect(release.stdout.lowercased().contains("content-version: 1"), "\(release.stdout)")
        #expect(release.stdout.contains("\"repositoryURLs\":[\"https://git.example.com/acme/greeting.git\"]"), "\(release.stdout)")
        let lookup = try ws.tlsCurl(authority, auth + ["-s"], path: "/acme/main/swift/identifiers?url=git@git.example.com:acme/greeting.git")
        #expect(lookup.stdout == "{\"identifiers\":[\"acme.Greeting\"]}", "\(lookup.output)")

        // Version statuses through the management API: an archived release is listed with a problem and not served.
        let archived = try ws.tlsCurl(
            authority, ["-s", "-X", "PATCH", "-H", "Authorization: Bearer \(ws.server.adminToken)", "-H", "Content-Type: application/json",
                        "--data", "{\"status\":\"Archived\"}", "-o", "/dev/null", "-w", "%{http_code}"],
            path: "/api/v1/domains/acme/repositories/main/packages/swift/acme.greeting/versions/1.1.0")
        #expect(archived.stdout == "200", "\(archived.output)")
        let listing = try ws.tlsCurl(authority, auth + ["-s"], path: "/acme/main/swift/acme/Greeting")
        #expect(listing.stdout.contains("\"1.1.0\":{\"problem\":{\"detail\":\"release 1.1.0 is Archived in this repository\",\"status\":410"), "\(listing.stdout)")
        let gone = try ws.tlsCurl(authority, auth + ["-s", "-o", "/dev/null", "-w", "%{http_code}"], path: "/acme/main/swift/acme/Greeting/1.1.0.zip")
        #expect(gone.stdout == "404")
        #expect(!ws.server.log.contains("dpt_"))
    }

    @Test("bad publishes get problem details and a 4xx, and store nothing")
    func badInput() throws {
        let ws = try Workspace()
        try ws.server.start()
        for arguments in [["domain", "create", "acme"], ["repo", "create", "--domain", "acme", "main"]] {
            try #require(try ws.server.cli(arguments).succeeded)
        }
        let admin = ws.server.adminToken
        let reader = try ws.server.cli(["token", "create", "--domain", "acme", "--permission", "read"])
        let readToken = reader.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(reader.succeeded && readToken.hasPrefix("dpt_"), "\(reader.output)")

        let library = try Self.makeLibrary(ws, greeting: "hello")
        let good = try Self.zip(ws, "good.zip", root: library.deletingLastPathComponent(), entries: [library.lastPathComponent])
        let first = try Self.put(ws, "/acme/main/swift/acme/Greeting/1.0.0", token: admin, parts: ["source-archive": good])
        try #require(first.status == 201, "\(first.body)")
        let blobs = Self.blobCount(ws)

        try Self.writeGreeting(library, "other bytes")
        let other = try Self.zip(ws, "other.zip", root: library.deletingLastPathComponent(), entries: [library.lastPathComponent])
        let escape = try ws.directory("escape")
        try "x".write(to: escape.appendingPathComponent("evil.sh"), atomically: true, encoding: .utf8)
        // zip keeps the `../` it is given: an entry that would land outside the package.
        let traversal = try Self.zip(ws, "traversal.zip", root: library, entries: ["Package.swift", "../escape/evil.sh"])
        let noManifest = try Self.zip(ws, "nomanifest.zip", root: library.deletingLastPathComponent(), entries: ["\(library.lastPathComponent)/Sources"])
        let notJSON = ws.root.appendingPathComponent("metadata.json")
        try "{not json".write(to: notJSON, atomically: true, encoding: .utf8)

        let cases: [(name: String, path: String, token: String?, parts: [String: URL], headers: [String], status: Int)] = [
            ("same version, other bytes", "acme/Greeting/1.0.0", admin, ["source-archive": other], [], 409),
            ("invalid name", "acme/Bad..Name/1.0.1", admin, ["source-archive": good], [], 400),
            ("invalid scope", "-acme/Greeting/1.0.1", admin, ["source-archive": good], [], 400),
            ("invalid version", "acme/Greeting/1.0", admin, ["source-archive": good], [], 400),
            ("wrong API version", "acme/Greeting/1.0.1", admin, ["source-archive": good], ["Accept: application/vnd.swift.registry.v2+json"], 400),
            ("traversal in the archive", "acme/Greeting/1.0.2", admin, ["source-archive": traversal], [], 422),
            ("no Package.swift", "acme/Greeting/1.0.3", admin, ["source-archive": noManifest], [], 422),
            ("not a zip", "acme/Greeting/1.0.4", admin, ["source-archive": notJSON], [], 422),
            ("malformed metadata", "acme/Greeting/1.0.5", admin, ["source-archive": good, "metadata": notJSON], [], 422),
            ("no archive part", "acme/Greeting/1.0.6", admin, ["metadata": notJSON], [], 400),
            ("unknown part", "acme/Greeting/1.0.7", admin, ["source-archive": good, "evil": good], [], 400),
            ("no token", "acme/Greeting/1.0.8", nil, ["source-archive": good], [], 401),
            ("wrong token", "acme/Greeting/1.0.9", "dpt_wrong", ["source-archive": good], [], 401),
            ("read-only token", "acme/Greeting/1.0.10", readToken, ["source-archive": good], [], 403),
        ]
        for bad in cases {
            let answer = try Self.put(ws, "/acme/main/swift/" + bad.path, token: bad.token, parts: bad.parts, headers: bad.headers)
            #expect(answer.status == bad.status, "\(bad.name): \(answer.status) \(answer.body)")
            #expect(answer.headers.contains("content-type: application/problem+json"), "\(bad.name): \(answer.headers)")
            #expect(answer.body.contains("\"detail\":"), "\(bad.name): \(answer.body)")
        }
        // A cut-off body and a body that is not multipart at all.
        let cut = try Self.raw(
            ws, "/acme/main/swift/acme/Greeting/1.1.0", token: admin, contentType: "multipart/form-data; boundary=b",
            body: "--b\r\nContent-Disposition: form-data; name=\"source-archive\"\r\n\r\nPK")
        #expect(cut.status == 400 && cut.body.contains("closing boundary"), "\(cut)")
        let json = try Self.raw(ws, "/acme/main/swift/acme/Greeting/1.1.0", token: admin, contentType: "application/json", body: "{}")
        #expect(json.status == 415 && json.headers.contains("content-version: 1"), "\(json)")

        // Nothing was stored: one release, one archive and manifest, the original bytes served.
        let listing = try Self.raw(ws, "/acme/main/swift/acme/Greeting", method: "GET", token: admin)
        #expect(listing.body == "{\"releases\":{\"1.0.0\":{\"url\":\"\(ws.server.url)/acme/main/swift/acme/Greeting/1.0.0\"}}}", "\(listing.body)")
        #expect(Self.blobCount(ws) == blobs)
        let download = ws.root.appendingPathComponent("download.zip")
        let fetched = try Command.run("curl", ["-s", "-H", "Authorization: Bearer \(admin)", "-o", download.path, ws.server.url + "/acme/main/swift/acme/Greeting/1.0.0.zip"])
        let served = try Data(contentsOf: download)
        let original = try Data(contentsOf: good)
        #expect(fetched.succeeded && served == original)
    }

    // MARK: Helpers

    /// A library package `Greeting` whose `greeting()` returns `greeting`, with release metadata naming its repository.
    static func makeLibrary(_ ws: Workspace, greeting: String) throws -> URL {
        let library = try ws.directory("Greeting")
        try FileManager.default.createDirectory(at: library.appendingPathComponent("Sources/Greeting"), withIntermediateDirectories: true)
        try """
            // swift-tools-version:5.9
            import PackageDescription

            let package = Package(
                name: "Greeting",
                products: [.library(name: "Greeting", targets: ["Greeting"])],
                targets: [.target(name: "Greeting")]
            )

            """.write(to: library.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
        try "{\"description\": \"Greets\", \"repositoryURLs\": [\"https://git.example.com/acme/greeting.git\"]}\n"
            .write(to: library.appendingPathComponent("package-metadata.json"), atomically: true, encoding: .utf8)
        try writeGreeting(library, greeting)
        return library
    }

    static func writeGreeting(_ library: URL, _ greeting: String) throws {
        try "public func greeting() -> String { \"\(greeting)\" }\n"
            .write(to: library.appendingPathComponent("Sources/Greeting/Greeting.swift"), atomically: true, encoding: .utf8)
    }

    /// A zip of `entries` (paths relative to `root`, kept as given) made by Info-ZIP's `zip`.
    static func zip(_ ws: Workspace, _ name: String, root: URL, entries: [String]) throws -> URL {
        let archive = ws.root.appendingPathComponent(name)
        let made = try Command.run("zip", ["-q", "-r", "-X", archive.path] + entries, in: root)
        try #require(made.succeeded, "zip: \(made.output)")
        return archive
    }

    /// A multipart PUT made by curl (`-F name=@file`); the answer's status, lowercased headers and body.
    static func put(
        _ ws: Workspace, _ path: String, token: String?, parts: [String: URL], headers: [String] = []
    ) throws -> (status: Int, headers: String, body: String) {
        var arguments = ["-X", "PUT"]
        for (name, file) in parts.sorted(by: { $0.key < $1.key }) { arguments += ["-F", "\(name)=@\(file.path)"] }
        return try curl(ws, path, token: token, arguments: arguments, headers: headers)
    }

    static func raw(
        _ ws: Workspace, _ path: String, method: String = "PUT", token: String?, contentType: String? = nil, body: String? = nil
    ) throws -> (status: Int, headers: String, body: String) {
        var arguments = ["-X", method]
        if let contentType { arguments += ["-H", "Content-Type: \(contentType)"] }
        if let body { arguments += ["--data-binary", body] }
        return try curl(ws, path, token: token, arguments: arguments, headers: [])
    }

    static func curl(
        _ ws: Workspace, _ path: String, token: String?, arguments: [String], headers: [String]
    ) throws -> (status: Int, headers: String, body: String) {
        let scratch = ws.root.appendingPathComponent("curl-\(UUID().uuidString)")
        var all = ["-s", "--path-as-is", "-D", scratch.path + ".headers", "-o", scratch.path + ".body", "-w", "%{http_code}"] + arguments
        if let token { all += ["-H", "Authorization: Bearer \(token)"] }
        for header in headers { all += ["-H", header] }
        let result = try Command.run("curl", all + [ws.server.url + path])
        let answerHeaders = (try? String(contentsOfFile: scratch.path + ".headers", encoding: .utf8)) ?? ""
        let body = (try? String(contentsOfFile: scratch.path + ".body", encoding: .utf8)) ?? ""
        return (Int(result.stdout) ?? -1, answerHeaders.lowercased(), body)
    }

    /// Files in the blob store.
    static func blobCount(_ ws: Workspace) -> Int {
        let blobs = ws.server.storage.appendingPathComponent("blobs")
        let files = FileManager.default.enumerator(at: blobs, includingPropertiesForKeys: [.isRegularFileKey])?.compactMap { item -> URL? in
            guard let url = item as? URL, (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { return nil }
            return url
        }
        return files?.count ?? 0
    }
}

/// `swift` with one test's SwiftPM files: the configuration, `.netrc`, security (TOFU fingerprints) and cache
/// directories in the workspace (SwiftPM finds its home from the user database, not `HOME`). SwiftPM on Linux
/// trusts only the system CA bundle, so each run sees, in a private mount namespace (bubblewrap), a bundle that
/// also holds the test CA at that path; nothing outside the process changes.
struct SwiftClient {
    let ws: Workspace
    let bundle: URL
    var configuration: URL { ws.home.appendingPathComponent(".swiftpm/configuration") }
    var netrc: URL { ws.home.appendingPathComponent(".netrc") }
    static let systemBundle = "/etc/ssl/certs/ca-certificates.crt"

    init(_ ws: Workspace, authority: TestCertificateAuthority) throws {
        self.ws = ws
        bundle = ws.root.appendingPathComponent("ca-bundle.pem")
        let system = try Data(contentsOf: URL(fileURLWithPath: Self.systemBundle))
        try (system + Data("\n".utf8) + (try Data(contentsOf: authority.caCertificate))).write(to: bundle)
        let probe = try Command.run("bwrap", ["--dev-bind", "/", "/", "--ro-bind", bundle.path, Self.systemBundle, "true"])
        try #require(probe.succeeded, "bubblewrap is needed to show SwiftPM the test CA: \(probe.output)")
    }

    func run(_ arguments: [String], in directory: URL, timeout: TimeInterval = 300) throws -> CommandResult {
        let options = [
            "--config-path", configuration.path, "--netrc-file", netrc.path,
            "--security-path", ws.root.appendingPathComponent("swiftpm-security").path,
            "--cache-path", ws.root.appendingPathComponent("swiftpm-cache").path,
        ]
        return try Command.run(
            "bwrap", ["--dev-bind", "/", "/", "--ro-bind", bundle.path, Self.systemBundle, "--chdir", directory.path, "swift"] + arguments + options,
            in: directory, timeout: timeout)
    }
}
