import DepotBuild
import DepotCore
import DepotHTTP
import Foundation
import Hummingbird

/// CodeBuild's JSON 1.1 operations (`X-Amz-Target: CodeBuild_20161006.<Op>`) on Depot's build projects and builds,
/// in the domain of the key's token: the server's build service starts, stops and logs them, and the same
/// authorization policy as Depot's build API decides, by each project's repository.
struct CodeBuildController {
    typealias Shapes = CodeBuildShapes
    typealias Mapping = CodeBuildMapping
    static let prefix = "/api/aws/codebuild"
    static let service = AWSJSON11Service(targetPrefix: "CodeBuild_20161006", invalidInput: "InvalidInputException")
    /// BatchGetProjects and BatchGetBuilds take at most 100 names, as CodeBuild does.
    static let maximumBatch = 100
    /// Listings answer pages of 100, as CodeBuild does.
    static let pageSize = 100

    let store: any BuildStore
    let builds: any BuildQueue
    let repositories: RepositoryService
    let policy: AuthorizationPolicy
    let baseURL: PublicBaseURL
    let accountID: String

    static let permissions: [RoutePermission] = [
        RoutePermission(
            .post, prefix, .read, .domain,
            note: "CodeBuild (`X-Amz-Target: CodeBuild_20161006.*`) in the domain of the key's token: CreateProject, UpdateProject, "
                + "DeleteProject `admin` on the project's repository; StartBuild, StopBuild, RetryBuild `publish` (`admin` with a "
                + "buildspec or source version override: they choose the commands); BatchGetProjects, "
                + "BatchGetBuilds, ListBuildsForProject `read`; ListProjects, ListBuilds list what the token may read")
    ]

    typealias Call = AWSJSON11Call

    func addRoutes(to group: RouterGroup<DepotRequestContext>) {
        Self.service.addRoute(to: group, accountID: accountID) { operation, call in
            switch operation {
            case "CreateProject": try await createProject(call)
            case "UpdateProject": try await updateProject(call)
            case "DeleteProject": try await deleteProject(call)
            case "BatchGetProjects": try await batchGetProjects(call)
            case "ListProjects": try await listProjects(call)
            case "StartBuild": try await startBuild(call)
            case "StopBuild": try await stopBuild(call)
            case "RetryBuild": try await retryBuild(call)
            case "BatchGetBuilds": try await batchGetBuilds(call)
            case "ListBuildsForProject": try await listBuildsForProject(call)
            case "ListBuilds": try await listBuilds(call)
            default: nil
            }
        }
    }

    // MARK: Projects

    func createProject(_ call: Call) async throws -> Response {
        let input = try call.input(Shapes.ProjectInput.self)
        try policy.authorize(call.identity, .read, on: .domain(call.domain))
        try Self.validateName(input.name)
        let repository = try Mapping.repository(inTags: input.tags) ?? callersOnlyRepository(call)
        try policy.authorize(call.identity, .admin, on: .project(domain: call.domain, repository: repository))
        let project = try Mapping.project(from: input, domain: call.domain, repository: repository, existing: nil, now: Date())
        _ = try await repositories.repository(domain: call.domain, name: repository)
        do {
            try await store.createProject(project)
        } catch let error as DepotError where error.kind == .conflict {
            throw AWSError("ResourceAlreadyExistsException", status: .badRequest, "Project already exists: \(project.name)")
        }
        return try Self.service.response(["project": Mapping.project(project, scope: call.scope)])
    }

    func updateProject(_ call: Call) async throws -> Response {
        let input = try call.input(Shapes.ProjectInput.self)
        let existing = try await project(named: input.name, call, .admin)
        let repository = try Mapping.repository(inTags: input.tags) ?? existing.repository
        if repository != existing.repository {
            try policy.authorize(call.identity, .admin, on: .project(domain: call.domain, repository: repository))
            _ = try await repositories.repository(domain: call.domain, name: repository)
        }
        let project = try Mapping.project(from: input, domain: call.domain, repository: repository, existing: existing, now: Date())
        try await store.updateProject(project)
        return try Self.service.response(["project": Mapping.project(project, scope: call.scope)])
    }

    func deleteProject(_ call: Call) async throws -> Response {
        let input = try call.input(Shapes.NameInput.self)
        try policy.authorize(call.identity, .read, on: .domain(call.domain))
        let name = Self.projectName(input.name)
        let project = try await store.project(domain: call.domain, name: name)
        try policy.authorize(call.identity, .admin, on: .project(domain: call.domain, repository: project?.repository))
        // CodeBuild answers a deleted (or unknown) project alike; its builds stay.
        if project != nil { _ = try await store.deleteProject(domain: call.domain, name: name) }
        return try Self.service.response([String: String]())
    }

    func batchGetProjects(_ call: Call) async throws -> Response {
        struct Output: Encodable {
            var projects: [Shapes.Project]
            var projectsNotFound: [String]
        }
        let input = try call.input(Shapes.NamesInput.self)
        try Self.validateBatch(input.names, "names")
        var output = Output(projects: [], projectsNotFound: [])
        for name in input.names {
            do {
                output.projects.append(Mapping.project(try await project(named: name, call, .read), scope: call.scope))
            } catch let error as DepotError where error.kind == .notFound {
                output.projectsNotFound.append(name)
            }
        }
        return try Self.service.response(output)
    }

    func listProjects(_ call: Call) async throws -> Response {
        struct Output: Encodable {
            var projects: [String]
            var nextToken: String?
        }
        let input = try call.input(Shapes.ListProjectsInput.self)
        try policy.authorize(call.identity, .read, on: .domain(call.domain))
        guard input.sortBy == nil || input.sortBy == "NAME", input.sortOrder == nil || input.sortOrder == "ASCENDING" else {
            throw Self.service.invalid("Depot lists projects by NAME, ASCENDING only")
        }
        let page = try await store.listProjects(
            domain: call.domain, repositories: call.identity?.scope.repositories, page: try Self.page(input.nextToken))
        let visible = page.items.filter { policy.permits(call.identity, .read, on: .project(domain: call.domain, repository: $0.repository)) }
        return try Self.service.response(Output(projects: visible.map(\.name), nextToken: page.next?.token))
    }

    // MARK: Builds

    func startBuild(_ call: Call) async throws -> Response {
        let input = try call.input(Shapes.StartBuildInput.self)
        let project = try await project(named: input.projectName, call, .publish)
        if input.sourceTypeOverride != nil || input.sourceLocationOverride != nil || !(input.secondarySourcesOverride ?? []).isEmpty {
            throw Self.service.invalid("Depot builds the project's own source: sourceTypeOverride, sourceLocationOverride and secondary sources are not supported")
        }
        let overrides = BuildOverrides(
            environment: try Mapping.environment(input.environmentVariablesOverride ?? []),
            buildspec: input.buildspecOverride.flatMap { $0.isEmpty ? nil : $0 },
            sourceVersion: input.sourceVersion.flatMap { $0.isEmpty ? nil : $0 })
        return try await start(project, overrides: overrides, call)
    }

    func retryBuild(_ call: Call) async throws -> Response {
        let input = try call.input(Shapes.IDInput.self)
        let previous = try await build(id: input.id, call, .publish)
        // The same build again: the project as it is now, with the overrides the first run had.
        let project = try await project(named: previous.project, call, .publish)
        return try await start(project, overrides: previous.overrides, call)
    }

    private func start(_ project: BuildProject, overrides: BuildOverrides, _ call: Call) async throws -> Response {
        try policy.authorize(call.identity, overrides.requiredPermission, on: .project(domain: call.domain, repository: project.repository))
        _ = try await repositories.repository(domain: call.domain, name: project.repository)
        let build: StoredBuild
        do {
            build = try await builds.start(
                project: project, initiator: call.identity?.name ?? "unknown", serverURL: baseURL.resolve(for: call.request), overrides: overrides)
        } catch let error as DepotError where error.code == BuildQueueFull.code {
            throw AWSError("AccountLimitExceededException", status: .badRequest, error.message)
        }
        return try Self.service.response(["build": try await describe(build, project: project, call)])
    }

    func stopBuild(_ call: Call) async throws -> Response {
        let input = try call.input(Shapes.IDInput.self)
        let build = try await build(id: input.id, call, .publish)
        guard try await builds.stop(build.id) else {
            throw Self.service.invalid("Build \(build.id) is not in progress (\(build.status))")
        }
        let current = try await store.build(domain: call.domain, id: build.id) ?? build
        return try Self.service.response(["build": try await describe(current, project: nil, call)])
    }

    func batchGetBuilds(_ call: Call) async throws -> Response {
        struct Output: Encodable {
            var builds: [Shapes.Build]
            var buildsNotFound: [String]
        }
        let input = try call.input(Shapes.IDsInput.self)
        try Self.validateBatch(input.ids, "ids")
        var output = Output(builds: [], buildsNotFound: [])
        for id in input.ids {
            let plain = id.hasPrefix("arn:") ? String(id.split(separator: "/", maxSplits: 1).last ?? "") : id
            do {
                output.builds.append(try await describe(try await build(id: plain, call, .read), project: nil, call))
            } catch let error as DepotError where error.kind == .notFound {
                output.buildsNotFound.append(id)
            }
        }
        return try Self.service.response(output)
    }

    func listBuildsForProject(_ call: Call) async throws -> Response {
        let input = try call.input(Shapes.ListBuildsInput.self)
        guard let name = input.projectName else { throw Self.service.invalid("'projectName' is required") }
        let project = try await project(named: name, call, .read)
        try Self.validateSortOrder(input.sortOrder)
        let page = try await store.listBuilds(domain: call.domain, project: project.name, repositories: nil, page: try Self.page(input.nextToken))
        return try Self.service.response(BuildIDs(ids: page.items.map(\.id), nextToken: page.next?.token))
    }

    func listBuilds(_ call: Call) async throws -> Response {
        let input = try call.input(Shapes.ListBuildsInput.self)
        try policy.authorize(call.identity, .read, on: .domain(call.domain))
        try Self.validateSortOrder(input.sortOrder)
        let page = try await store.listBuilds(
            domain: call.domain, project: nil, repositories: call.identity?.scope.repositories, page: try Self.page(input.nextToken))
        var repositoryOf: [String: String] = [:]
        for name in Set(page.items.map(\.project)) {
            repositoryOf[name] = try await store.project(domain: call.domain, name: name)?.repository
        }
        let visible = page.items.filter {
            policy.permits(call.identity, .read, on: .build(domain: call.domain, repository: repositoryOf[$0.project]))
        }
        return try Self.service.response(BuildIDs(ids: visible.map(\.id), nextToken: page.next?.token))
    }

    struct BuildIDs: Encodable {
        var ids: [String]
        var nextToken: String?
    }

    /// A build in CodeBuild's shape; a running one's phases are read from its log's headers so far.
    private func describe(_ build: StoredBuild, project known: BuildProject?, _ call: Call) async throws -> Shapes.Build {
        var project = known
        if project == nil { project = try await store.project(domain: call.domain, name: build.project) }
        var entered: [(phase: BuildPhaseName, at: Date)] = []
        if build.status == "IN_PROGRESS", let log = try await builds.openLog(of: build, follow: false).existing {
            defer { log.close() }
            try BuildLogEvents.scan(log, from: LogPosition(offset: 0, time: 0), complete: false) { event in
                if let phase = BuildLogLine.enteredPhase(of: Substring(event.message)) {
                    entered.append((phase, Date(timeIntervalSince1970: Double(event.timestamp) / 1000)))
                }
                return true
            }
        }
        return Mapping.build(build, project: project, enteredPhases: entered, scope: call.scope, serverURL: baseURL.resolve(for: call.request))
    }

    // MARK: Lookups

    /// The project if the caller has `action` on its repository; checked before a not-found, as Depot's API does.
    private func project(named given: String, _ call: Call, _ action: Permission) async throws -> BuildProject {
        try policy.authorize(call.identity, .read, on: .domain(call.domain))
        let name = Self.projectName(given)
        let project = try await store.project(domain: call.domain, name: name)
        try policy.authorize(call.identity, action, on: .project(domain: call.domain, repository: project?.repository))
        guard let project else { throw DepotError.notFound("Project cannot be found: \(name)", code: "ProjectNotFound") }
        return project
    }

    /// The build if the caller has `action` on its project's repository (checked as for projects).
    private func build(id: String, _ call: Call, _ action: Permission) async throws -> StoredBuild {
        try policy.authorize(call.identity, .read, on: .domain(call.domain))
        guard id.utf8.count <= 255 else { throw Self.service.invalid("a build id is at most 255 characters") }
        let build = try await store.build(domain: call.domain, id: id)
        let project = if let build { try await store.project(domain: call.domain, name: build.project) } else { BuildProject?.none }
        try policy.authorize(call.identity, action, on: .build(domain: call.domain, repository: project?.repository))
        guard let build else { throw DepotError.notFound("Build cannot be found: \(id)", code: "BuildNotFound") }
        return build
    }

    /// A project without a `depot:repository` tag uses the caller's repository when its token has exactly one.
    private func callersOnlyRepository(_ call: Call) throws -> String {
        guard let repositories = call.identity?.scope.repositories, repositories.count == 1 else {
            throw Self.service.invalid("name the Depot repository the project's builds use with the tag \(Mapping.repositoryTag)=<repository>")
        }
        return repositories[0]
    }

    /// A project's name, or its ARN (`arn:aws:codebuild:<region>:<account>:project/<name>`, which Terraform uses as the id).
    static func projectName(_ nameOrARN: String) -> String {
        guard nameOrARN.hasPrefix("arn:"), let slash = nameOrARN.range(of: ":project/") else { return nameOrARN }
        return String(nameOrARN[slash.upperBound...])
    }

    static func validateName(_ name: String) throws {
        guard name.range(of: Mapping.namePattern, options: .regularExpression) != nil else {
            throw service.invalid("project name must be 2-100 letters, digits, '-' or '_', starting with a letter or digit")
        }
    }

    static func validateBatch(_ names: [String], _ member: String) throws {
        guard (1...maximumBatch).contains(names.count) else { throw service.invalid("'\(member)' must hold 1 to \(maximumBatch) items") }
    }

    static func validateSortOrder(_ order: String?) throws {
        guard order == nil || order == "DESCENDING" else { throw service.invalid("Depot lists builds newest first (DESCENDING) only") }
    }

    static func page(_ token: String?) throws -> PageRequest {
        guard let token, !token.isEmpty else { return PageRequest(limit: pageSize) }
        do {
            return PageRequest(limit: pageSize, after: try PageCursor(token: token))
        } catch {
            throw service.invalid("nextToken is not a token this server handed out")
        }
    }
}
