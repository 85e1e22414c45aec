import Foundation
import Testing

/// Twenty clients publishing the same name and version at once: exactly one wins.
@Suite("npm concurrent publishes")
struct NpmConcurrencyTests {
    /// A real gzipped tarball (`package/package.json`, `package/index.js`) made with tar, as npm pack lays it out.
    static func tarball(in ws: Workspace, name: String, version: String, marker: String) throws -> Data {
        let dir = try ws.directory("tar-\(UUID().uuidString)")
        let package = dir.appendingPathComponent("package")
        try FileManager.default.createDirectory(at: package, withIntermediateDirectories: true)
        try Data(#"{"name":"\#(name)","version":"\#(version)","main":"index.js"}"#.utf8).write(to: package.appendingPathComponent("package.json"))
        try Data("module.exports = '\(marker)';\n".utf8).write(to: package.appendingPathComponent("index.js"))
        let result = try Command.run("tar", ["czf", "package.tgz", "package"], in: dir)
        #expect(result.succeeded, "\(result.output)")
        return try Data(contentsOf: dir.appendingPathComponent("package.tgz"))
    }

    static func publishBody(name: String, version: String, tarball: Data) -> Data {
        let body: [String: Any] = [
            "_id": name, "name": name, "dist-tags": ["latest": version],
            "versions": [version: ["name": name, "version": version, "dist": [String: Any]()]],
            "_attachments": [
                "\(name)-\(version).tgz": [
                    "content_type": "application/octet-stream", "data": tarball.base64EncodedString(), "length": tarball.count,
                ]
            ],
        ]
        return try! JSONSerialization.data(withJSONObject: body)
    }

    @Test("20 parallel publishes with different bytes: one 201, nineteen 409")
    func differentBytes() async throws {
        let ws = try Workspace()
        try ws.setUpRepository()
        let bodies = try (0..<20).map { i in
            Self.publishBody(name: "race", version: "1.0.0", tarball: try Self.tarball(in: ws, name: "race", version: "1.0.0", marker: "writer-\(i)"))
        }
        let server = ws.server
        let token = server.adminToken
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for body in bodies {
                group.addTask { try await server.request("PUT", "/acme/main/npm/race", token: token, body: body).status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 201 }.count == 1, "\(statuses)")
        #expect(statuses.filter { $0 == 409 }.count == 19, "\(statuses)")

        // The winner's bytes are what npm installs; only one tarball blob is left in the store.
        let project = try ws.directory("race-project")
        try ws.npm(["init", "-y"], in: project)
        #expect(try ws.npm(["install", "race@1.0.0"], in: project).succeeded)
        let blobs = try FileManager.default.subpathsOfDirectory(atPath: server.storage.appendingPathComponent("blobs/sha256").path)
        #expect(blobs.filter { $0.split(separator: "/").count == 3 }.count == 1, "\(blobs)")
    }

    @Test("20 parallel publishes with identical bytes all succeed")
    func identicalBytes() async throws {
        let ws = try Workspace()
        try ws.setUpRepository()
        let body = Self.publishBody(
            name: "same", version: "1.0.0", tarball: try Self.tarball(in: ws, name: "same", version: "1.0.0", marker: "same"))
        let server = ws.server
        let token = server.adminToken
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<20 {
                group.addTask { try await server.request("PUT", "/acme/main/npm/same", token: token, body: body).status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.allSatisfy { $0 == 201 }, "\(statuses)")
    }
}
