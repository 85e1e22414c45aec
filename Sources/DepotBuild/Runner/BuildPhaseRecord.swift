import Foundation

/// How one phase went: CodeBuild's phase record.
public struct BuildPhaseRecord: Sendable, Codable, Equatable {
    public var phase: BuildPhaseName
    public var status: BuildStatus
    public var startTime: Date
    public var endTime: Date
    /// Why a phase did not succeed (the failing command and its exit status), as CodeBuild's `contexts`.
    public var message: String?

    public init(phase: BuildPhaseName, status: BuildStatus, startTime: Date, endTime: Date, message: String? = nil) {
        self.phase = phase
        self.status = status
        self.startTime = startTime
        self.endTime = endTime
        self.message = message
    }

    public var durationSeconds: Double { endTime.timeIntervalSince(startTime) }
}
