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
