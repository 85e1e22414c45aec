/// An execution's status, spelled as CodePipeline spells it.
public enum PipelineExecutionStatus: String, Sendable, Hashable, Codable {
    case inProgress = "InProgress"
    /// Stopping without abandoning: the actions running finish, nothing new starts.
    case stopping = "Stopping"
    case stopped = "Stopped"
    case succeeded = "Succeeded"
    case failed = "Failed"
    /// Replaced by a newer execution while it waited to enter a stage.
    case superseded = "Superseded"

    public var isFinished: Bool { ![.inProgress, .stopping].contains(self) }
}

public enum StageExecutionStatus: String, Sendable, Hashable, Codable {
    case inProgress = "InProgress"
    case succeeded = "Succeeded"
    case failed = "Failed"
    case stopped = "Stopped"
}

public enum ActionExecutionStatus: String, Sendable, Hashable, Codable {
    case inProgress = "InProgress"
    /// A manual approval waiting for its answer.
    case waitingForApproval = "WaitingForApproval"
    case succeeded = "Succeeded"
    case failed = "Failed"
    /// Stopped with "stop and abandon": its result, if it ever comes, is ignored.
    case abandoned = "Abandoned"

    public var isRunning: Bool { self == .inProgress || self == .waitingForApproval }
}

/// Which actions `RetryStageExecution` runs again.
public enum RetryStageMode: String, Sendable, Hashable, Codable {
    /// Only the actions that did not succeed; those that did keep their results.
    case failedActions = "FAILED_ACTIONS"
    case allActions = "ALL_ACTIONS"
}
