import DepotCore
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

    /// Variables a caller may not set (API, `depot build run --env`, a project's environment): ones that make the
    /// shell or a tool run code (BASH_ENV, LD_PRELOAD, NODE_OPTIONS...), or that redirect the build's wiring and
    /// token (DEPOT_*, NPM_CONFIG_*, PIP_*, TWINE_*...). The buildspec itself may still set them.
    static let reservedNames: Set<String> = [
        "BASH_ENV", "ENV", "PATH", "HOME", "SHELL", "SHELLOPTS", "BASHOPTS", "PS4", "PROMPT_COMMAND", "IFS", "CDPATH", "GLOBIGNORE",
        "USER", "LOGNAME", "XDG_CONFIG_HOME", "MAVEN_OPTS", "MAVEN_ARGS", "PERL5OPT", "PERL5LIB", "RUBYOPT", "GCONV_PATH",
        "HOSTALIASES", "LOCALDOMAIN", "RES_OPTIONS", "TMPDIR", "CI",
    ]
    static let reservedPrefixes = [
        "LD_", "BASH_FUNC_", "CODEBUILD_", "DEPOT_", "NPM_CONFIG_", "PIP_", "TWINE_", "UV_INDEX", "UV_CONFIG", "UV_DEFAULT_INDEX",
        "PYTHON", "NODE_", "JAVA_", "_JAVA_", "JDK_JAVA_", "MAVEN_", "GIT_", "SSH_",
    ]

    /// Throws a 400 naming the first variable outside the allow-list: names match `[A-Z_][A-Z0-9_]*` and are not reserved.
    public static func validateOverrides(_ overrides: [String: String]) throws {
        for name in overrides.keys.sorted() {
            let wellFormed =
                (1...128).contains(name.utf8.count)
                && name.utf8.enumerated().allSatisfy { index, byte in
                    byte == UInt8(ascii: "_") || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                        || (index > 0 && byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                }
            guard wellFormed else {
                throw DepotError.badRequest(
                    "environment variable '\(name)' is not allowed: names match [A-Z_][A-Z0-9_]*", code: "InvalidEnvironment")
            }
            guard !reservedNames.contains(name), !reservedPrefixes.contains(where: name.hasPrefix) else {
                throw DepotError.badRequest(
                    "environment variable '\(name)' is reserved and cannot be set for a build", code: "InvalidEnvironment")
            }
        }
    }
}
