import Foundation
import HTTPTypes
import Testing

@testable import DepotServer

/// The console's pipeline pages through the real router and `PipelineService`: an execution's boxes, the approval
/// form only for tokens that may approve, and its post guarded like every console form.
@Suite("Console pipeline pages")
struct ConsolePipelineTests {
    @Test("boxes and lists; the approval form only with approve; its post needs approve and CSRF; bad input changes nothing")
    func approval() async throws {
        let repository = try PipelineAPITests.gitRepository()
        defer { try? FileManager.default.removeItem(at: repository) }
        try await Depot.run(configure: { $0.pipelineGitAllowedPaths = [repository.path] }) { depot in
            try await depot.createDomain("acme")
            let created = try await depot.request(
                .post, "/api/v1/domains/acme/pipelines", json: ["definition": PipelineAPITests.definition(repository: repository)])
            try #require(created.status == .created, "\(created.text)")
            let started = try await depot.request(.post, "/api/v1/domains/acme/pipelines/gate/executions", json: [String: String]())
            let id = try #require(try started.object()["pipelineExecutionId"] as? String)
            let detail = "/api/v1/domains/acme/pipelines/gate/executions/\(id)"
            try await eventually("the approval waits") { try await depot.request(.get, detail).text.contains("WaitingForApproval") }

            let admin = try await ConsoleRouteTests.signIn(depot, token: depot.adminToken)
            #expect(try await admin.get("/ui/domains/acme/pipelines").text.contains("/ui/domains/acme/pipelines/gate"))
            #expect(try await admin.get("/ui/domains/acme/pipelines/gate").text.contains(id))
            let page = "/ui/domains/acme/pipelines/gate/executions/\(id)"
            let boxes = try await admin.get(page)
            #expect(boxes.status == .ok && boxes.text.contains(#"data-action="Source/Checkout""#))
            #expect(boxes.text.contains(#"id="approve-Approve-Gate-approve""#))
            #expect(try await admin.get("/ui/domains/acme/pipelines/gate/executions/nope").status == .notFound)
            #expect(try await admin.get("/ui/domains/acme/pipelines/none").status == .notFound)

            let reader = try await ConsoleRouteTests.signIn(depot, token: try await depot.createToken(permissions: ["read"]).secret)
            let readerPage = try await reader.get(page)
            #expect(readerPage.status == .ok && readerPage.text.contains("WaitingForApproval"))
            #expect(!readerPage.text.contains("approve-Approve-Gate-approve"))
            let answer = ["stage": "Approve", "action": "Gate", "decision": "Approved", "comment": "ship it"]
            #expect(try await reader.post("\(page)/approval", answer).status == .forbidden)
            #expect(try await admin.post("\(page)/approval", answer, csrf: false).status == .forbidden)
            var maybe = answer
            maybe["decision"] = "Maybe"
            #expect(try await admin.post("\(page)/approval", maybe).status == .badRequest)
            var long = answer
            long["comment"] = String(repeating: "x", count: ConsoleController.maximumApprovalComment + 1)
            #expect(try await admin.post("\(page)/approval", long).status == .badRequest)
            var other = answer
            other["action"] = "Checkout"
            #expect(try await admin.post("\(page)/approval", other).status == .conflict)
            #expect(try await depot.request(.get, detail).text.contains("WaitingForApproval"))

            let approved = try await admin.post("\(page)/approval", answer)
            #expect(approved.status == .seeOther && approved.headers[.location] == page)
            try await eventually("the execution succeeds") { try await depot.request(.get, detail).object()["status"] as? String == "Succeeded" }
            let after = try await admin.get(page)
            #expect(after.text.contains("ship it") && !after.text.contains("approve-Approve-Gate-approve"))
            #expect(try await admin.post("\(page)/approval", answer).status == .conflict)
        }
    }
}
