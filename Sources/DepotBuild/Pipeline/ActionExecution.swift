import Foundation

/// An action within one execution: nil status until it starts (or after a retry resets it).
public struct ActionExecution: Sendable, Hashable, Codable {
    public var name: String
    public var status: ActionExecutionStatus?
    /// 0 before the first run; each run (a retry) counts one more. Results must name the attempt they are for.
    public var attempt: Int = 0
    public var startTime: Date?
    public var endTime: Date?
    /// The failure, the approver's comment or the job's summary.
    public var summary: String?
    /// The configuration it ran with, variables resolved.
    public var resolvedConfiguration: [String: String]?
    public var outputVariables: [String: String] = [:]
    public var approvalExpiresAt: Date?

    init(name: String) {
        self.name = name
    }
}
