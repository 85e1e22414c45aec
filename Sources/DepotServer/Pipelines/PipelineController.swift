import DepotBuild
import DepotCore
import DepotHTTP
import Foundation
import Hummingbird

/// `/api/v1/domains/{d}/pipelines`: definitions, executions, their control (stop, approval, retry) and events.
/// Pipelines belong to the domain: changing one needs the domain's `admin`, running one `publish`, answering an
/// approval the dedicated `approve` permission (or `admin`).
struct PipelineController {
    let pipelines: PipelineService
    let policy: AuthorizationPolicy
    /// The server's address as each request names it: builds of the pipeline reach the registry through it.
    let baseURL: PublicBaseURL

    static let permissions: [RoutePermission] = [
        RoutePermission(.post, "/api/v1/domains/{domain}/pipelines", .admin, .domain),
        RoutePermission(.get, "/api/v1/domains/{domain}/pipelines", .read, .domain),
        RoutePermission(.get, "/api/v1/domains/{domain}/pipelines/{pipeline}", .read, .domain),
        RoutePermission(.put, "/api/v1/domains/{domain}/pipelines/{pipeline}", .admin, .domain),
        RoutePermission(.delete, "/api/v1/domains/{domain}/pipelines/{pipeline}", .admin, .domain),
        RoutePermission(.post, "/api/v1/domains/{domain}/pipelines/{pipeline}/executions", .publish, .domain),
        RoutePermission(.get, "/api/v1/domains/{domain}/pipelines/{pipeline}/executions", .read, .domain),
        RoutePermission(.get, "/api/v1/domains/{domain}/pipelines/{pipeline}/executions/{execution}", .read, .domain),
        RoutePermission(.post, "/api/v1/domains/{domain}/pipelines/{pipeline}/executions/{execution}/stop", .publish, .domain),
        RoutePermission(.post, "/api/v1/domains/{domain}/pipelines/{pipeline}/executions/{execution}/retry", .publish, .domain),
        RoutePermission(
            .post, "/api/v1/domains/{domain}/pipelines/{pipeline}/executions/{execution}/approval", .approve, .domain,
            note: "or `admin`; records the token's name as the approver"),
        RoutePermission(.get, "/api/v1/domains/{domain}/pipelines/{pipeline}/events", .read, .domain, note: "`?after=` the last event id read"),
    ]

    func addRoutes(to group: RouterGroup<DepotRequestContext>) {
        group.post("domains/:domain/pipelines", use: create)
        group.get("domains/:domain/pipelines", use: list)
        group.get("domains/:domain/pipelines/:pipeline", use: describe)
        group.put("domains/:domain/pipelines/:pipeline", use: update)
        group.delete("domains/:domain/pipelines/:pipeline", use: delete)
        group.post("domains/:domain/pipelines/:pipeline/executions", use: start)
        group.get("domains/:domain/pipelines/:pipeline/executions", use: executions)
        group.get("domains/:domain/pipelines/:pipeline/executions/:execution", use: execution)
        group.post("domains/:domain/pipelines/:pipeline/executions/:execution/stop", use: stop)
        group.post("domains/:domain/pipelines/:pipeline/executions/:execution/retry", use: retry)
        group.post("domains/:domain/pipelines/:pipeline/executions/:execution/approval", use: approval)
        group.get("domains/:domain/pipelines/:pipeline/events", use: events)
    }

    @Sendable func create(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let domain = try authorized(context, .admin)
        let body = try await APIJSON.decode(PipelineDefinitionRequest.self, from: request, context: context)
        let loaded = try await pipelines.create(domain: domain, text: body.definition, by: context.identity?.name ?? "unknown", serverURL: baseURL.resolve(for: request))
        return try APIJSON.response(PipelineResponse(loaded, withDefinition: true), status: .created)
    }

    @Sendable func list(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let domain = try authorized(context, .read)
        let page = try await pipelines.list(domain: domain, page: try APIPaging.page(of: request))
        return try APIPaging.response("pipelines", page.items.map { PipelineResponse($0, withDefinition: false) }, next: page.next)
    }

    @Sendable func describe(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let domain = try authorized(context, .read)
        let loaded = try await pipelines.pipeline(domain: domain, name: try APIJSON.parameter(context, "pipeline"))
        return try APIJSON.response(PipelineResponse(loaded, withDefinition: true))
    }

    @Sendable func update(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let domain = try authorized(context, .admin)
        let body = try await APIJSON.decode(PipelineDefinitionRequest.self, from: request, context: context)
        let loaded = try await pipelines.update(domain: domain, name: try APIJSON.parameter(context, "pipeline"), text: body.definition)
        return try APIJSON.response(PipelineResponse(loaded, withDefinition: true))
    }

    @Sendable func delete(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let domain = try authorized(context, .admin)
        try await pipelines.delete(domain: domain, name: try APIJSON.parameter(context, "pipeline"))
        return try APIJSON.response(OK())
    }

    @Sendable func start(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let domain = try authorized(context, .publish)
        let body = try await APIJSON.decode(StartPipelineRequest.self, from: request, context: context)
        let id = try await pipelines.start(
            domain: domain, name: try APIJSON.parameter(context, "pipeline"), variables: body.variables ?? [:],
            trigger: "manual: \(context.identity?.name ?? "unknown")", serverURL: baseURL.resolve(for: request))
        return try APIJSON.response(StartedExecutionResponse(pipelineExecutionId: id), status: .accepted)
    }

    @Sendable func executions(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let domain = try authorized(context, .read)
        let loaded = try await pipelines.pipeline(domain: domain, name: try APIJSON.parameter(context, "pipeline"))
        return try APIJSON.response(["executions": loaded.record.allExecutions.map { ExecutionSummaryResponse($0, record: loaded.record) }])
    }

    @Sendable func execution(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let domain = try authorized(context, .read)
        let loaded = try await pipelines.pipeline(domain: domain, name: try APIJSON.parameter(context, "pipeline"))
        let id = try APIJSON.parameter(context, "execution")
        guard let execution = loaded.record.execution(id) else {
            throw DepotError.notFound("no execution \(id) of pipeline '\(loaded.stored.name)'", code: "PipelineExecutionNotFound")
        }
        return try APIJSON.response(ExecutionDetailResponse(execution, pipeline: loaded.stored.name, record: loaded.record))
    }

    @Sendable func stop(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let domain = try authorized(context, .publish)
        let body = try await APIJSON.decode(StopPipelineRequest.self, from: request, context: context)
        try await pipelines.stop(
            domain: domain, name: try APIJSON.parameter(context, "pipeline"), executionId: try APIJSON.parameter(context, "execution"),
            abandon: body.abandon ?? false, reason: body.reason)
        return try APIJSON.response(OK())
    }

    @Sendable func retry(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let domain = try authorized(context, .publish)
        let body = try await APIJSON.decode(RetryStageRequest.self, from: request, context: context)
        guard let mode = RetryStageMode(rawValue: body.mode ?? RetryStageMode.failedActions.rawValue) else {
            throw DepotError.badRequest("mode must be FAILED_ACTIONS or ALL_ACTIONS", code: "InvalidRetryMode")
        }
        try await pipelines.retry(
            domain: domain, name: try APIJSON.parameter(context, "pipeline"), executionId: try APIJSON.parameter(context, "execution"),
            stage: body.stage, mode: mode, serverURL: baseURL.resolve(for: request))
        return try APIJSON.response(OK())
    }

    @Sendable func approval(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let domain = try authorized(context, .approve)
        let body = try await APIJSON.decode(ApprovalRequest.self, from: request, context: context)
        guard ["Approved", "Rejected"].contains(body.status) else {
            throw DepotError.badRequest("status must be Approved or Rejected", code: "InvalidApprovalStatus")
        }
        if let summary = body.summary, summary.count > 512 {
            throw DepotError.badRequest("the comment is longer than 512 characters", code: "InvalidApprovalStatus")
        }
        try await pipelines.answerApproval(
            domain: domain, name: try APIJSON.parameter(context, "pipeline"), executionId: try APIJSON.parameter(context, "execution"),
            stage: body.stage, action: body.action, approved: body.status == "Approved", comment: body.summary,
            by: context.identity?.name ?? "unknown", serverURL: baseURL.resolve(for: request))
        return try APIJSON.response(OK())
    }

    @Sendable func events(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let domain = try authorized(context, .read)
        let after = request.uri.queryParameters.get("after").flatMap { Int64($0) } ?? 0
        let limit = min(1000, max(1, request.uri.queryParameters.get("limit").flatMap { Int($0) } ?? 1000))
        let events = try await pipelines.events(domain: domain, name: try APIJSON.parameter(context, "pipeline"), after: after, limit: limit)
        return try APIJSON.response(PipelineEventsResponse(events: events, next: events.last?.id ?? after))
    }

    /// The route's domain once the caller may do `action` on it (before any lookup: 401/403 whatever exists).
    private func authorized(_ context: DepotRequestContext, _ action: Permission) throws -> String {
        let domain = try APIJSON.parameter(context, "domain")
        try policy.authorize(context.identity, action, on: .domain(domain))
        return domain
    }
}
