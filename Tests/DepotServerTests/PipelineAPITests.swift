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

    @Test("Source/Git repositories the server does not allow are refused with 400 and nothing is saved")
    func gitSourceAllowList() async throws {
        let repository = try Self.gitRepository()
        defer { try? FileManager.default.removeItem(at: repository) }
        try await Depot.run(configure: { $0.pipelineGitAllowedHosts = ["git.example.com"] }) { depot in
            try await depot.createDomain("acme")
            let base = Self.definition(repository: repository)
            for (repositoryValue, reason) in [
                (repository.path, "pipelines.gitAllowedPaths"), ("file://\(repository.path)", "pipelines.gitAllowedPaths"),
                ("ext::sh -c touch% /tmp/pwned", "transport helpers"), ("https://evil.example.org/x.git", "pipelines.gitAllowedHosts"),
            ] {
                let definition = base.replacingOccurrences(of: "\"\(repository.path)\"", with: "\"\(repositoryValue)\"")
                let refused = try await depot.request(.post, "/api/v1/domains/acme/pipelines", json: ["definition": definition])
                #expect(refused.status == .badRequest, "\(repositoryValue): \(refused.text)")
                #expect(refused.text.contains("configuration.Repository") && refused.text.contains(reason), "\(refused.text)")
                // Reported like every other problem of the definition: with its line.
                #expect(refused.text.contains("line "), "\(refused.text)")
            }
            #expect(try await depot.request(.get, "/api/v1/domains/acme/pipelines/gate").status == .notFound)
            let allowed = base.replacingOccurrences(of: "\"\(repository.path)\"", with: "\"https://git.example.com/acme/app.git\"")
            #expect(try await depot.request(.post, "/api/v1/domains/acme/pipelines", json: ["definition": allowed]).status == .created)
        }
    }

    @Test("the pipeline list pages (maxResults, nextToken); deleting the domain removes its pipelines and their events")
    func pagingAndDomainDeletion() async throws {
        try await Depot.run { depot in
            try await depot.createDomain("acme")
            let remote = Self.definition(repository: URL(fileURLWithPath: "/unused"))
                .replacingOccurrences(of: "\"/unused\"", with: "\"https://git.example.com/app.git\"")
            for name in ["c", "a", "b"] {
                let definition = remote.replacingOccurrences(of: "name: gate", with: "name: \(name)")
                let created = try await depot.request(.post, "/api/v1/domains/acme/pipelines", json: ["definition": definition])
                try #require(created.status == .created, "\(created.text)")
            }
            var names: [String] = []
            var token: String?
            repeat {
                let query = "maxResults=2" + (token.map { "&nextToken=\($0)" } ?? "")
                let page = try await depot.request(.get, "/api/v1/domains/acme/pipelines?\(query)").object()
                let items = page["pipelines"] as? [[String: Any]] ?? []
                #expect(items.count <= 2)
                names += items.compactMap { $0["name"] as? String }
                token = page["nextToken"] as? String
            } while token != nil && names.count < 10
            #expect(names == ["a", "b", "c"])
            #expect(try await depot.request(.get, "/api/v1/domains/acme/pipelines?maxResults=0").status == .badRequest)
            #expect(try await depot.request(.get, "/api/v1/domains/acme/pipelines?nextToken=bogus").status == .badRequest)

            let started = try await depot.request(.post, "/api/v1/domains/acme/pipelines/a/executions", json: [String: String]())
            #expect(started.status == .accepted)
            #expect(try await depot.request(.delete, "/api/v1/domains/acme").status == .ok)
            try await depot.createDomain("acme")
            #expect(try await depot.request(.get, "/api/v1/domains/acme/pipelines/a").status == .notFound)
            #expect(try await depot.request(.get, "/api/v1/domains/acme/pipelines/a/events").status == .notFound)
            #expect((try await depot.request(.get, "/api/v1/domains/acme/pipelines").object()["pipelines"] as? [Any])?.isEmpty == true)
            // The name is free again, with no history.
            let again = try await depot.request(.post, "/api/v1/domains/acme/pipelines", json: ["definition": remote])
            #expect(again.status == .created, "\(again.text)")
        }
    }

    @Test("create, start, approve (403 without the approve permission), events; invalid definitions get 400")
    func lifecycle() async throws {
        let repository = try Self.gitRepository()
        defer { try? FileManager.default.removeItem(at: repository) }
        try await Depot.run(configure: { $0.pipelineGitAllowedPaths = [repository.path] }) { depot in
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
