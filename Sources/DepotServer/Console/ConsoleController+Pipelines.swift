import DepotBuild
import DepotCore
import DepotHTTP
import Foundation
import Hummingbird

/// Pipeline pages over `PipelineService`: the domain's pipelines, one pipeline's executions, an execution's stages
/// and actions as boxes, and the approval form (shown, and accepted, only where the token may `approve`).
extension ConsoleController {
    static let maximumApprovalComment = 512

    @Sendable func pipelines(_ request: Request, context: DepotRequestContext) async throws -> Response {
        await page(request, context) { caller in
            let (domain, service) = try openPipelines(context, caller, .read)
            let cursor = try request.uri.queryParameters["next"].map(String.init).flatMap { $0.isEmpty ? nil : try PageCursor(token: $0) }
            let listing = try await service.list(domain: domain, page: PageRequest(limit: 100, after: cursor))
            let rows: [[String: Any]] = listing.items.map { loaded in
                let latest = loaded.record.allExecutions.first
                return [
                    "name": loaded.stored.name, "href": pipelineBase(domain, loaded.stored.name),
                    "stages": loaded.definition.stages.map(\.name).joined(separator: " → "),
                    "latestStatus": latest?.status.rawValue ?? "", "latestStarted": latest.map { Self.time($0.startTime) } ?? "",
                    "latestHref": latest.map { "\(pipelineBase(domain, loaded.stored.name))/executions/\(Self.segment($0.id))" } ?? "",
                ]
            }
            return render(
                "pipelines", caller: caller, title: "Pipelines of \(domain)",
                crumbs: [("Domains", "/ui/"), (domain, "/ui/domains/\(Self.segment(domain))")],
                [
                    "domain": domain, "pipelines": rows,
                    "nextHref": listing.next.map { "/ui/domains/\(Self.segment(domain))/pipelines?next=\($0.token)" } ?? "",
                ])
        }
    }

    @Sendable func pipelinePage(_ request: Request, context: DepotRequestContext) async throws -> Response {
        await page(request, context) { caller in
            let (domain, service) = try openPipelines(context, caller, .read)
            let loaded = try await service.pipeline(domain: domain, name: try Self.parameter(context, "pipeline"))
            let base = pipelineBase(domain, loaded.stored.name)
            let rows: [[String: Any]] = loaded.record.allExecutions.prefix(100).map { execution in
                [
                    "id": execution.id, "href": "\(base)/executions/\(Self.segment(execution.id))", "status": execution.status.rawValue,
                    "started": Self.time(execution.startTime), "updated": Self.time(execution.lastUpdateTime),
                    "trigger": loaded.record.triggers[execution.id] ?? "",
                ]
            }
            return render(
                "pipeline", caller: caller, title: "Pipeline \(loaded.stored.name)",
                crumbs: pipelineCrumbs(domain),
                [
                    "name": loaded.stored.name, "mode": loaded.definition.executionMode.rawValue, "createdBy": loaded.stored.createdBy,
                    "stages": loaded.definition.stages.map { ["name": $0.name] }, "executions": rows,
                ])
        }
    }

    @Sendable func executionPage(_ request: Request, context: DepotRequestContext) async throws -> Response {
        await page(request, context) { caller in
            let (domain, service) = try openPipelines(context, caller, .read)
            let loaded = try await service.pipeline(domain: domain, name: try Self.parameter(context, "pipeline"))
            let id = try Self.parameter(context, "execution")
            guard let execution = loaded.record.execution(id) else {
                throw DepotError.notFound("no execution \(id) of pipeline '\(loaded.stored.name)'", code: "PipelineExecutionNotFound")
            }
            let base = "\(pipelineBase(domain, loaded.stored.name))/executions/\(Self.segment(execution.id))"
            let canApprove = policy.permits(caller.identity, .approve, on: .domain(domain)) && caller.session != nil
            let links = loaded.record.links[execution.id] ?? [:]
            let stages: [[String: Any]] = execution.stages.map { stage in
                [
                    "name": stage.name, "status": stage.status?.rawValue ?? "NotStarted",
                    "actions": stage.actions.map { action in
                        actionBox(action, stage: stage.name, link: links["\(stage.name)/\(action.name)"], domain: domain, canApprove: canApprove)
                    },
                ]
            }
            return render(
                "execution", caller: caller, title: "Execution \(execution.id)",
                crumbs: pipelineCrumbs(domain) + [(loaded.stored.name, pipelineBase(domain, loaded.stored.name))],
                [
                    "pipeline": loaded.stored.name, "id": execution.id, "status": execution.status.rawValue,
                    "started": Self.time(execution.startTime), "updated": Self.time(execution.lastUpdateTime),
                    "trigger": loaded.record.triggers[execution.id] ?? "", "stopReason": execution.stopReason ?? "",
                    "running": !execution.status.isFinished, "stages": stages, "approvalHref": "\(base)/approval",
                    "commentLimit": Self.maximumApprovalComment,
                ])
        }
    }

    /// Approve or reject a waiting approval action, then back to the execution.
    @Sendable func answerApproval(_ request: Request, context: DepotRequestContext) async throws -> Response {
        await page(request, context) { caller in
            let (domain, service) = try openPipelines(context, caller, .approve)
            let form = try await ConsoleForm.read(request)
            try checkForm(form, caller: caller)
            let name = try Self.parameter(context, "pipeline")
            let id = try Self.parameter(context, "execution")
            guard let stage = form["stage"], !stage.isEmpty, let action = form["action"], !action.isEmpty else {
                throw DepotError.badRequest("the form names no stage and action", code: "InvalidApproval")
            }
            guard let decision = form["decision"], ["Approved", "Rejected"].contains(decision) else {
                throw DepotError.badRequest("the decision must be Approved or Rejected", code: "InvalidApprovalStatus")
            }
            let comment = (form["comment"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard comment.count <= Self.maximumApprovalComment else {
                throw DepotError.badRequest("the comment is longer than \(Self.maximumApprovalComment) characters", code: "InvalidApprovalStatus")
            }
            try await service.answerApproval(
                domain: domain, name: name, executionId: id, stage: stage, action: action, approved: decision == "Approved",
                comment: comment.isEmpty ? nil : comment, by: caller.identity?.name ?? "unknown", serverURL: baseURL.resolve(for: request))
            return Response.redirect(to: "\(pipelineBase(domain, name))/executions/\(Self.segment(id))", type: .normal)
        }
    }

    /// One action's box: status, times, summary, the build it ran (a link) and, while it waits, the approval form.
    func actionBox(_ action: ActionExecution, stage: String, link: String?, domain: String, canApprove: Bool) -> [String: Any] {
        // A build action's link is "build <id>" (BuildActionRunner): the console links the build's page.
        let buildID = link.flatMap { $0.hasPrefix("build ") ? String($0.dropFirst("build ".count)) : nil }
        let waiting = action.status == .waitingForApproval
        return [
            "name": action.name, "stage": stage, "status": action.status?.rawValue ?? "NotStarted",
            "statusClass": (action.status?.rawValue ?? "NotStarted").lowercased(),
            "retry": action.attempt > 1 ? "attempt \(action.attempt)" : "",
            "started": action.startTime.map(Self.time) ?? "", "ended": action.endTime.map(Self.time) ?? "",
            "summary": action.summary ?? "",
            // Other links (the approver's answer, a commit) are shown as text unless the summary says the same.
            "link": buildID == nil && link != action.summary ? link ?? "" : "",
            "buildID": buildID ?? "", "buildHref": buildID.map { "/ui/domains/\(Self.segment(domain))/builds/\(Self.segment($0))" } ?? "",
            "approvable": waiting && canApprove,
            "expires": waiting ? action.approvalExpiresAt.map(Self.time) ?? "" : "",
            "formID": "approve-\(Self.segment(stage))-\(Self.segment(action.name))",
        ]
    }

    /// The right first (401/403 whatever exists), then the service; 404 where a server runs no pipelines.
    func openPipelines(_ context: DepotRequestContext, _ caller: ConsoleCaller, _ permission: Permission) throws -> (String, PipelineService) {
        let domain = try Self.parameter(context, "domain")
        try policy.authorize(caller.identity, permission, on: .domain(domain))
        guard let pipelines else { throw DepotError.notFound("pipelines are not available") }
        return (domain, pipelines)
    }

    func pipelineBase(_ domain: String, _ name: String) -> String {
        "/ui/domains/\(Self.segment(domain))/pipelines/\(Self.segment(name))"
    }

    func pipelineCrumbs(_ domain: String) -> [(String, String)] {
        [("Domains", "/ui/"), (domain, "/ui/domains/\(Self.segment(domain))"), ("Pipelines", "/ui/domains/\(Self.segment(domain))/pipelines")]
    }
}
