/// The command phases of a build: their records, the build status they lead to, and the exported variables.
public struct PhaseOutcome: Sendable, Equatable {
    public var status: BuildStatus
    public var phases: [BuildPhaseRecord]
    public var exportedVariables: [String: String]

    public init(status: BuildStatus, phases: [BuildPhaseRecord], exportedVariables: [String: String]) {
        self.status = status
        self.phases = phases
        self.exportedVariables = exportedVariables
    }
}
