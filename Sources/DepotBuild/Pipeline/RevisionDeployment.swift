import Foundation

/// One deployment of a revision bundle (a Deploy/AppSpec action's input artifact) to a target directory.
public struct RevisionDeployment: Sendable, Hashable {
    public var deploymentId: String
    public var applicationName: String
    public var deploymentGroupName: String
    /// The unpacked input artifact: the revision bundle holding the AppSpec file, the files and the scripts.
    public var bundleDirectory: URL
    /// The AppSpec file's path inside the bundle.
    public var appSpecPath: String
    /// Where revisions are installed: `revisions/<deploymentId>/`, `bundles/<deploymentId>/`, and `current`.
    public var targetDirectory: URL

    public init(
        deploymentId: String, applicationName: String, deploymentGroupName: String, bundleDirectory: URL,
        appSpecPath: String = AppSpecDeployConfiguration.defaultAppSpec, targetDirectory: URL
    ) {
        self.deploymentId = deploymentId
        self.applicationName = applicationName
        self.deploymentGroupName = deploymentGroupName
        self.bundleDirectory = bundleDirectory
        self.appSpecPath = appSpecPath
        self.targetDirectory = targetDirectory
    }

    /// The deployment a Deploy/AppSpec action asks for, its input artifact unpacked in `bundleDirectory`.
    public init(deploymentId: String, configuration: AppSpecDeployConfiguration, bundleDirectory: URL) {
        self.init(
            deploymentId: deploymentId, applicationName: configuration.applicationName, deploymentGroupName: configuration.deploymentGroupName,
            bundleDirectory: bundleDirectory, appSpecPath: configuration.appSpecPath, targetDirectory: URL(fileURLWithPath: configuration.targetDirectory))
    }
}

/// How a deployment went: every hook that ran, and on failure which one and whether `current` was rolled back.
public struct RevisionDeploymentResult: Sendable, Hashable {
    public struct HookRun: Sendable, Hashable {
        public var event: LifecycleEventName
        public var location: String
        public var result: LifecycleHookResult
    }

    /// The lifecycle event whose script failed (nil when something else, such as a copy, failed) and why.
    public struct Failure: Sendable, Hashable {
        public var event: LifecycleEventName?
        public var message: String
    }

    public var succeeded: Bool { failure == nil }
    public var hooks: [HookRun]
    public var failure: Failure?
    /// The revision `current` pointed at before, if any.
    public var previousDeploymentId: String?
    /// `current` was put back on the previous revision (or removed, when there was none) after the switch.
    public var rolledBack: Bool
}

/// Why a deployment could not even start (a bad AppSpec, a deployment id used before); nothing was changed.
public struct RevisionDeploymentError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
