/// What happens to a pipeline's executions: the inputs of `PipelineState.apply`.
public enum PipelineExecutionInput: Sendable, Hashable, Codable {
    /// StartPipelineExecution, with the execution's variable overrides.
    case start(executionId: String, variables: [String: String])
    case actionCompleted(executionId: String, stageName: String, actionName: String, attempt: Int, result: ActionResult)
    /// StopPipelineExecution: abandon the running actions, or let them finish.
    case stop(executionId: String, abandon: Bool, reason: String?)
    case retryStage(executionId: String, stageName: String, mode: RetryStageMode)
}
