/// A parsed and validated `buildspec.yml` (version 0.2), as CodeBuild reads it.
public struct Buildspec: Sendable, Equatable {
    public var version: String
    public var env: BuildspecEnvironment
    /// The phases present in the file, keyed by phase; commands run in `BuildPhaseName.commandPhases` order.
    public var phases: [BuildPhaseName: BuildspecPhase]
    public var reports: [BuildspecReportGroup]
    public var artifacts: BuildspecArtifacts?
    public var cache: BuildspecCache?

    public init(
        version: String = "0.2", env: BuildspecEnvironment = .init(), phases: [BuildPhaseName: BuildspecPhase] = [:],
        reports: [BuildspecReportGroup] = [], artifacts: BuildspecArtifacts? = nil, cache: BuildspecCache? = nil
    ) {
        self.version = version
        self.env = env
        self.phases = phases
        self.reports = reports
        self.artifacts = artifacts
        self.cache = cache
    }
}

/// `env:` — shell, plain variables, secrets from Depot's secret store, variables to export.
public struct BuildspecEnvironment: Sendable, Equatable {
    public var shell: String
    /// Kept in file order so later variables may refer to earlier ones.
    public var variables: [(name: String, value: String)]
    /// Environment variable name -> secret name (from `secrets`, `parameter-store` or `secrets-manager`).
    public var secrets: [(name: String, secret: String)]
    public var exportedVariables: [String]

    public init(
        shell: String = "bash", variables: [(name: String, value: String)] = [], secrets: [(name: String, secret: String)] = [],
        exportedVariables: [String] = []
    ) {
        self.shell = shell
        self.variables = variables
        self.secrets = secrets
        self.exportedVariables = exportedVariables
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.shell == b.shell && a.variables.map { [$0.name, $0.value] } == b.variables.map { [$0.name, $0.value] }
            && a.secrets.map { [$0.name, $0.secret] } == b.secrets.map { [$0.name, $0.secret] }
            && a.exportedVariables == b.exportedVariables
    }
}

/// One phase: its commands, what runs regardless (`finally`) and what a failure does.
public struct BuildspecPhase: Sendable, Equatable {
    public enum OnFailure: String, Sendable, Equatable {
        case abort = "ABORT"
        case `continue` = "CONTINUE"
    }

    public var commands: [String]
    public var finally: [String]
    public var onFailure: OnFailure

    public init(commands: [String] = [], finally: [String] = [], onFailure: OnFailure = .abort) {
        self.commands = commands
        self.finally = finally
        self.onFailure = onFailure
    }
}

/// `artifacts:` (and each entry of `secondary-artifacts`).
public struct BuildspecArtifacts: Sendable, Equatable {
    public var files: [String]
    public var name: String?
    public var baseDirectory: String?
    public var discardPaths: Bool
    public var excludePaths: [String]
    public var secondary: [String: BuildspecArtifacts]

    public init(
        files: [String], name: String? = nil, baseDirectory: String? = nil, discardPaths: Bool = false,
        excludePaths: [String] = [], secondary: [String: BuildspecArtifacts] = [:]
    ) {
        self.files = files
        self.name = name
        self.baseDirectory = baseDirectory
        self.discardPaths = discardPaths
        self.excludePaths = excludePaths
        self.secondary = secondary
    }
}

/// One report group under `reports:`; only JUnit XML is read.
public struct BuildspecReportGroup: Sendable, Equatable {
    public var name: String
    public var files: [String]
    public var baseDirectory: String?
    public var discardPaths: Bool
    public var fileFormat: String

    public init(name: String, files: [String], baseDirectory: String? = nil, discardPaths: Bool = false, fileFormat: String = "JUNITXML") {
        self.name = name
        self.files = files
        self.baseDirectory = baseDirectory
        self.discardPaths = discardPaths
        self.fileFormat = fileFormat
    }
}

/// `cache:` — directories kept between builds of a project, under a key with fallbacks.
public struct BuildspecCache: Sendable, Equatable {
    public var paths: [String]
    public var key: String?
    public var fallbackKeys: [String]

    public init(paths: [String], key: String? = nil, fallbackKeys: [String] = []) {
        self.paths = paths
        self.key = key
        self.fallbackKeys = fallbackKeys
    }
}
