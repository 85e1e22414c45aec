import DepotBuild
import DepotCore
import Foundation

struct PipelineDefinitionRequest: Decodable {
    /// The definition's YAML or JSON text.
    var definition: String
}

struct StartPipelineRequest: Decodable {
    var variables: [String: String]?
}

struct StopPipelineRequest: Decodable {
    var abandon: Bool?
    var reason: String?
}

struct ApprovalRequest: Decodable {
    var stage: String
    var action: String
    /// `Approved` or `Rejected`.
    var status: String
    var summary: String?
}

struct RetryStageRequest: Decodable {
    var stage: String
    /// `FAILED_ACTIONS` (the default) or `ALL_ACTIONS`.
    var mode: String?
}

struct StartedExecutionResponse: Encodable {
    var pipelineExecutionId: String
}

struct PipelineResponse: Encodable {
    var domain: String
    var name: String
    var executionMode: String
    var stages: [String]
    var createdBy: String
    var createdAt: Date
    var updatedAt: Date
    var definition: String?
    var latestExecution: ExecutionSummaryResponse?

    init(_ loaded: PipelineService.Loaded, withDefinition: Bool) {
        domain = loaded.stored.domain
        name = loaded.stored.name
        executionMode = loaded.definition.executionMode.rawValue
        stages = loaded.definition.stages.map(\.name)
        createdBy = loaded.stored.createdBy
        createdAt = loaded.stored.createdAt
        updatedAt = loaded.stored.updatedAt
        definition = withDefinition ? loaded.stored.definition : nil
        latestExecution = loaded.record.allExecutions.first.map { ExecutionSummaryResponse($0, record: loaded.record) }
    }
}

struct ExecutionSummaryResponse: Encodable {
    var pipelineExecutionId: String
    var status: String
    var startTime: Date
    var lastUpdateTime: Date
    var trigger: String?
    var stopReason: String?

    init(_ execution: PipelineExecution, record: PipelineRecord) {
        pipelineExecutionId = execution.id
        status = execution.status.rawValue
        startTime = execution.startTime
        lastUpdateTime = execution.lastUpdateTime
        trigger = record.triggers[execution.id]
        stopReason = execution.stopReason
    }
}

/// An execution with every stage's and action's state (GetPipelineExecution + GetPipelineState in one).
struct ExecutionDetailResponse: Encodable {
    struct Action: Encodable {
        var name: String
        var status: String?
        var attempt: Int
        var startTime: Date?
        var endTime: Date?
        var summary: String?
        var externalLink: String?
        var outputVariables: [String: String]
        var approvalExpiresAt: Date?
    }

    struct Stage: Encodable {
        var name: String
        var status: String?
        var actions: [Action]
    }

    var pipelineName: String
    var pipelineExecutionId: String
    var status: String
    var startTime: Date
    var lastUpdateTime: Date
    var trigger: String?
    var stopReason: String?
    var variables: [String: String]
    var stages: [Stage]
    var events: [PipelineExecutionEvent]

    init(_ execution: PipelineExecution, pipeline: String, record: PipelineRecord) {
        pipelineName = pipeline
        pipelineExecutionId = execution.id
        status = execution.status.rawValue
        startTime = execution.startTime
        lastUpdateTime = execution.lastUpdateTime
        trigger = record.triggers[execution.id]
        stopReason = execution.stopReason
        variables = execution.variables
        let links = record.links[execution.id] ?? [:]
        stages = execution.stages.map { stage in
            Stage(
                name: stage.name, status: stage.status?.rawValue,
                actions: stage.actions.map { action in
                    Action(
                        name: action.name, status: action.status?.rawValue, attempt: action.attempt, startTime: action.startTime,
                        endTime: action.endTime, summary: action.summary, externalLink: links["\(stage.name)/\(action.name)"],
                        outputVariables: action.outputVariables, approvalExpiresAt: action.approvalExpiresAt)
                })
        }
        events = execution.events
    }
}

struct PipelineEventsResponse: Encodable {
    var events: [StoredPipelineEvent]
    /// Pass as `after` to read the next events (the last id, or the `after` given when there are none).
    var next: Int64
}
