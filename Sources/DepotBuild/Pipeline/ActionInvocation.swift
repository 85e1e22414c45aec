import Foundation

/// An action the orchestrator must start now (a CodePipeline "job"): which one, with its resolved configuration.
/// For a manual approval it is the request to record and announce; no job runs.
public struct ActionInvocation: Sendable, Hashable, Codable {
    public var executionId: String
    public var stageName: String
    public var actionName: String
    public var attempt: Int
    public var provider: ActionProvider
    public var configuration: [String: String]
    public var inputArtifacts: [String]
    public var outputArtifacts: [String]
    public var namespace: String?
    public var approvalExpiresAt: Date?
}

extension ActionProvider: Codable {}
