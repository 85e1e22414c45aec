import Foundation

/// CodeBuild's shapes (botocore's `codebuild/2016-10-06` model), as far as Depot's projects and builds fill them.
/// Members Depot has no equivalent for are left out; the environment's image and compute type are fixed values
/// (builds run on the server, sandboxed), accepted and ignored on input.
enum CodeBuildShapes {
    // MARK: Input

    struct SourceInput: Decodable {
        var type: String
        var location: String?
        var buildspec: String?
    }

    struct EnvironmentVariable: Codable, Equatable {
        var name: String
        var value: String
        var type: String?
    }

    struct EnvironmentInput: Decodable {
        var type: String?
        var image: String?
        var computeType: String?
        var imagePullCredentialsType: String?
        var environmentVariables: [EnvironmentVariable]?
    }

    struct Tag: Codable, Equatable {
        var key: String?
        var value: String?
    }

    /// CreateProject and UpdateProject (role, image, compute, artifacts, cache, VPC, ... are accepted and ignored).
    struct ProjectInput: Decodable {
        var name: String
        var description: String?
        var serviceRole: String?
        var timeoutInMinutes: Int?
        var queuedTimeoutInMinutes: Int?
        var source: SourceInput?
        var sourceVersion: String?
        var environment: EnvironmentInput?
        var tags: [Tag]?
        var secondarySources: [SourceInput]?
    }

    struct NamesInput: Decodable {
        var names: [String]
    }

    struct NameInput: Decodable {
        var name: String
    }

    struct IDsInput: Decodable {
        var ids: [String]
    }

    struct IDInput: Decodable {
        var id: String
    }

    struct ListProjectsInput: Decodable {
        var sortBy: String?
        var sortOrder: String?
        var nextToken: String?
    }

    struct ListBuildsInput: Decodable {
        var projectName: String?
        var sortOrder: String?
        var nextToken: String?
    }

    struct StartBuildInput: Decodable {
        var projectName: String
        var sourceVersion: String?
        var buildspecOverride: String?
        var environmentVariablesOverride: [EnvironmentVariable]?
        var sourceTypeOverride: String?
        var sourceLocationOverride: String?
        var secondarySourcesOverride: [SourceInput]?
    }

    // MARK: Output

    struct Source: Encodable, Equatable {
        var type: String
        var location: String?
        var buildspec: String?
    }

    struct Artifacts: Encodable, Equatable {
        var type = "NO_ARTIFACTS"
    }

    /// Builds run on the Depot server itself (in bubblewrap): there is no image or instance type to choose.
    struct Environment: Encodable, Equatable {
        var type = "LINUX_CONTAINER"
        var image = "depot/server-host"
        var computeType = "BUILD_GENERAL1_SMALL"
        var imagePullCredentialsType: String?
        var environmentVariables: [EnvironmentVariable]
    }

    struct CloudWatchLogsConfig: Encodable, Equatable {
        var status = "ENABLED"
        var groupName: String?
        var streamName: String?
    }

    struct LogsConfig: Encodable, Equatable {
        var cloudWatchLogs: CloudWatchLogsConfig
    }

    struct Project: Encodable, Equatable {
        var name: String
        var arn: String
        var description: String?
        var serviceRole: String?
        var timeoutInMinutes: Int?
        var queuedTimeoutInMinutes: Int?
        var source: Source
        var sourceVersion: String?
        var artifacts = Artifacts()
        var environment: Environment
        var tags: [Tag]
        var created: Date
        var lastModified: Date
        var logsConfig: LogsConfig
        var projectVisibility = "PRIVATE"
    }

    struct PhaseContext: Encodable, Equatable {
        var statusCode: String
        var message: String
    }

    struct Phase: Encodable, Equatable {
        var phaseType: String
        var phaseStatus: String?
        var startTime: Date
        var endTime: Date?
        var durationInSeconds: Int64?
        var contexts: [PhaseContext]?
    }

    struct Logs: Encodable, Equatable {
        var groupName: String
        var streamName: String
        var deepLink: String
        var cloudWatchLogsArn: String
        var cloudWatchLogs: CloudWatchLogsConfig
    }

    struct ExportedVariable: Encodable, Equatable {
        var name: String
        var value: String
    }

    struct Build: Encodable, Equatable {
        var id: String
        var arn: String
        var buildNumber: Int
        var startTime: Date
        var endTime: Date?
        var currentPhase: String
        var buildStatus: String
        var sourceVersion: String?
        var projectName: String
        var phases: [Phase]
        var source: Source?
        var artifacts: BuildArtifacts
        var environment: Environment?
        var logs: Logs
        var buildComplete: Bool
        var initiator: String
        var exportedEnvironmentVariables: [ExportedVariable]
    }

    /// Where the build's artifact zips are downloaded (Depot's API), when it has any.
    struct BuildArtifacts: Encodable, Equatable {
        var location: String?
    }
}
