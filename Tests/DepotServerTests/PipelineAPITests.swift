import DepotCore
import Foundation
import HTTPTypes
import Testing

@testable import DepotServer

@Suite("Pipelines API")
struct PipelineAPITests {
    /// A git repository with one commit on `main`.
    static func gitRepository() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("depot-pipeline-git-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data("hello\n".utf8).write(to: directory.appendingPathComponent("README"))
        for arguments in [
            ["init", "--quiet", "--initial-branch=main"], ["add", "README"],
            ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "-m", "first"],
        ] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["git", "-C", directory.path] + arguments
            try process.run()
            process.waitUntilExit()
            try #require(process.terminationStatus == 0, "git \(arguments)")
        }
        return directory
    }

    static func definition(repository: URL) -> String {
        """
        name: gate
        stages:
          - name: Source
            actions:
              - name: Checkout
                category: Source
                provider: Git
                configuration: {Repository: "\(repository.path)", Branch: main, PollForSourceChanges: "false"}
                outputArtifacts: [Src]
                namespace: SourceVariables
          - name: Approve
            actions:
              - name: Gate
                category: Approval
                provider: Manual
                configuration: {CustomData: "release #{SourceVariables.CommitId}?"}
        """
    }

    @Test("create, start, approve (403 without the approve permission), events; invalid definitions get 400")
    func lifecycle() async throws {
        let repository = try Self.gitRepository()
        defer { try? FileManager.default.removeItem(at: repository) }
        try await Depot.run { depot in
            try await depot.createDomain("acme")
            let invalid = try await depot.request(.post, "/api/v1/domains/acme/pipelines", json: ["definition": "name: x\nstages: []\n"])
            #expect(invalid.status == .badRequest)
            #expect(invalid.text.contains("InvalidPipelineDefinition") && invalid.text.contains("stages"))

            let created = try await depot.request(
                .post, "/api/v1/domains/acme/pipelines", json: ["definition": Self.definition(repository: repository)])
            try #require(created.status == .created, "\(created.text)")
            let listed = try await depot.request(.get, "/api/v1/domains/acme/pipelines")
            #expect(listed.text.contains("\"gate\""))

            let started = try await depot.request(.post, "/api/v1/domains/acme/pipelines/gate/executions", json: [String: String]())
            #expect(started.status == .accepted)
            let id = try #require(try started.object()["pipelineExecutionId"] as? String)
            let detail = "/api/v1/domains/acme/pipelines/gate/executions/\(id)"
            try await eventually("the approval waits") {
                try await depot.request(.get, detail).text.contains("WaitingForApproval")
            }

            func token(_ permissions: [String]) async throws -> String {
                let response = try await depot.request(.post, "/api/v1/domains/acme/tokens", json: ["permissions": permissions])
                return try #require(try response.object()["token"] as? String)
            }
            let approval: [String: Any] = ["stage": "Approve", "action": "Gate", "status": "Approved", "summary": "looks good"]
            let reader = try await token(["read"])
            let publisher = try await token(["publish"])
            let approver = try await token(["approve"])
            #expect(try await depot.request(.post, detail + "/approval", auth: .bearer(reader), json: approval).status == .forbidden)
            #expect(try await depot.request(.post, detail + "/approval", auth: .bearer(publisher), json: approval).status == .forbidden)
            #expect(try await depot.request(.post, "/api/v1/domains/acme/pipelines/gate/executions", auth: .bearer(approver), json: [:]).status == .forbidden)
            let approved = try await depot.request(.post, detail + "/approval", auth: .bearer(approver), json: approval)
            #expect(approved.status == .ok, "\(approved.text)")
            let done = try await depot.request(.get, detail).object()
            #expect(done["status"] as? String == "Succeeded")
            let stages = try #require(done["stages"] as? [[String: Any]])
            let source = try #require((stages[0]["actions"] as? [[String: Any]])?.first)
            #expect((source["outputVariables"] as? [String: String])?["CommitId"]?.count == 40)
            let gate = try #require((stages[1]["actions"] as? [[String: Any]])?.first)
            #expect((gate["summary"] as? String)?.contains("looks good") == true)

            let events = try await depot.request(.get, "/api/v1/domains/acme/pipelines/gate/events?after=0").object()
            let list = try #require(events["events"] as? [[String: Any]])
            #expect(list.first?["type"] as? String == "ExecutionStarted")
            #expect(list.last?["type"] as? String == "ExecutionSucceeded")
            let next = try #require(events["next"] as? Int)
            let none = try await depot.request(.get, "/api/v1/domains/acme/pipelines/gate/events?after=\(next)").object()
            #expect((none["events"] as? [Any])?.isEmpty == true)

            #expect(try await depot.request(.post, detail + "/approval", json: approval).status == .conflict)
            #expect(try await depot.request(.delete, "/api/v1/domains/acme/pipelines/gate").status == .ok)
            #expect(try await depot.request(.get, "/api/v1/domains/acme/pipelines/gate").status == .notFound)
        }
    }
}
