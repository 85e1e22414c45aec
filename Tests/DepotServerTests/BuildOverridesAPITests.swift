import DepotCore
import Foundation
import HummingbirdTesting
import Testing

@testable import DepotServer

/// A build's overrides through Depot's API: refused before anything is queued when they are not what a build may
/// change, kept with the build's record when they are.
@Suite("Build overrides in the API")
struct BuildOverridesAPITests {
    @Test("a buildspec that does not parse, a source version without git, a reserved variable: 400, nothing queued; overrides that choose the commands take admin")
    func refused() async throws {
        let source = FileManager.default.temporaryDirectory.appendingPathComponent("depot-overrides-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: source) }
        try await Depot.run { depot in
            try await depot.standardSetup()
            try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
            let project = try await depot.request(
                .post, "/api/v1/domains/acme/projects", json: ["name": "app", "repository": "main", "sourceDirectory": source.path])
            try #require(project.status == .created, "\(project.text)")
            let start = "/api/v1/domains/acme/projects/app/builds"
            for (body, code) in [
                (["buildspec": "version: [unclosed"], "InvalidBuildspec"),
                (["buildspec": String(repeating: "#", count: 300 * 1024)], "InvalidBuildspec"),
                (["sourceVersion": "main"], "InvalidSourceVersion"),
                (["environment": ["LD_PRELOAD": "x"]], "InvalidEnvironment"),
            ] as [([String: Any], String)] {
                let refused = try await depot.request(.post, start, json: body)
                #expect(refused.status == .badRequest && refused.text.contains(code), "\(body.keys): \(refused.status) \(refused.text)")
            }
            let listed = try await depot.request(.get, "/api/v1/domains/acme/builds")
            #expect((try listed.object()["builds"] as? [Any])?.isEmpty == true, "\(listed.text)")
            // A publish token may start the project as defined, not choose what it runs.
            let publisher = try await depot.createToken(repositories: ["main"], permissions: ["read", "publish"])
            let commands = "version: 0.2\nphases:\n  build:\n    commands:\n      - echo hi\n"
            for body in [["buildspec": commands], ["sourceVersion": "main"]] {
                let refused = try await depot.request(.post, start, auth: .bearer(publisher.secret), json: body)
                #expect(refused.status == .forbidden, "\(body.keys): \(refused.status) \(refused.text)")
            }
            #expect(try await depot.request(.post, start, auth: .bearer(publisher.secret), json: ["environment": ["STAGE": "x"]]).status == .accepted)
            let started = try await depot.request(.post, start, json: ["buildspec": commands])
            #expect(started.status == .accepted, "\(started.text)")
        }
    }
}
