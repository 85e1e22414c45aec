import DepotBuild
import DepotCore
import DepotHTTP
import Foundation
import Hummingbird
import ServiceLifecycle

/// `/api/v1/domains/{d}/projects` and `/builds`: build projects, queued builds, live logs, artifacts, stop.
struct BuildController {
    let store: any BuildStore
    let builds: BuildService
    let blobs: any BlobStore
    let repositories: RepositoryService
    let policy: AuthorizationPolicy
    let baseURL: PublicBaseURL
    /// The server's storage directory: never a project's source.
    let storage: URL

    static let permissions: [RoutePermission] = [
        RoutePermission(
            .post, "/api/v1/domains/{domain}/projects", .admin, .project,
            note: "the repository named in the body; with `sourceDirectory` (a server path): `admin` on the whole domain"),
        RoutePermission(.get, "/api/v1/domains/{domain}/projects", .read, .domain, note: "lists the projects whose repository the token may read"),
        RoutePermission(.get, "/api/v1/domains/{domain}/projects/{project}", .read, .project),
        RoutePermission(
            .post, "/api/v1/domains/{domain}/projects/{project}/builds", .publish, .project,
            note: "`admin` with a `buildspec` or `sourceVersion` override (they choose the commands the build runs)"),
        RoutePermission(.get, "/api/v1/domains/{domain}/builds", .read, .domain, note: "lists the builds of projects whose repository the token may read"),
        RoutePermission(.get, "/api/v1/domains/{domain}/builds/{id}", .read, .build),
        RoutePermission(.get, "/api/v1/domains/{domain}/builds/{id}/logs", .read, .build),
        RoutePermission(.post, "/api/v1/domains/{domain}/builds/{id}/stop", .publish, .build),
        RoutePermission(.get, "/api/v1/domains/{domain}/builds/{id}/artifacts/{name}", .read, .build),
    ]

    func addRoutes(to group: RouterGroup<DepotRequestContext>) {
        group.post("domains/:domain/projects", use: createProject)
        group.get("domains/:domain/projects", use: listProjects)
        group.get("domains/:domain/projects/:project", use: describeProject)
        group.post("domains/:domain/projects/:project/builds", use: start)
        group.get("domains/:domain/builds", use: list)
        group.get("domains/:domain/builds/:id", use: describe)
        group.get("domains/:domain/builds/:id/logs", use: logs)
        group.post("domains/:domain/builds/:id/stop", use: stop)
        group.get("domains/:domain/builds/:id/artifacts/:name", use: artifact)
    }

    @Sendable func createProject(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let domain = try APIJSON.parameter(context, "domain")
        try policy.authorize(context.identity, .read, on: .domain(domain))
        let body = try await APIJSON.decode(CreateProjectRequest.self, from: request, context: context)
        try policy.authorize(context.identity, .admin, on: .repository(domain: domain, name: body.repository))
        // A server directory is the server's file system, not the repository's: the whole domain's admin only.
        if body.sourceDirectory != nil { try policy.authorize(context.identity, .admin, on: .domain(domain)) }
        guard (body.sourceDirectory == nil) != (body.gitURL == nil) else {
            throw DepotError.badRequest("give either sourceDirectory or gitURL", code: "InvalidSource")
        }
        let project = BuildProject(
            domain: domain, name: body.name, repository: body.repository, sourceDirectory: body.sourceDirectory, gitURL: body.gitURL,
            gitRef: body.gitRef, buildspecPath: body.buildspec ?? "buildspec.yml", environment: body.environment ?? [:], createdAt: Date())
        try BuildProjectRules.validate(project)
        _ = try await repositories.repository(domain: domain, name: body.repository)
        if let directory = body.sourceDirectory {
            var isDirectory: ObjCBool = false
            guard directory.hasPrefix("/"), FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw DepotError.badRequest("sourceDirectory must be an absolute path to a directory on the server", code: "InvalidSource")
            }
            // Copied outside the sandbox: it must not be, hold or lead into the server's storage.
            guard !PathOverlap.overlaps(directory, storage.path) else {
                throw DepotError.badRequest("sourceDirectory must not be or contain Depot's storage directory", code: "InvalidSource")
            }
        }
        try await store.createProject(project)
        return try APIJSON.response(ProjectResponse(project), status: .created)
    }

    @Sendable func listProjects(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let domain = try APIJSON.parameter(context, "domain")
        try policy.authorize(context.identity, .read, on: .domain(domain))
        // A token limited to repositories pages through their projects only (narrowed in SQL); the policy still decides.
        let page = try await store.listProjects(
            domain: domain, repositories: context.identity?.scope.repositories, page: try APIPaging.page(of: request))
        let visible = page.items.filter { policy.permits(context.identity, .read, on: .project(domain: domain, repository: $0.repository)) }
        return try APIPaging.response("projects", visible.map(ProjectResponse.init), next: page.next)
    }

    @Sendable func describeProject(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let project = try await project(context, .read)
        return try APIJSON.response(ProjectResponse(project))
    }

    @Sendable func start(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let domain = try APIJSON.parameter(context, "domain")
        // Starting a build publishes to its repository: the caller must be allowed to.
        let project = try await project(context, .publish)
        _ = try await repositories.repository(domain: domain, name: project.repository)
        let body = try await APIJSON.decode(StartBuildRequest.self, from: request, context: context)
        let overrides = BuildOverrides(environment: body.environment ?? [:], buildspec: body.buildspec, sourceVersion: body.sourceVersion)
        try policy.authorize(context.identity, overrides.requiredPermission, on: .project(domain: domain, repository: project.repository))
        let build = try await builds.start(
            project: project, initiator: context.identity?.name ?? "unknown", serverURL: baseURL.resolve(for: request), overrides: overrides)
        return try APIJSON.response(BuildResponse(build: build), status: .accepted)
    }

    @Sendable func list(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let domain = try APIJSON.parameter(context, "domain")
        try policy.authorize(context.identity, .read, on: .domain(domain))
        let project = request.uri.queryParameters.get("project")
        let page = try await store.listBuilds(
            domain: domain, project: project, repositories: context.identity?.scope.repositories, page: try APIPaging.page(of: request))
        // The repository of each project on this page, for the policy (one lookup per project, not the domain's all).
        var repositoryOf: [String: String] = [:]
        for name in Set(page.items.map(\.project)) {
            repositoryOf[name] = try await store.project(domain: domain, name: name)?.repository
        }
        let visible = page.items.filter {
            policy.permits(context.identity, .read, on: .build(domain: domain, repository: repositoryOf[$0.project]))
        }
        return try APIPaging.response("builds", visible.map(BuildResponse.init), next: page.next)
    }

    @Sendable func describe(_ request: Request, context: DepotRequestContext) async throws -> Response {
        try APIJSON.response(BuildResponse(build: try await build(context, .read)))
    }

    /// The log as text; `?follow=true` keeps the response open (chunked) until the build ends. A running build's
    /// log is read from its file, an ended one's from the blob store.
    @Sendable func logs(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let build = try await build(context, .read)
        // A build's output is the build's bytes: served like stored files, never rendered as a page of Depot's.
        let headers = StoredFileHeaders.fields(contentType: "text/plain; charset=utf-8")
        let follow = request.uri.queryParameters.get("follow") == "true"
        let log = try await builds.openLog(of: build, follow: follow)
        guard let lines = log.lines else {
            guard let existing = log.existing else { return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer())) }
            return BodyStreaming.response(for: existing.blobReader, headers: headers)
        }
        let builds = self.builds
        let body = ResponseBody { writer in
            if let existing = log.existing {
                defer { existing.close() }
                try await BodyStreaming.copy(existing.blobReader, to: &writer)
            }
            try await withGracefulShutdownHandler {
                for await line in lines { try await writer.write(ByteBuffer(string: line + "\n")) }
            } onGracefulShutdown: {
                // The server's shutdown waits for this response, which lasts as long as the build: stop it now.
                Task { await builds.stopAll() }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    @Sendable func stop(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let build = try await build(context, .publish)
        guard try await builds.stop(build.id) else {
            throw DepotError.conflict("build \(build.id) has already ended (\(build.status))", code: "BuildEnded")
        }
        return try APIJSON.response(OK())
    }

    @Sendable func artifact(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let build = try await build(context, .read)
        let name = try APIJSON.parameter(context, "name")
        guard !name.contains("/"), !name.hasPrefix(".") else { throw DepotError.badRequest("bad artifact name", code: "InvalidName") }
        // Artifacts exist once the build has ended and they are in the blob store.
        guard let artifact = build.result?.artifacts.first(where: { $0.name == name }),
            let reader = try blobs.openReader(sha256: artifact.sha256)
        else {
            throw DepotError.notFound("build \(build.id) has no artifact \(name)", code: "ArtifactNotFound")
        }
        return BodyStreaming.response(for: reader, headers: StoredFileHeaders.fields(contentType: "application/zip"))
    }

    /// The route's project if the caller has `action` on its repository. The domain is checked before the lookup and
    /// the project's repository before a 404: a caller limited to other repositories gets 403 either way.
    private func project(_ context: DepotRequestContext, _ action: Permission) async throws -> BuildProject {
        let domain = try APIJSON.parameter(context, "domain")
        let name = try APIJSON.parameter(context, "project")
        try policy.authorize(context.identity, .read, on: .domain(domain))
        let project = try await store.project(domain: domain, name: name)
        try policy.authorize(context.identity, action, on: .project(domain: domain, repository: project?.repository))
        guard let project else { throw DepotError.notFound("project '\(name)' not found", code: "ProjectNotFound") }
        return project
    }

    /// The route's build if the caller has `action` on its project's repository (checked as for projects).
    private func build(_ context: DepotRequestContext, _ action: Permission) async throws -> StoredBuild {
        let domain = try APIJSON.parameter(context, "domain")
        let id = try APIJSON.parameter(context, "id")
        try policy.authorize(context.identity, .read, on: .domain(domain))
        let build = try await store.build(domain: domain, id: id)
        let project = if let build { try await store.project(domain: domain, name: build.project) } else { BuildProject?.none }
        try policy.authorize(context.identity, action, on: .build(domain: domain, repository: project?.repository))
        guard let build else { throw DepotError.notFound("build '\(id)' not found", code: "BuildNotFound") }
        return build
    }
}
