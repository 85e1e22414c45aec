import Foundation

/// The variables a build's shell starts with, lowest precedence first: a few of the host's (PATH, locale), the
/// CODEBUILD_* and DEPOT_* build variables, the buildspec's `env.variables`, the overrides of the caller, then
/// secrets and registry variables. Nothing else of the host leaks in (its DEPOT_TOKEN, for one).
public struct BuildEnvironment: Sendable {
    public static let inheritedNames = ["PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "USER", "LOGNAME", "JAVA_HOME", "TERM"]

    public var buildID: String
    public var buildNumber: Int
    public var sourceDirectory: URL
    public var home: URL
    public var sourceVersion: String?
    public var resolvedSourceVersion: String?
    public var initiator: String
    public var startTime: Date

    public init(
        buildID: String, buildNumber: Int, sourceDirectory: URL, home: URL, sourceVersion: String? = nil,
        resolvedSourceVersion: String? = nil, initiator: String, startTime: Date
    ) {
        self.buildID = buildID
        self.buildNumber = buildNumber
        self.sourceDirectory = sourceDirectory
        self.home = home
        self.sourceVersion = sourceVersion
        self.resolvedSourceVersion = resolvedSourceVersion
        self.initiator = initiator
        self.startTime = startTime
    }

    /// CODEBUILD_* variables with their DEPOT_* twins (DEPOT_BUILD_ID for CODEBUILD_BUILD_ID, ...).
    public var buildVariables: [String: String] {
        let codebuild: [String: String] = [
            "CODEBUILD_BUILD_ID": buildID,
            "CODEBUILD_BUILD_NUMBER": String(buildNumber),
            "CODEBUILD_SRC_DIR": sourceDirectory.path,
            "CODEBUILD_SOURCE_VERSION": sourceVersion ?? "",
            "CODEBUILD_RESOLVED_SOURCE_VERSION": resolvedSourceVersion ?? sourceVersion ?? "",
            "CODEBUILD_INITIATOR": initiator,
            "CODEBUILD_START_TIME": String(Int64(startTime.timeIntervalSince1970 * 1000)),
            "CODEBUILD_BUILD_SUCCEEDING": "1",
        ]
        var all = codebuild
        for (name, value) in codebuild { all["DEPOT_" + name.dropFirst("CODEBUILD_".count)] = value }
        return all
    }

    public func variables(
        host: [String: String], buildspec: BuildspecEnvironment, overrides: [String: String], secrets: [String: String],
        registry: [String: String]
    ) -> [String: String] {
        var all: [String: String] = [:]
        for name in Self.inheritedNames { all[name] = host[name] }
        if all["PATH"] == nil { all["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        all["HOME"] = home.path
        all["XDG_CONFIG_HOME"] = home.appendingPathComponent(".config").path
        all["CI"] = "true"
        all.merge(buildVariables) { $1 }
        for (name, value) in buildspec.variables { all[name] = value }
        all.merge(overrides) { $1 }
        all.merge(secrets) { $1 }
        all.merge(registry) { $1 }
        return all
    }
}
