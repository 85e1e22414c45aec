import Foundation

/// Runs one lifecycle hook script. The server plugs in its sandboxed runner; tests a fake.
public protocol LifecycleHookRunner: Sendable {
    func run(_ hook: LifecycleHookInvocation) async -> LifecycleHookResult
}

/// A script to run for a lifecycle event, with CodeDeploy's environment variables.
public struct LifecycleHookInvocation: Sendable, Hashable {
    public var event: LifecycleEventName
    /// The script, inside `workingDirectory` (the revision bundle).
    public var script: URL
    public var workingDirectory: URL
    /// `LIFECYCLE_EVENT`, `DEPLOYMENT_ID`, `APPLICATION_NAME`, `DEPLOYMENT_GROUP_NAME`, and where the revision is.
    public var environment: [String: String]
    public var timeout: Duration
    public var runAs: String?
    /// Directories the script may write to (the deployment's target directory).
    public var writableDirectories: [URL]

    public init(
        event: LifecycleEventName, script: URL, workingDirectory: URL, environment: [String: String], timeout: Duration, runAs: String? = nil,
        writableDirectories: [URL] = []
    ) {
        self.event = event
        self.script = script
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.timeout = timeout
        self.runAs = runAs
        self.writableDirectories = writableDirectories
    }
}

public struct LifecycleHookResult: Sendable, Hashable {
    public enum Status: Sendable, Hashable {
        case succeeded
        case failed(exitStatus: Int32)
        case timedOut
        /// It could not be started at all.
        case error(String)
    }

    public var status: Status
    /// The script's output (its tail, when long).
    public var output: String

    public init(status: Status, output: String = "") {
        self.status = status
        self.output = output
    }
}
