import DepotBuild
import DepotCore
import Foundation

/// Depot's build projects and builds in CodeBuild's shapes, and CodeBuild's project input as a Depot project.
enum CodeBuildMapping {
    typealias Shapes = CodeBuildShapes

    /// The tag that names the Depot repository a project's builds resolve from and publish to.
    static let repositoryTag = "depot:repository"
    /// Source types that are a git repository at `location`.
    static let gitSourceTypes: Set<String> = ["CODECOMMIT", "GITHUB", "GITLAB", "GITLAB_SELF_MANAGED", "BITBUCKET", "GITHUB_ENTERPRISE"]
    /// CodeBuild's project names (narrower than Depot's: no `.`; Depot's are at most 100 long).
    static let namePattern = "^[A-Za-z0-9][A-Za-z0-9_-]{1,99}$"

    // MARK: Input

    /// A project from CreateProject's input, or `existing` changed by UpdateProject's. `repository` is the one the
    /// `depot:repository` tag names (or the caller's only one); the result is checked by `BuildProjectRules`.
    static func project(
        from input: Shapes.ProjectInput, domain: String, repository: String, existing: BuildProject?, now: Date
    ) throws -> BuildProject {
        var project =
            existing
            ?? BuildProject(
                domain: domain, name: input.name, repository: repository, sourceDirectory: nil, gitURL: nil, gitRef: nil,
                buildspecPath: "buildspec.yml", environment: [:], createdAt: now)
        project.repository = repository
        if existing != nil { project.modifiedAt = now }
        if let sources = input.secondarySources, !sources.isEmpty {
            throw invalid("secondary sources are not supported by Depot: a project has one source")
        }
        if let source = input.source {
            try apply(source, to: &project)
        } else if existing == nil {
            throw invalid("source is required")
        }
        if let version = input.sourceVersion {
            guard project.gitURL != nil else { throw invalid("sourceVersion needs a git source") }
            project.gitRef = version.isEmpty ? nil : version
        }
        // An environment given replaces the project's whole: without variables, it has none.
        if let given = input.environment {
            project.environment = try environment(given.environmentVariables ?? [])
        }
        try keepIgnoredSettings(of: input, in: &project)
        try BuildProjectRules.validate(project)
        return project
    }

    private static func apply(_ source: Shapes.SourceInput, to project: inout BuildProject) throws {
        let buildspec = source.buildspec.flatMap { $0.isEmpty ? nil : $0 }
        if buildspec?.hasPrefix("arn:") == true { throw invalid("a buildspec in S3 is not supported by Depot: give it inline or as a path") }
        project.sourceDirectory = nil
        project.buildspecPath = "buildspec.yml"
        project.inlineBuildspec = nil
        if gitSourceTypes.contains(source.type) {
            guard let location = source.location, !location.isEmpty else { throw invalid("source.location (the git URL) is required for \(source.type)") }
            project.gitURL = location
            if let buildspec {
                // A file name is a path in the source; anything else (several lines) is the buildspec itself.
                if !buildspec.contains("\n"), buildspec.hasSuffix(".yml") || buildspec.hasSuffix(".yaml") {
                    project.buildspecPath = buildspec
                } else {
                    project.inlineBuildspec = buildspec
                }
            }
        } else if source.type == "NO_SOURCE" {
            guard let buildspec else { throw invalid("a NO_SOURCE project needs source.buildspec (the buildspec itself)") }
            project.gitURL = nil
            project.gitRef = nil
            project.inlineBuildspec = buildspec
        } else {
            throw invalid(
                "source type \(source.type) is not supported by Depot: use a git source (\(gitSourceTypes.sorted().joined(separator: ", "))) or NO_SOURCE")
        }
    }

    /// The settings Depot accepts and does not use, kept to be shown back (so Terraform sees what it set).
    static let ignoredSettingNames = [
        "description", "serviceRole", "timeoutInMinutes", "queuedTimeoutInMinutes", "environment.type", "environment.image",
        "environment.computeType", "environment.imagePullCredentialsType",
    ]

    private static func keepIgnoredSettings(of input: Shapes.ProjectInput, in project: inout BuildProject) throws {
        let given: [String: String?] = [
            "description": input.description, "serviceRole": input.serviceRole, "timeoutInMinutes": input.timeoutInMinutes.map(String.init),
            "queuedTimeoutInMinutes": input.queuedTimeoutInMinutes.map(String.init), "environment.type": input.environment?.type,
            "environment.image": input.environment?.image, "environment.computeType": input.environment?.computeType,
            "environment.imagePullCredentialsType": input.environment?.imagePullCredentialsType,
        ]
        var settings = project.ignoredSettings ?? [:]
        for (name, value) in given {
            guard let value else { continue }
            guard value.utf8.count <= 1024 else { throw invalid("\(name) is longer than 1024 bytes") }
            settings[name] = value
        }
        project.ignoredSettings = settings.isEmpty ? nil : settings
    }

    /// PLAINTEXT variables as a project's or a build's environment; secrets come from Depot's build secrets.
    static func environment(_ variables: [Shapes.EnvironmentVariable]) throws -> [String: String] {
        guard variables.count <= BuildOverrides.maximumVariables else {
            throw invalid("at most \(BuildOverrides.maximumVariables) environment variables may be set")
        }
        var environment: [String: String] = [:]
        for variable in variables {
            guard variable.type == nil || variable.type == "PLAINTEXT" else {
                throw invalid(
                    "environment variable \(variable.name) is \(variable.type ?? ""): only PLAINTEXT is supported; keep secrets in Depot's build secrets")
            }
            environment[variable.name] = variable.value
        }
        return environment
    }

    /// The repository a project's tags name; nil when they name none. Other tags are refused (Depot keeps none).
    static func repository(inTags tags: [Shapes.Tag]?) throws -> String? {
        var repository: String?
        for tag in tags ?? [] {
            guard tag.key == repositoryTag, let value = tag.value, !value.isEmpty else {
                throw invalid("Depot keeps no tags but \(repositoryTag) (the repository the project's builds use)")
            }
            repository = value
        }
        return repository
    }

    static func invalid(_ message: String) -> AWSError { AWSError("InvalidInputException", status: .badRequest, message) }

    // MARK: Output

    static func projectARN(_ name: String, scope: AWSBuildScope) -> String {
        "arn:aws:codebuild:\(scope.region):\(scope.accountID):project/\(name)"
    }

    static func source(of project: BuildProject) -> Shapes.Source {
        let buildspec = project.inlineBuildspec ?? (project.buildspecPath == "buildspec.yml" ? nil : project.buildspecPath)
        if let url = project.displayedGitURL { return Shapes.Source(type: sourceType(ofGitURL: url), location: url, buildspec: buildspec) }
        // A project of Depot's API copying a server directory: there is no CodeBuild source type for it.
        return Shapes.Source(type: "NO_SOURCE", location: project.sourceDirectory.map { "file://\($0)" }, buildspec: buildspec)
    }

    static func sourceType(ofGitURL url: String) -> String {
        let host = URLComponents(string: url)?.host?.lowercased() ?? ""
        if host == "github.com" { return "GITHUB" }
        if host == "gitlab.com" { return "GITLAB" }
        if host == "bitbucket.org" { return "BITBUCKET" }
        if host.hasPrefix("git-codecommit.") { return "CODECOMMIT" }
        return "GITHUB_ENTERPRISE"
    }

    static func environment(of variables: [String: String], settings: [String: String]) -> Shapes.Environment {
        var environment = Shapes.Environment(
            environmentVariables: variables.keys.sorted().map { Shapes.EnvironmentVariable(name: $0, value: BuildProject.redacted, type: "PLAINTEXT") })
        if let type = settings["environment.type"] { environment.type = type }
        if let image = settings["environment.image"] { environment.image = image }
        if let computeType = settings["environment.computeType"] { environment.computeType = computeType }
        environment.imagePullCredentialsType = settings["environment.imagePullCredentialsType"]
        return environment
    }

    static func project(_ project: BuildProject, scope: AWSBuildScope) -> Shapes.Project {
        let settings = project.ignoredSettings ?? [:]
        return Shapes.Project(
            name: project.name, arn: projectARN(project.name, scope: scope), description: settings["description"],
            serviceRole: settings["serviceRole"], timeoutInMinutes: settings["timeoutInMinutes"].flatMap { Int($0) } ?? 60,
            queuedTimeoutInMinutes: settings["queuedTimeoutInMinutes"].flatMap { Int($0) } ?? 480, source: source(of: project),
            sourceVersion: project.gitRef, environment: environment(of: project.environment, settings: settings), tags: [Shapes.Tag(key: repositoryTag, value: project.repository)],
            created: project.createdAt, lastModified: project.modifiedAt ?? project.createdAt,
            logsConfig: Shapes.LogsConfig(cloudWatchLogs: Shapes.CloudWatchLogsConfig()))
    }

    /// A build: its record, its result once ended, and (while it runs) the phases its log has entered so far.
    static func build(
        _ build: StoredBuild, project: BuildProject?, enteredPhases: [(phase: BuildPhaseName, at: Date)], scope: AWSBuildScope, serverURL: String
    ) -> Shapes.Build {
        let (phases, current) = self.phases(of: build, enteredPhases: enteredPhases)
        let group = BuildLogNames.group(project: build.project)
        let stream = BuildLogNames.stream(buildID: build.id)
        var variables = project?.environment ?? [:]
        variables.merge(build.overrides.environment) { $1 }
        let result = build.result
        let api = "\(serverURL)/api/v1/domains/\(build.domain)/builds/\(build.id)"
        return Shapes.Build(
            id: build.id, arn: "arn:aws:codebuild:\(scope.region):\(scope.accountID):build/\(build.id)", buildNumber: build.number,
            startTime: build.queuedAt, endTime: build.hasEnded ? build.endedAt : nil, currentPhase: current,
            buildStatus: build.status == "QUEUED" ? "IN_PROGRESS" : build.status,
            sourceVersion: build.overrides.sourceVersion ?? project?.gitRef, projectName: build.project, phases: phases,
            source: project.map(source(of:)), artifacts: Shapes.BuildArtifacts(location: result?.artifacts.first.map { "\(api)/artifacts/\($0.name)" }),
            environment: project.map { environment(of: variables, settings: $0.ignoredSettings ?? [:]) },
            logs: Shapes.Logs(
                groupName: group, streamName: stream, deepLink: "\(serverURL)/ui/domains/\(build.domain)/builds/\(build.id)",
                cloudWatchLogsArn: BuildLogNames.streamARN(buildID: build.id, project: build.project, region: scope.region, accountID: scope.accountID),
                cloudWatchLogs: Shapes.CloudWatchLogsConfig(groupName: group, streamName: stream)),
            buildComplete: build.hasEnded, initiator: build.initiator,
            exportedEnvironmentVariables: (result?.exportedVariables ?? [:]).sorted { $0.key < $1.key }.map {
                Shapes.ExportedVariable(name: $0.key, value: $0.value)
            })
    }

    /// CodeBuild's phase list: SUBMITTED and QUEUED from the record, then the phases as the build ran them (from its
    /// result once it has ended, else from the headers of its log), then COMPLETED. The phase in progress has no status.
    static func phases(of build: StoredBuild, enteredPhases: [(phase: BuildPhaseName, at: Date)]) -> (phases: [Shapes.Phase], current: String) {
        var phases = [Shapes.Phase(phaseType: "SUBMITTED", phaseStatus: "SUCCEEDED", startTime: build.queuedAt, endTime: build.queuedAt, durationInSeconds: 0)]
        guard let started = build.startedAt else {
            if build.hasEnded {
                let end = build.endedAt ?? build.queuedAt
                phases.append(phase("QUEUED", build.status, from: build.queuedAt, to: end))
                phases.append(Shapes.Phase(phaseType: "COMPLETED", startTime: end))
                return (phases, "COMPLETED")
            }
            phases.append(Shapes.Phase(phaseType: "QUEUED", startTime: build.queuedAt))
            return (phases, "QUEUED")
        }
        phases.append(phase("QUEUED", "SUCCEEDED", from: build.queuedAt, to: started))
        if let result = build.result {
            let recorded = result.phases
            if !recorded.contains(where: { $0.phase == .downloadSource }), let first = recorded.first {
                phases.append(phase("DOWNLOAD_SOURCE", "SUCCEEDED", from: started, to: first.startTime))
            }
            for record in recorded {
                var shape = phase(record.phase.rawValue, record.status.rawValue, from: record.startTime, to: record.endTime)
                if let message = record.message {
                    shape.contexts = [Shapes.PhaseContext(statusCode: record.status == .failed ? "COMMAND_EXECUTION_ERROR" : record.status.rawValue, message: message)]
                }
                phases.append(shape)
            }
            phases.append(Shapes.Phase(phaseType: "COMPLETED", startTime: build.endedAt ?? result.endTime))
            return (phases, "COMPLETED")
        }
        if build.hasEnded {
            // Ended without a result (the server stopped while it ran): nothing more is known.
            phases.append(Shapes.Phase(phaseType: "COMPLETED", startTime: build.endedAt ?? started))
            return (phases, "COMPLETED")
        }
        for (index, entered) in enteredPhases.enumerated() {
            if index + 1 < enteredPhases.count {
                phases.append(phase(entered.phase.rawValue, "SUCCEEDED", from: entered.at, to: enteredPhases[index + 1].at))
            } else {
                phases.append(Shapes.Phase(phaseType: entered.phase.rawValue, startTime: entered.at))
            }
        }
        return (phases, enteredPhases.last?.phase.rawValue ?? "PROVISIONING")
    }

    private static func phase(_ type: String, _ status: String, from start: Date, to end: Date) -> Shapes.Phase {
        Shapes.Phase(
            phaseType: type, phaseStatus: status, startTime: start, endTime: end,
            durationInSeconds: Int64(max(0, end.timeIntervalSince(start)).rounded()))
    }
}
