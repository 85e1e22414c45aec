import Foundation
import Testing

/// Artifact downloads over a real `depot serve`, checked with curl: an npm tarball published by npm (small: served
/// from the memory cache) and a Maven jar made by `jar` (over 1 MiB: streamed from its file). Ranges get 206 with
/// exactly the slice, a range past the end 416, HEAD the headers alone, If-None-Match 304, If-Range with another tag
/// the whole file, and `curl -C -` resumes a cut download to the right bytes.
@Suite("Artifact downloads")
struct ArtifactDownloadTests {
    @Test("npm tarball and Maven jar: Range 206 and 416, HEAD, If-None-Match 304, If-Range, curl -C - resume")
    func rangesHeadRevalidationAndResume() throws {
        let ws = try Workspace()
        try ws.setUpRepository()
        let admin = "x:\(ws.server.adminToken)"

        // npm: a package carrying ~100 KB that does not compress, published by the npm client.
        let package = try ws.makePackage("depot-e2e-ranges", version: "1.0.0", body: "module.exports = 'ranges';\n")
        try Self.randomData(100_000).write(to: package.appendingPathComponent("data.bin"))
        let published = try ws.npm(["publish"], in: package)
        try #require(published.succeeded, "\(published.output)")
        let tarballPath = "/acme/main/npm/depot-e2e-ranges/-/depot-e2e-ranges-1.0.0.tgz"
        let tarball = try ws.curl("GET", tarballPath, user: admin)
        try #require(tarball.status == 200, "GET \(tarballPath): \(tarball.status) \(tarball.text.prefix(200))")
        // The bytes npm published: the sha1 npm computed at publish time, in the packument.
        let packument = try ws.curl("GET", "/acme/main/npm/depot-e2e-ranges", user: admin)
        let dist = ((packument.json?["versions"] as? [String: Any])?["1.0.0"] as? [String: Any])?["dist"] as? [String: Any]
        #expect(dist?["shasum"] as? String == (try ws.digest("sha1", tarball.body)))
        #expect(tarball.body.count > 90_000, "\(tarball.body.count)")

        // Maven: a jar over the 1 MiB memory-cache limit, made by the JDK's jar tool (zip when there is none).
        let contents = try ws.directory("jar-contents")
        try Self.randomData(3 * 1024 * 1024 + 12_345).write(to: contents.appendingPathComponent("data.bin"))
        let jarFile = ws.root.appendingPathComponent("ranges-lib-1.0.jar")
        let made =
            MavenTools.which("jar") != nil
            ? try Command.run("jar", ["cf", jarFile.path, "-C", contents.path, "."])
            : try Command.run("zip", ["-q", "-r", jarFile.path, "."], in: contents)
        try #require(made.succeeded, "making the jar: \(made.output)")
        let jar = try Data(contentsOf: jarFile)
        let base = "/acme/main/maven/com/example/ranges/ranges-lib/1.0"
        let pom = """
            <?xml version="1.0" encoding="UTF-8"?>
            <project xmlns="http://maven.apache.org/POM/4.0.0">
              <modelVersion>4.0.0</modelVersion>
              <groupId>com.example.ranges</groupId>
              <artifactId>ranges-lib</artifactId>
              <version>1.0</version>
            </project>

            """
        let pomPut = try ws.put("\(base)/ranges-lib-1.0.pom", Data(pom.utf8), user: admin)
        #expect((200..<300).contains(pomPut.status), "PUT pom: \(pomPut.status) \(pomPut.text.prefix(200))")
        let jarPut = try ws.put("\(base)/ranges-lib-1.0.jar", jar, user: admin)
        try #require((200..<300).contains(jarPut.status), "PUT jar: \(jarPut.status) \(jarPut.text.prefix(200))")

        for (path, bytes) in [(tarballPath, tarball.body), ("\(base)/ranges-lib-1.0.jar", jar)] {
            try check(path, bytes: bytes, ws: ws, user: admin)
        }
        // Generated documents answer HEAD too: the GET's headers, no body.
        for path in ["/acme/main/npm/depot-e2e-ranges", "/acme/main/maven/com/example/ranges/ranges-lib/maven-metadata.xml"] {
            let get = try ws.curl("GET", path, user: admin)
            let head = try ws.head(path, user: admin)
            #expect(head.status == 200, "HEAD \(path): \(head.status)")
            #expect(head.headers["content-length"] == String(get.body.count), "HEAD \(path)")
            #expect(head.headers["etag"] == get.headers["etag"], "HEAD \(path)")
        }
        #expect(!ws.server.log.contains(" 500 "), "\(ws.server.log.split(separator: "\n").filter { $0.contains(" 500 ") }.joined(separator: "\n"))")
    }

    /// Every download behaviour on one artifact whose bytes are `bytes`.
    func check(_ path: String, bytes: Data, ws: Workspace, user: String) throws {
        let size = bytes.count
        let sha256 = try ws.sha256(bytes)
        let etag = "\"\(sha256)\""

        let whole = try ws.curl("GET", path, user: user)
        #expect(whole.status == 200, "\(path)")
        #expect(whole.body == bytes, "\(path)")
        #expect(whole.headers["etag"] == etag, "\(path)")
        #expect(whole.headers["content-length"] == String(size), "\(path)")
        #expect(whole.headers["accept-ranges"] == "bytes", "\(path)")
        #expect(whole.headers["x-content-type-options"] == "nosniff", "\(path)")

        // One range: 206 with exactly those bytes; an end past the file is clipped; a suffix is the last bytes.
        for (range, slice) in [
            ("bytes=0-0", 0..<1), ("bytes=100-1099", 100..<1100), ("bytes=\(size - 10)-\(size + 1000)", (size - 10)..<size),
            ("bytes=-500", (size - 500)..<size), ("bytes=\(size / 2)-", (size / 2)..<size),
        ] {
            let partial = try ws.curl("GET", path, user: user, headers: ["Range: \(range)"])
            #expect(partial.status == 206, "\(path) \(range): \(partial.status)")
            #expect(partial.headers["content-range"] == "bytes \(slice.lowerBound)-\(slice.upperBound - 1)/\(size)", "\(path) \(range)")
            #expect(partial.headers["content-length"] == String(slice.count), "\(path) \(range)")
            #expect(partial.body == bytes.subdata(in: slice), "\(path) \(range): \(partial.body.count) bytes")
        }

        // Past the end, or -0: 416 naming the size. Several ranges: the whole file.
        for range in ["bytes=\(size)-", "bytes=-0", "bytes=99999999999999999999-"] {
            let refused = try ws.curl("GET", path, user: user, headers: ["Range: \(range)"])
            #expect(refused.status == 416, "\(path) \(range): \(refused.status)")
            #expect(refused.headers["content-range"] == "bytes */\(size)", "\(path) \(range)")
        }
        let several = try ws.curl("GET", path, user: user, headers: ["Range: bytes=0-1,5-6"])
        #expect(several.status == 200 && several.body == bytes, "\(path) several ranges: \(several.status)")

        // HEAD: the headers of the GET, no body (curl -I would hang or complain if one came).
        let head = try ws.head(path, user: user)
        #expect(head.status == 200, "HEAD \(path): \(head.status)")
        #expect(head.headers["content-length"] == String(size), "HEAD \(path)")
        #expect(head.headers["etag"] == etag, "HEAD \(path)")
        #expect(head.headers["accept-ranges"] == "bytes", "HEAD \(path)")

        // Revalidation: 304 with the ETag; another tag gets the file.
        let notModified = try ws.curl("GET", path, user: user, headers: ["If-None-Match: \(etag)"])
        #expect(notModified.status == 304 && notModified.body.isEmpty, "\(path) If-None-Match: \(notModified.status)")
        #expect(notModified.headers["etag"] == etag)
        let modified = try ws.curl("GET", path, user: user, headers: ["If-None-Match: \"something-else\""])
        #expect(modified.status == 200 && modified.body == bytes, "\(path) other If-None-Match: \(modified.status)")

        // If-Range: the range only while the client's tag is this one.
        let current = try ws.curl("GET", path, user: user, headers: ["Range: bytes=10-19", "If-Range: \(etag)"])
        #expect(current.status == 206 && current.body == bytes.subdata(in: 10..<20), "\(path) If-Range current: \(current.status)")
        let stale = try ws.curl("GET", path, user: user, headers: ["Range: bytes=10-19", "If-Range: \"stale\""])
        #expect(stale.status == 200 && stale.body == bytes, "\(path) If-Range stale: \(stale.status)")

        // A download cut after a third, resumed by curl -C - (Range: bytes=<what it has>-): the whole file.
        let file = ws.root.appendingPathComponent("resumed-\(UUID().uuidString)")
        try bytes.prefix(size / 3).write(to: file)
        let resumed = try Command.run(
            "curl", ["-s", "-S", "--max-time", "60", "-u", user, "-C", "-", "-o", file.path, "-w", "%{http_code}", ws.server.url + path],
            timeout: 70)
        #expect(resumed.succeeded, "curl -C - \(path): \(resumed.output)")
        #expect(resumed.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "206", "curl -C - \(path): \(resumed.output)")
        #expect(try ws.sha256(file) == sha256, "\(path) resumed")
    }

    static func randomData(_ count: Int) -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}
