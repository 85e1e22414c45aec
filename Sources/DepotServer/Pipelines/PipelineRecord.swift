import DepotBuild
import Foundation

/// What the server keeps of one pipeline besides its definition text: the state machine with its executions, and
/// what the state machine does not hold (artifacts, links, triggers, the poll's last commits, events persisted).
struct PipelineRecord: Sendable, Codable {
    var state: PipelineState
    /// Executions from before the definition last changed: still readable, no longer retried.
    var archived: [PipelineExecution] = []
    /// Per execution: artifact name -> SHA-256 of its zip in the blob store.
    var artifacts: [String: [String: String]] = [:]
    /// Per execution: "stage/action" -> its external link (a build id, the approver and comment).
    var links: [String: [String: String]] = [:]
    /// Per execution: who or what started it.
    var triggers: [String: String] = [:]
    /// Per "repository branch": the last head commit the poll saw.
    var polledCommits: [String: String] = [:]
    /// How builds reach this server, as the last API request that changed the pipeline addressed it.
    var serverURL: String?
    /// Per execution: how many of its events are in the store's events table.
    var persistedEvents: [String: Int] = [:]

    init(state: PipelineState) {
        self.state = state
    }

    /// Newest first, the current definition's and the archived ones.
    var allExecutions: [PipelineExecution] { (state.executions + archived).sorted { $0.startTime > $1.startTime } }

    func execution(_ id: String) -> PipelineExecution? {
        state.execution(id) ?? archived.first { $0.id == id }
    }

    /// The events not yet in the store, marking them persisted.
    mutating func takeNewEvents() -> [(executionId: String, event: PipelineExecutionEvent)] {
        var events: [(String, PipelineExecutionEvent)] = []
        for execution in state.executions {
            let done = persistedEvents[execution.id] ?? 0
            guard execution.events.count > done else { continue }
            events += execution.events.dropFirst(done).map { (execution.id, $0) }
            persistedEvents[execution.id] = execution.events.count
        }
        return events.sorted { $0.1.time < $1.1.time }
    }
}
