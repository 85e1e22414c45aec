/// An input `PipelineState` cannot apply; nothing changed.
public enum PipelineExecutionError: Error, Sendable, Hashable, CustomStringConvertible {
    case executionNotFound(String)
    case executionExists(String)
    case stageNotFound(String)
    case actionNotFound(String)
    case invalidVariables(PipelineVariableError)
    /// Not possible in the execution's current state (stop a finished execution, approve a build...).
    case conflict(String)

    public var description: String {
        switch self {
        case .executionNotFound(let id): "no pipeline execution \(id)"
        case .executionExists(let id): "pipeline execution \(id) exists already"
        case .stageNotFound(let name): "the pipeline has no stage \(name)"
        case .actionNotFound(let name): "the stage has no action \(name)"
        case .invalidVariables(let error): "invalid variables: \(error)"
        case .conflict(let message): message
        }
    }
}
