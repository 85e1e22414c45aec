/// A CodeDeploy AppSpec file (`version: 0.0`, `os: linux`) for an in-place deploy to a directory: which files of
/// the revision go where, and the scripts of each lifecycle event.
public struct AppSpec: Sendable, Hashable {
    public var files: [AppSpecFile]
    public var hooks: [LifecycleEventName: [AppSpecHook]]
    public var fileExistsBehavior: FileExistsBehavior

    public init(files: [AppSpecFile] = [], hooks: [LifecycleEventName: [AppSpecHook]] = [:], fileExistsBehavior: FileExistsBehavior = .disallow) {
        self.files = files
        self.hooks = hooks
        self.fileExistsBehavior = fileExistsBehavior
    }

    /// What happens when two `files` entries install the same path (CodeDeploy's `file_exists_behavior`).
    public enum FileExistsBehavior: String, Sendable, Hashable, CaseIterable {
        case disallow = "DISALLOW"
        case overwrite = "OVERWRITE"
        case retain = "RETAIN"
    }
}

/// One `files` entry: `source` inside the revision bundle (`/` is the whole bundle, as in CodeDeploy), copied to
/// `destination` inside the deployed revision directory (a leading `/` is that directory's root).
public struct AppSpecFile: Sendable, Hashable {
    public var source: String
    public var destination: String

    public init(source: String, destination: String) {
        self.source = source
        self.destination = destination
    }
}

/// One script of a lifecycle event, run from the revision bundle.
public struct AppSpecHook: Sendable, Hashable {
    public static let maxTimeoutSeconds = 3600

    public var location: String
    public var timeoutSeconds: Int
    /// Accepted for CodeDeploy compatibility; scripts run as the Depot server's user (or the sandbox's).
    public var runAs: String?

    public init(location: String, timeoutSeconds: Int = AppSpecHook.maxTimeoutSeconds, runAs: String? = nil) {
        self.location = location
        self.timeoutSeconds = timeoutSeconds
        self.runAs = runAs
    }
}

/// The lifecycle events of an in-place deployment that run scripts, in CodeDeploy's order (install sits between
/// BeforeInstall and AfterInstall).
public enum LifecycleEventName: String, Sendable, Hashable, CaseIterable, Comparable {
    case applicationStop = "ApplicationStop"
    case beforeInstall = "BeforeInstall"
    case afterInstall = "AfterInstall"
    case applicationStart = "ApplicationStart"
    case validateService = "ValidateService"

    public static func < (a: Self, b: Self) -> Bool { a.order < b.order }

    private var order: Int {
        switch self {
        case .applicationStop: 0
        case .beforeInstall: 1
        case .afterInstall: 2
        case .applicationStart: 3
        case .validateService: 4
        }
    }
}
