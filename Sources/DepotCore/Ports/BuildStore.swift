import Foundation

/// A build project: where its source is, which buildspec, which repository its builds use, their environment.
public struct BuildProject: Sendable, Codable, Equatable {
    public var domain: String
    public var name: String
    public var repository: String
    /// A directory on the server (copied for each build) ...
    public var sourceDirectory: String?
    /// ... or a git repository cloned for each build, at `gitRef` (branch, tag or commit) when given.
    public var gitURL: String?
    public var gitRef: String?
    public var buildspecPath: String
    /// A buildspec kept with the project (CodeBuild's inline `source.buildspec`): it replaces the file at `buildspecPath`.
    /// A project with neither a directory nor a git URL (CodeBuild's NO_SOURCE) builds in an empty directory with it.
    public var inlineBuildspec: String?
    public var environment: [String: String]
    public var createdAt: Date
    /// When the project was last changed (nil: never since it was created).
    public var modifiedAt: Date?
    /// Settings an API accepts for compatibility but Depot does not use (CodeBuild's service role, image, compute type,
    /// timeouts, description), kept only to be shown back as they were given.
    public var ignoredSettings: [String: String]?

    public init(
        domain: String, name: String, repository: String, sourceDirectory: String?, gitURL: String?, gitRef: String?,
        buildspecPath: String, inlineBuildspec: String? = nil, environment: [String: String], createdAt: Date, modifiedAt: Date? = nil
    ) {
        self.domain = domain
        self.name = name
        self.repository = repository
        self.sourceDirectory = sourceDirectory
        self.gitURL = gitURL
        self.gitRef = gitRef
        self.buildspecPath = buildspecPath
        self.inlineBuildspec = inlineBuildspec
        self.environment = environment
        self.createdAt = createdAt
        self.modifiedAt = modifiedAt
    }
}

/// A build as stored: identity, status and times; the full result (phases, reports, artifacts...) as JSON.
public struct StoredBuild: Sendable, Equatable {
    public var id: String
    public var domain: String
    public var project: String
    public var number: Int
    public var status: String
    public var initiator: String
    public var queuedAt: Date
    public var startedAt: Date?
    public var endedAt: Date?
    public var resultJSON: Data?
    /// What the build changed of its project when it was started (a retry starts the same build again).
    public var overrides: BuildOverrides

    public init(
        id: String, domain: String, project: String, number: Int, status: String, initiator: String, queuedAt: Date,
        startedAt: Date? = nil, endedAt: Date? = nil, resultJSON: Data? = nil, overrides: BuildOverrides = BuildOverrides()
    ) {
        self.id = id
        self.domain = domain
        self.project = project
        self.number = number
        self.status = status
        self.initiator = initiator
        self.queuedAt = queuedAt
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.resultJSON = resultJSON
        self.overrides = overrides
    }
}

/// What one build changes of its project: environment variables, an inline buildspec replacing the project's, the
/// source version (a git branch, tag or commit) replacing the project's ref. Validated by `BuildOverrides.validate()`
/// (DepotBuild) before a build is queued.
public struct BuildOverrides: Sendable, Codable, Equatable {
    public var environment: [String: String]
    public var buildspec: String?
    public var sourceVersion: String?

    public init(environment: [String: String] = [:], buildspec: String? = nil, sourceVersion: String? = nil) {
        self.environment = environment
        self.buildspec = buildspec
        self.sourceVersion = sourceVersion
    }

    public var isEmpty: Bool { environment.isEmpty && buildspec == nil && sourceVersion == nil }

    /// What starting a build with these overrides takes on the project's repository. A buildspec or a source
    /// version chooses the commands the build runs, which is what defining the project takes (`admin`); `publish`
    /// (what a build does with its token) must not become running commands on the build host. Environment values
    /// go through the allow-list and stay at `publish`.
    public var requiredPermission: Permission { buildspec == nil && sourceVersion == nil ? .publish : .admin }
}

/// A build secret, encrypted by the caller before it is stored.
public struct StoredSecret: Sendable, Equatable {
    public var domain: String
    public var name: String
    public var sealedValue: Data
    public var updatedAt: Date

    public init(domain: String, name: String, sealedValue: Data, updatedAt: Date) {
        self.domain = domain
        self.name = name
        self.sealedValue = sealedValue
        self.updatedAt = updatedAt
    }
}

/// Persistence of build projects, builds and secrets.
public protocol BuildStore: Sendable {
    func createProject(_ project: BuildProject) async throws
    func project(domain: String, name: String) async throws -> BuildProject?
    /// Projects by name; `repositories` narrows them to projects using those (a token limited to repositories).
    func listProjects(domain: String, repositories: [String]?, page: PageRequest) async throws -> Page<BuildProject>
    /// Replaces a project's document (its name and domain stay); not found when there is no such project.
    func updateProject(_ project: BuildProject) async throws
    /// Deletes a project; its builds stay (their records, logs and artifacts). False when there was no such project.
    func deleteProject(domain: String, name: String) async throws -> Bool
    /// Creates a QUEUED build with the project's next number, recording what it overrides.
    func createBuild(id: String, domain: String, project: String, initiator: String, overrides: BuildOverrides, at date: Date) async throws
        -> StoredBuild
    func updateBuild(_ build: StoredBuild) async throws
    /// Records that a build keeps these blobs (its log, its artifact zips): they count as referenced.
    func addBuildBlobs(buildID: String, sha256: [String]) async throws
    func build(domain: String, id: String) async throws -> StoredBuild?
    /// Builds newest first, of one project or all; `repositories` narrows them to projects using those.
    func listBuilds(domain: String, project: String?, repositories: [String]?, page: PageRequest) async throws -> Page<StoredBuild>
    /// Marks builds left QUEUED or IN_PROGRESS by a previous run of the server as FAULT; returns how many.
    func faultUnfinishedBuilds(at date: Date) async throws -> Int

    func putSecret(_ secret: StoredSecret) async throws
    func secret(domain: String, name: String) async throws -> StoredSecret?
    /// Secrets by name.
    func listSecrets(domain: String, page: PageRequest) async throws -> Page<StoredSecret>
    /// False when there was no such secret.
    func deleteSecret(domain: String, name: String) async throws -> Bool
}

extension BuildStore {
    /// A build of the project as it is.
    public func createBuild(id: String, domain: String, project: String, initiator: String, at date: Date) async throws -> StoredBuild {
        try await createBuild(id: id, domain: domain, project: project, initiator: initiator, overrides: BuildOverrides(), at: date)
    }
}
