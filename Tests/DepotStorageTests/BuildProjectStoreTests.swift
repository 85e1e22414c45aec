import DepotCore
import Foundation
import Testing

@testable import DepotStorage

/// Projects changed and deleted (their builds kept), and a build's overrides kept with its record.
@Suite("Build projects and overrides in SQLite")
struct BuildProjectStoreTests {
    @Test("a project is replaced in place and deleted; its builds stay; unknown ones are not found")
    func updateAndDelete() async throws {
        let fixture = try StorageFixture()
        let store = fixture.store
        var project = BuildProject(
            domain: "acme", name: "app", repository: "main", sourceDirectory: nil, gitURL: "https://example.com/app.git", gitRef: nil,
            buildspecPath: "buildspec.yml", environment: ["A": "1"], createdAt: Date(timeIntervalSince1970: 1_700_000_000))
        try await store.createProject(project)
        project.inlineBuildspec = "version: 0.2"
        project.gitRef = "v2"
        project.modifiedAt = Date(timeIntervalSince1970: 1_700_000_100)
        try await store.updateProject(project)
        #expect(try await store.project(domain: "acme", name: "app") == project)
        var ghost = project
        ghost.name = "ghost"
        await #expect(throws: DepotError.self) { try await store.updateProject(ghost) }

        let overrides = BuildOverrides(environment: ["X": "1"], buildspec: "version: 0.2\n", sourceVersion: "feature")
        let build = try await store.createBuild(id: "app:1", domain: "acme", project: "app", initiator: "t", overrides: overrides, at: Date())
        #expect(build.overrides == overrides)
        #expect(try await store.build(domain: "acme", id: "app:1")?.overrides == overrides)
        _ = try await store.createBuild(id: "app:2", domain: "acme", project: "app", initiator: "t", at: Date())
        #expect(try await store.build(domain: "acme", id: "app:2")?.overrides == BuildOverrides())

        #expect(try await store.deleteProject(domain: "acme", name: "app"))
        #expect(try await store.project(domain: "acme", name: "app") == nil)
        #expect(try await !store.deleteProject(domain: "acme", name: "app"))
        #expect(try await store.build(domain: "acme", id: "app:1") != nil)
    }
}
