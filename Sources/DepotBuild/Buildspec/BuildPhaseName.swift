/// Every phase a build passes through, in order, spelled as CodeBuild spells them.
public enum BuildPhaseName: String, Sendable, Codable, CaseIterable, Comparable {
    case submitted = "SUBMITTED"
    case queued = "QUEUED"
    case provisioning = "PROVISIONING"
    case downloadSource = "DOWNLOAD_SOURCE"
    case install = "INSTALL"
    case preBuild = "PRE_BUILD"
    case build = "BUILD"
    case postBuild = "POST_BUILD"
    case uploadArtifacts = "UPLOAD_ARTIFACTS"
    case finalizing = "FINALIZING"
    case completed = "COMPLETED"

    /// The phases a buildspec declares commands for, in the order they run.
    public static let commandPhases: [BuildPhaseName] = [.install, .preBuild, .build, .postBuild]

    /// The key under `phases:` in a buildspec (`pre_build`), nil for phases with no commands.
    public var buildspecKey: String? {
        switch self {
        case .install: "install"
        case .preBuild: "pre_build"
        case .build: "build"
        case .postBuild: "post_build"
        default: nil
        }
    }

    public init?(buildspecKey: String) {
        guard let phase = Self.commandPhases.first(where: { $0.buildspecKey == buildspecKey }) else { return nil }
        self = phase
    }

    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
