/// A build's outcome, spelled as CodeBuild spells it.
public enum BuildStatus: String, Sendable, Codable, CaseIterable {
    case inProgress = "IN_PROGRESS"
    case succeeded = "SUCCEEDED"
    case failed = "FAILED"
    case fault = "FAULT"
    case timedOut = "TIMED_OUT"
    case stopped = "STOPPED"
}
