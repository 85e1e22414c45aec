import Foundation

/// A pipeline as stored: its definition as the caller wrote it, and the server's record of its executions
/// (a JSON document the pipeline service owns, rewritten after every state change).
public struct StoredPipeline: Sendable, Equatable {
    public var domain: String
    public var name: String
    /// The YAML or JSON text of the definition.
    public var definition: String
    public var record: Data
    public var createdBy: String
    public var createdAt: Date
    public var updatedAt: Date

    public init(domain: String, name: String, definition: String, record: Data, createdBy: String, createdAt: Date, updatedAt: Date) {
        self.domain = domain
        self.name = name
        self.definition = definition
        self.record = record
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// One state change of a pipeline's executions, numbered across the whole server so `?after=` pages through them.
public struct StoredPipelineEvent: Sendable, Equatable, Codable {
    /// Assigned by the store when the event is appended.
    public var id: Int64
    public var executionId: String
    public var time: Date
    public var type: String
    public var stageName: String?
    public var actionName: String?
    public var detail: String

    public init(id: Int64 = 0, executionId: String, time: Date, type: String, stageName: String?, actionName: String?, detail: String) {
        self.id = id
        self.executionId = executionId
        self.time = time
        self.type = type
        self.stageName = stageName
        self.actionName = actionName
        self.detail = detail
    }
}

/// Persistence of pipelines, their execution records and their events.
public protocol PipelineStore: Sendable {
    /// Throws a conflict when the domain has a pipeline of that name.
    func createPipeline(_ pipeline: StoredPipeline) async throws
    func pipeline(domain: String, name: String) async throws -> StoredPipeline?
    /// A page of the domain's pipelines, by name.
    func listPipelines(domain: String, page: PageRequest) async throws -> Page<StoredPipeline>
    /// Every pipeline of every domain: what the server resumes at start-up.
    func allPipelines() async throws -> [StoredPipeline]
    /// Replaces the definition and record, and appends the events, in one transaction.
    func savePipeline(_ pipeline: StoredPipeline, appending events: [StoredPipelineEvent]) async throws
    /// False when there was no such pipeline; its events and its hold on its artifacts' blobs go with it.
    func deletePipeline(domain: String, name: String) async throws -> Bool
    /// Events with an id above `after`, oldest first, at most `limit`.
    func pipelineEvents(domain: String, name: String, after: Int64, limit: Int) async throws -> [StoredPipelineEvent]
}
