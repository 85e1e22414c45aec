import Foundation
import Testing

/// The Maven proxy against a stand-in Maven Central holding a small tree with `.sha1` files: versions from the
/// upstream's maven-metadata.xml, files verified with the upstream `.sha1` (a mismatch is a 502 that keeps
/// nothing), garbage metadata refused, and the dependency-confusion defence for deploys.
@Suite("Maven upstream failures")
struct MavenUpstreamFailureTests {
    /// A workspace with the chain `app -> team -> maven-store(public:maven-central)` and a stand-in tree.
    final class Chain: @unchecked Sendable {
        let ws: Workspace
        let standIn: StandInRegistry

        init() throws {
            ws = try Workspace()
            standIn = try StandInRegistry(root: ws.root.appendingPathComponent("central"))
            try standIn.start()
            try ws.server.start(environment: StandInRegistry.depotEnvironment.merging([
                "DEPOT_MAVEN_CENTRAL_URL": standIn.url + "/", "DEPOT_UPSTREAM_TIMEOUT": "2s", "DEPOT_METADATA_TTL": "1s",
            ]) { $1 })
            try ws.server.createUpstreamChain(store: "maven-store", connection: "public:maven-central")
        }

        deinit { standIn.stop() }

        var admin: String { "x:\(ws.server.adminToken)" }

        /// Writes `group:artifact:version` (a jar of random bytes and a pom, each with its `.sha1` unless
        /// `checksums` is false) and the artifact's maven-metadata.xml listing `listed`. Returns the jar's bytes.
        @discardableResult
        func add(_ groupId: String, _ artifactId: String, _ version: String, listed: [String], checksums: Bool = true) throws -> Data {
            let directory = standIn.root.appendingPathComponent("\(groupId.replacingOccurrences(of: ".", with: "/"))/\(artifactId)")
            let versionDirectory = directory.appendingPathComponent(version)
            try FileManager.default.createDirectory(at: versionDirectory, withIntermediateDirectories: true)
            let jar = Data((0..<4096).map { _ in UInt8.random(in: 0...255) })
            let pom = Data("""
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
                  <groupId>\(groupId)</groupId><artifactId>\(artifactId)</artifactId><version>\(version)</version></project>

                """.utf8)
            for (name, data) in [("\(artifactId)-\(version).jar", jar), ("\(artifactId)-\(version).pom", pom)] {
                try data.write(to: versionDirectory.appendingPathComponent(name))
                if checksums { try Data(try ws.digest("sha1", data).utf8).write(to: versionDirectory.appendingPathComponent(name + ".sha1")) }
            }
            let versions = listed.map { "      <version>\($0)</version>\n" }.joined()
            try Data("""
                <?xml version="1.0" encoding="UTF-8"?>
                <metadata><groupId>\(groupId)</groupId><artifactId>\(artifactId)</artifactId>
                  <versioning><latest>\(listed.last ?? version)</latest><release>\(listed.last ?? version)</release><versions>
                \(versions)    </versions><lastUpdated>20240101120000</lastUpdated></versioning>
                </metadata>

                """.utf8).write(to: directory.appendingPathComponent("maven-metadata.xml"))
            return jar
        }

        func get(_ path: String, repository: String = "app") throws -> HTTPReply {
            try ws.curl("GET", "/acme/\(repository)/maven/\(path)", user: admin)
        }

        func versionStatus(_ coordinate: String, _ version: String, in repository: String) async throws -> Int {
            try await ws.server.managementAPI(
                "GET", "/api/v1/domains/acme/repositories/\(repository)/packages/maven/\(coordinate)/versions/\(version)").status
        }
    }

    @Test("upstream .sha1 verification, garbage metadata and 500s: clear 502s, nothing stored, recovery")
    func badUpstreams() async throws {
        let chain = try Chain()
        let jar = try chain.add("org.example.proxy", "lib", "1.0", listed: ["1.0", "2.0"])
        let jar2 = try chain.add("org.example.proxy", "lib", "2.0", listed: ["1.0", "2.0"])
        let plainJar = try chain.add("org.example.proxy", "plain", "1.0", listed: ["1.0"], checksums: false)
        try chain.add("org.example.proxy", "garbage", "1.0", listed: ["1.0"])
        try chain.add("org.example.proxy", "broken", "1.0", listed: ["1.0"])

        // Versions come from the upstream's metadata, through every repository of the chain.
        let metadata = try chain.get("org/example/proxy/lib/maven-metadata.xml")
        #expect(metadata.status == 200 && metadata.text.contains("<version>1.0</version>") && metadata.text.contains("<version>2.0</version>"), "\(metadata.status) \(metadata.text)")

        // A jar whose bytes do not match the upstream .sha1.
        let jarPath = "org/example/proxy/lib/1.0/lib-1.0.jar"
        try await chain.standIn.setMode(.badhash, match: "/lib-1.0.jar")
        let mismatched = try chain.get(jarPath)
        #expect(mismatched.status == 502 && mismatched.text.contains("UpstreamChecksumMismatch"), "\(mismatched.status) \(mismatched.text)")
        for repository in ["app", "team", "maven-store"] {
            #expect(try await chain.versionStatus("org.example.proxy:lib", "1.0", in: repository) == 404, "\(repository) kept a bad jar")
        }
        try await chain.standIn.setMode(.normal)
        let good = try chain.get(jarPath)
        #expect(good.status == 200 && good.body == jar, "\(good.status) \(good.text.prefix(300))")
        let sha1 = try chain.get(jarPath + ".sha1")
        let jarSHA1 = try chain.ws.digest("sha1", jar)
        #expect(sha1.status == 200 && sha1.text.trimmingCharacters(in: .whitespacesAndNewlines) == jarSHA1, "\(sha1.text)")
        #expect(try await chain.versionStatus("org.example.proxy:lib", "1.0", in: "maven-store") == 200)

        // A .sha1 that names other bytes: refused the same way.
        let jar2Path = "org/example/proxy/lib/2.0/lib-2.0.jar"
        let sha1File = chain.standIn.root.appendingPathComponent("org/example/proxy/lib/2.0/lib-2.0.jar.sha1")
        try Data(String(repeating: "0", count: 40).utf8).write(to: sha1File)
        let wrongSum = try chain.get(jar2Path)
        #expect(wrongSum.status == 502 && wrongSum.text.contains("UpstreamChecksumMismatch"), "\(wrongSum.status) \(wrongSum.text)")
        try Data(try chain.ws.digest("sha1", jar2).utf8).write(to: sha1File)
        #expect(try chain.get(jar2Path).body == jar2)

        // No .sha1 upstream (as in Debian's repository): the file is fetched as it is.
        let plain = try chain.get("org/example/proxy/plain/1.0/plain-1.0.jar")
        #expect(plain.status == 200 && plain.body == plainJar, "\(plain.status) \(plain.text.prefix(300))")

        // Garbage and 500s for maven-metadata.xml: 502, not cached; the real document once the upstream recovers.
        // (One artifact per mode: a copy fetched once would be served stale on a later failure, as it should.)
        for (artifact, mode) in [("garbage", StandInRegistry.Mode.invalid), ("broken", .status500)] {
            let metadataPath = "/org/example/proxy/\(artifact)/maven-metadata.xml"
            try await chain.standIn.setMode(mode, match: metadataPath)
            let failed = try chain.get(String(metadataPath.dropFirst()))
            #expect(failed.status == 502, "\(mode): \(failed.status) \(failed.text)")
            try await chain.standIn.setMode(.normal)
            let before = try await chain.standIn.count(metadataPath)
            let recovered = try chain.get(String(metadataPath.dropFirst()))
            #expect(recovered.status == 200 && recovered.text.contains("<version>1.0</version>"), "\(mode): \(recovered.status) \(recovered.text)")
            #expect(try await chain.standIn.count(metadataPath) == before + 1, "\(mode): the failure was cached")
        }
        #expect(try chain.ws.curl("GET", "/healthz").status == 200)
    }

    @Test("an internal artifact shadows the upstream's; deploying an upstream-only artifact needs origin controls")
    func dependencyConfusion() async throws {
        let chain = try Chain()
        let ws = chain.ws
        let pom = { (artifactId: String, version: String) in
            Data("""
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
                  <groupId>org.example.internal</groupId><artifactId>\(artifactId)</artifactId><version>\(version)</version></project>

                """.utf8)
        }
        // Deployed to team while the upstream does not know the artifact (pom, jar, then the G/A metadata).
        let internalJar = Data("internal jar bytes".utf8)
        for (name, data) in [("core-1.0.jar", internalJar), ("core-1.0.pom", pom("core", "1.0"))] {
            let put = try ws.put("/acme/team/maven/org/example/internal/core/1.0/\(name)", data, user: chain.admin)
            #expect((200..<300).contains(put.status), "\(name): \(put.status) \(put.text)")
        }
        let internalMetadata = Data("""
            <?xml version="1.0" encoding="UTF-8"?>
            <metadata><groupId>org.example.internal</groupId><artifactId>core</artifactId>
              <versioning><release>1.0</release><versions><version>1.0</version></versions><lastUpdated>20240101120000</lastUpdated></versioning></metadata>

            """.utf8)
        let putMetadata = try ws.put("/acme/team/maven/org/example/internal/core/maven-metadata.xml", internalMetadata, user: chain.admin)
        #expect((200..<300).contains(putMetadata.status), "\(putMetadata.status) \(putMetadata.text)")

        // Then the same coordinates appear upstream with a higher version.
        try chain.add("org.example.internal", "core", "9.0", listed: ["9.0"])
        try await chain.standIn.resetCounts()
        let metadata = try chain.get("org/example/internal/core/maven-metadata.xml")
        #expect(metadata.status == 200 && metadata.text.contains("<version>1.0</version>") && !metadata.text.contains("9.0"), "\(metadata.text)")
        #expect(try chain.get("org/example/internal/core/9.0/core-9.0.jar").status == 404)
        #expect(try chain.get("org/example/internal/core/1.0/core-1.0.jar").body == internalJar)
        let consulted = try await chain.standIn.requests()
        #expect(consulted.keys.filter { $0.contains("/core/") }.isEmpty, "\(consulted)")

        // An artifact only the upstream has: deploying it to team is refused until its origin controls allow it.
        try chain.add("org.example.internal", "public-only", "2.0", listed: ["2.0"])
        let refused = try ws.put("/acme/team/maven/org/example/internal/public-only/2.1/public-only-2.1.pom", pom("public-only", "2.1"), user: chain.admin)
        #expect(refused.status == 403 && refused.text.contains("dependency-confusion"), "\(refused.status) \(refused.text)")
        let origin = try await ws.server.managementAPI(
            "PUT", "/api/v1/domains/acme/repositories/team/packages/maven/org.example.internal:public-only/origin",
            json: ["publish": "ALLOW", "upstream": "BLOCK"])
        #expect(origin.status == 200, "\(origin.body)")
        let allowed = try ws.put("/acme/team/maven/org/example/internal/public-only/2.1/public-only-2.1.pom", pom("public-only", "2.1"), user: chain.admin)
        #expect((200..<300).contains(allowed.status), "\(allowed.status) \(allowed.text)")
        #expect(try chain.get("org/example/internal/public-only/2.0/public-only-2.0.pom").status == 404)
    }
}
