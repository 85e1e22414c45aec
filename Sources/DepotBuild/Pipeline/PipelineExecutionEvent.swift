import Foundation

/// One state change of an execution, for its readable events list.
public struct PipelineExecutionEvent: Sendable, Hashable, Codable, CustomStringConvertible {
    /// 1, 2, ... within the execution.
    public var id: Int
    public var time: Date
    public var type: PipelineExecutionEventType
    public var stageName: String?
    public var actionName: String?
    public var detail: String

    public var description: String {
        let place = [stageName, actionName].compactMap { $0 }.joined(separator: "/")
        return "\(type.rawValue)\(place.isEmpty ? "" : " \(place)")\(detail.isEmpty ? "" : ": \(detail)")"
    }
}

public enum PipelineExecutionEventType: String, Sendable, Hashable, Codable {
    case executionStarted = "ExecutionStarted"
    case waitingForStage = "WaitingForStage"
    case stageStarted = "StageStarted"
    case actionStarted = "ActionStarted"
    case approvalRequested = "ApprovalRequested"
    case actionSucceeded = "ActionSucceeded"
    case actionFailed = "ActionFailed"
    case actionAbandoned = "ActionAbandoned"
    case stageSucceeded = "StageSucceeded"
    case stageFailed = "StageFailed"
    case stageStopped = "StageStopped"
    case stageRetried = "StageRetried"
    case executionStopping = "ExecutionStopping"
    case executionStopped = "ExecutionStopped"
    case executionSucceeded = "ExecutionSucceeded"
    case executionFailed = "ExecutionFailed"
    case executionSuperseded = "ExecutionSuperseded"
}
