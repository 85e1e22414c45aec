import DepotBuild
import DepotCore
import Foundation

struct CreateProjectRequest: Decodable {
    var name: String
    var repository: String
    var sourceDirectory: String?
    var gitURL: String?
    var gitRef: String?
    var buildspec: String?
    var environment: [String: String]?
}

struct StartBuildRequest: Decodable {
    var environment: [String: String]?
    /// A buildspec (its text) replacing the project's for this build.
    var buildspec: String?
    /// A git branch, tag or commit replacing the project's ref for this build.
    var sourceVersion: String?
}

struct PutSecretRequest: Decodable {
    var value: String
}

/// A project as the API shows it: credentials in the git URL and the environment's values are never sent back
/// (the stored project keeps them for its builds).
struct ProjectResponse: Encodable {
    var domain: String
    var name: String
    var repository: String
    var sourceDirectory: String?
    var gitURL: String?
    var gitRef: String?
    var buildspecPath: String
    var environment: [String: String]
    var createdAt: Date

    static let redacted = BuildProject.redacted

    init(_ project: BuildProject) {
        domain = project.domain
        name = project.name
        repository = project.repository
        sourceDirectory = project.sourceDirectory
        gitURL = project.displayedGitURL
        gitRef = project.gitRef
        buildspecPath = project.buildspecPath
        environment = project.displayedEnvironment
        createdAt = project.createdAt
    }

    static func redactingCredentials(_ url: String) -> String { BuildProject.redactingCredentials(url) }
}

/// A build as the API shows it: the stored record with its result (phases, reports, artifacts...) inlined.
struct BuildResponse: Encodable {
    var build: StoredBuild

    enum Keys: String, CodingKey {
        case id, domain, project, number, status, initiator, queuedAt, startedAt, endedAt, result
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(build.id, forKey: .id)
        try container.encode(build.domain, forKey: .domain)
        try container.encode(build.project, forKey: .project)
        try container.encode(build.number, forKey: .number)
        try container.encode(build.status, forKey: .status)
        try container.encode(build.initiator, forKey: .initiator)
        try container.encode(build.queuedAt, forKey: .queuedAt)
        try container.encodeIfPresent(build.startedAt, forKey: .startedAt)
        try container.encodeIfPresent(build.endedAt, forKey: .endedAt)
        if let json = build.resultJSON {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            try container.encode(try decoder.decode(BuildResult.self, from: json), forKey: .result)
        }
    }
}

struct SecretResponse: Encodable {
    var name: String
    var updatedAt: Date
}
