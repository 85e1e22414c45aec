import Foundation

/// A finished build, as recorded and shown: status, phases with durations, exported variables, reports,
/// artifacts.
public struct BuildResult: Sendable, Codable, Equatable {
    public var id: String
    public var number: Int
    public var status: BuildStatus
    public var startTime: Date
    public var endTime: Date
    public var phases: [BuildPhaseRecord]
    public var exportedVariables: [String: String]
    public var reports: [TestReport]
    public var artifacts: [BuildArtifact]
    /// The cache key restored before the build, if any.
    public var cacheRestoredFrom: String?
    /// Why the build did not succeed, in a sentence.
    public var message: String?
    /// The finished log's blob (server builds), once stored.
    public var logSHA256: String?
    public var logSize: Int64?

    public init(
        id: String, number: Int, status: BuildStatus, startTime: Date, endTime: Date, phases: [BuildPhaseRecord] = [],
        exportedVariables: [String: String] = [:], reports: [TestReport] = [], artifacts: [BuildArtifact] = [],
        cacheRestoredFrom: String? = nil, message: String? = nil
    ) {
        self.id = id
        self.number = number
        self.status = status
        self.startTime = startTime
        self.endTime = endTime
        self.phases = phases
        self.exportedVariables = exportedVariables
        self.reports = reports
        self.artifacts = artifacts
        self.cacheRestoredFrom = cacheRestoredFrom
        self.message = message
    }
}
