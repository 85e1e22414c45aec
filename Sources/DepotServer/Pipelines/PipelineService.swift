import DepotBuild
import DepotCore
import Foundation
import Logging

/// Runs the server's pipelines: holds each pipeline's `PipelineState`, applies every input to it, persists the
/// record (and the new events) after each transition, and runs the actions the state machine starts as tasks.
/// At start-up `resume` loads every pipeline: approvals keep waiting, actions that were running are failed
/// ("server restarted") so their stage can be retried.
actor PipelineService {
    struct Loaded: Sendable {
        var stored: StoredPipeline
        var definition: PipelineDefinition
        var record: PipelineRecord
    }

    private let store: any PipelineStore
    private let runners: PipelineActionRunners
    /// The repositories Source/Git actions may name; also checked when each runs (variables may supply them).
    let gitSources: GitSourcePolicy
    private let clock: @Sendable () -> Date
    private let logger: Logger
    private var pipelines: [String: Loaded] = [:]
    /// Running action tasks by execution id, then "stage/action".
    private var tasks: [String: [String: Task<Void, Never>]] = [:]
    /// Saves in the order their snapshots were taken, so an older record never overwrites a newer one.
    private var lastSave: Task<Void, any Error>?

    init(
        store: any PipelineStore, runners: PipelineActionRunners, gitSources: GitSourcePolicy, clock: @escaping @Sendable () -> Date = { Date() },
        logger: Logger
    ) {
        self.store = store
        self.runners = runners
        self.gitSources = gitSources
        self.clock = clock
        self.logger = logger
    }

    // MARK: - Definitions

    func create(domain: String, text: String, by creator: String, serverURL: String? = nil) async throws -> Loaded {
        let definition = try Self.parse(text, domain: domain, gitSources: gitSources)
        let now = clock()
        var record = PipelineRecord(state: PipelineState(plan: PipelineExecutionPlan(definition)))
        record.serverURL = serverURL
        let stored = StoredPipeline(
            domain: domain, name: definition.name, definition: text, record: try Self.encode(record), createdBy: creator, createdAt: now,
            updatedAt: now)
        try await store.createPipeline(stored)
        let loaded = Loaded(stored: stored, definition: definition, record: record)
        pipelines[Self.key(domain, definition.name)] = loaded
        return loaded
    }

    /// A new definition applies to executions started from now on; it is refused while one is running.
    func update(domain: String, name: String, text: String) async throws -> Loaded {
        var loaded = try await pipeline(domain: domain, name: name)
        let definition = try Self.parse(text, domain: domain, gitSources: gitSources)
        guard definition.name == name else {
            throw DepotError.badRequest("the definition names pipeline '\(definition.name)', not '\(name)'", code: "InvalidPipelineDefinition")
        }
        if let running = loaded.record.state.executions.first(where: { !$0.status.isFinished }) {
            throw DepotError.conflict(
                "execution \(running.id) is \(running.status.rawValue): stop it or let it finish before changing the pipeline",
                code: "PipelineBusy")
        }
        var record = loaded.record
        record.archived = record.state.executions + record.archived
        record.state = PipelineState(plan: PipelineExecutionPlan(definition))
        loaded.definition = definition
        loaded.stored.definition = text
        loaded.record = record
        pipelines[Self.key(domain, name)] = loaded
        try await persist(Self.key(domain, name))
        return pipelines[Self.key(domain, name)] ?? loaded
    }

    func delete(domain: String, name: String) async throws {
        let loaded = try await pipeline(domain: domain, name: name)
        for execution in loaded.record.state.executions { cancelTasks(of: execution.id) }
        pipelines[Self.key(domain, name)] = nil
        _ = try await store.deletePipeline(domain: domain, name: name)
    }

    /// The domain was deleted (its rows with it): its running actions are cancelled and nothing of it stays loaded,
    /// so neither the timers nor a domain created again under the name see its pipelines.
    func forget(domain: String) {
        for (key, loaded) in pipelines where loaded.stored.domain == domain {
            for execution in loaded.record.state.executions { cancelTasks(of: execution.id) }
            pipelines[key] = nil
        }
    }

    func pipeline(domain: String, name: String) async throws -> Loaded {
        let key = Self.key(domain, name)
        if let loaded = pipelines[key] { return loaded }
        guard let stored = try await store.pipeline(domain: domain, name: name) else {
            throw DepotError.notFound("pipeline '\(name)' not found", code: "PipelineNotFound")
        }
        // Loaded by another request meanwhile: that copy may have changed since, keep it.
        if let loaded = pipelines[key] { return loaded }
        let loaded = try Self.load(stored)
        pipelines[key] = loaded
        return loaded
    }

    /// A page of the domain's pipelines, each as loaded (with its executions' state).
    func list(domain: String, page: PageRequest) async throws -> Page<Loaded> {
        let stored = try await store.listPipelines(domain: domain, page: page)
        var result: [Loaded] = []
        for pipeline in stored.items {
            result.append(try await self.pipeline(domain: domain, name: pipeline.name))
        }
        return Page(items: result, next: stored.next)
    }

    // MARK: - Executions

    func start(domain: String, name: String, variables: [String: String], trigger: String, serverURL: String? = nil) async throws -> String {
        let id = UUID().uuidString.lowercased()
        let key = Self.key(domain, try await pipeline(domain: domain, name: name).stored.name)
        pipelines[key]?.record.triggers[id] = trigger
        if let serverURL { pipelines[key]?.record.serverURL = serverURL }
        try await apply(key, .start(executionId: id, variables: variables))
        return id
    }

    func stop(domain: String, name: String, executionId: String, abandon: Bool, reason: String?) async throws {
        let key = Self.key(domain, try await pipeline(domain: domain, name: name).stored.name)
        try await apply(key, .stop(executionId: executionId, abandon: abandon, reason: reason))
        if abandon { cancelTasks(of: executionId) }
    }

    func retry(domain: String, name: String, executionId: String, stage: String, mode: RetryStageMode, serverURL: String? = nil) async throws {
        let key = Self.key(domain, try await pipeline(domain: domain, name: name).stored.name)
        if let serverURL { pipelines[key]?.record.serverURL = serverURL }
        try await apply(key, .retryStage(executionId: executionId, stageName: stage, mode: mode))
    }

    /// PutApprovalResult: the approver (a token's name) and the time go into the summary, the link and the event.
    func answerApproval(
        domain: String, name: String, executionId: String, stage: String, action: String, approved: Bool, comment: String?, by approver: String,
        serverURL: String? = nil
    ) async throws {
        let loaded = try await pipeline(domain: domain, name: name)
        let key = Self.key(domain, loaded.stored.name)
        if let serverURL { pipelines[key]?.record.serverURL = serverURL }
        guard let execution = loaded.record.state.execution(executionId) else {
            throw DepotError.notFound("no execution \(executionId) of pipeline '\(name)'", code: "PipelineExecutionNotFound")
        }
        guard let current = execution.stages.first(where: { $0.name == stage })?.actions.first(where: { $0.name == action }),
            current.status == .waitingForApproval
        else {
            throw DepotError.conflict("\(stage)/\(action) of execution \(executionId) is not waiting for approval", code: "ApprovalNotWaiting")
        }
        let verdict = approved ? "Approved" : "Rejected"
        let summary = "\(verdict) by \(approver) at \(ISO8601DateFormatter().string(from: clock()))" + (comment.map { ": \($0)" } ?? "")
        pipelines[key]?.record.links[executionId, default: [:]]["\(stage)/\(action)"] = summary
        try await apply(
            key,
            .actionCompleted(
                executionId: executionId, stageName: stage, actionName: action, attempt: current.attempt,
                result: approved ? .approved(summary: summary) : .rejected(summary: summary)))
    }

    func events(domain: String, name: String, after: Int64, limit: Int) async throws -> [StoredPipelineEvent] {
        _ = try await pipeline(domain: domain, name: name)
        return try await store.pipelineEvents(domain: domain, name: name, after: after, limit: limit)
    }

    // MARK: - Start-up and timers

    /// Loads every pipeline: actions that were running when the server stopped are failed, approvals keep waiting.
    func resume() async throws {
        for stored in try await store.allPipelines() {
            let key = Self.key(stored.domain, stored.name)
            let loaded: Loaded
            do {
                // A request may have loaded it already: that copy may be newer than the stored one.
                loaded = try pipelines[key] ?? Self.load(stored)
            } catch {
                logger.error("cannot load pipeline \(key): \(error)")
                continue
            }
            pipelines[key] = loaded
            for execution in loaded.record.state.executions where !execution.status.isFinished {
                for stage in execution.stages {
                    for action in stage.actions where action.status == .inProgress {
                        try await apply(
                            key,
                            .actionCompleted(
                                executionId: execution.id, stageName: stage.name, actionName: action.name, attempt: action.attempt,
                                result: .failed(summary: "server restarted while the action ran")))
                    }
                }
            }
        }
    }

    /// Reports approvals whose time is up as expired.
    func expireApprovals() async {
        let now = clock()
        for (key, loaded) in pipelines {
            for expired in loaded.record.state.expiredApprovals(at: now) {
                do {
                    try await apply(
                        key,
                        .actionCompleted(
                            executionId: expired.executionId, stageName: expired.stageName, actionName: expired.actionName,
                            attempt: expired.attempt, result: .expired))
                } catch {
                    logger.error("cannot expire approval \(expired.stageName)/\(expired.actionName) of \(key): \(error)")
                }
            }
        }
    }

    /// The polled source actions of every pipeline: (domain, pipeline, repository, branch).
    func polledSources() -> [(domain: String, pipeline: String, source: GitSourceConfiguration)] {
        pipelines.values.flatMap { loaded in
            loaded.definition.stages.flatMap(\.actions).compactMap { action in
                guard action.provider == .git, action.configuration["PollForSourceChanges"] != "false",
                    let source = GitSourceConfiguration(action.configuration)
                else { return nil }
                return (loaded.stored.domain, loaded.stored.name, source)
            }
        }
    }

    /// The poll saw `commit` at the head of a source's branch: a new commit starts an execution (the first one seen
    /// is only remembered). Returns the execution started, if any.
    func observed(commit: String, of source: GitSourceConfiguration, domain: String, pipeline name: String) async throws -> String? {
        let key = Self.key(domain, name)
        let sourceKey = "\(source.repository) \(source.branch)"
        guard let previous = pipelines[key]?.record.polledCommits[sourceKey] else {
            pipelines[key]?.record.polledCommits[sourceKey] = commit
            try await persist(key)
            return nil
        }
        guard previous != commit else { return nil }
        pipelines[key]?.record.polledCommits[sourceKey] = commit
        return try await start(domain: domain, name: name, variables: [:], trigger: "poll: commit \(commit) on \(source.branch)")
    }

    /// Waits until every running action task has reported and every record is saved (tests, shutdown).
    func idle() async {
        while let task = tasks.values.lazy.flatMap(\.values).first {
            await task.value
        }
        _ = await lastSave?.result
    }

    // MARK: - The loop

    private func apply(_ key: String, _ input: PipelineExecutionInput) async throws {
        guard var loaded = pipelines[key] else { throw DepotError.notFound("pipeline not found", code: "PipelineNotFound") }
        let invocations: [ActionInvocation]
        do {
            invocations = try loaded.record.state.apply(input, at: clock())
        } catch {
            throw Self.depotError(error)
        }
        pipelines[key] = loaded
        try await persist(key)
        for invocation in invocations where invocation.provider != .manualApproval {
            launch(key, loaded, invocation)
        }
    }

    private func launch(_ key: String, _ loaded: Loaded, _ invocation: ActionInvocation) {
        let artifacts = loaded.record.artifacts[invocation.executionId] ?? [:]
        let job = PipelineJob(
            domain: loaded.stored.domain, pipeline: loaded.stored.name, invocation: invocation,
            inputArtifacts: artifacts.filter { invocation.inputArtifacts.contains($0.key) }, serverURL: pipelines[key]?.record.serverURL,
            showLink: { [weak self] link in await self?.running(key, invocation, link: link) })
        let runners = self.runners
        let slot = "\(invocation.stageName)/\(invocation.actionName)"
        tasks[invocation.executionId, default: [:]][slot] = Task {
            let outcome = await runners.run(job)
            await self.finished(key, invocation, outcome)
        }
    }

    /// A running action's link, shown with its state (saved with the next change); ignored once it has ended.
    private func running(_ key: String, _ invocation: ActionInvocation, link: String) {
        let slot = "\(invocation.stageName)/\(invocation.actionName)"
        guard tasks[invocation.executionId]?[slot] != nil else { return }
        pipelines[key]?.record.links[invocation.executionId, default: [:]][slot] = link
    }

    private func finished(_ key: String, _ invocation: ActionInvocation, _ outcome: PipelineJobOutcome) async {
        let slot = "\(invocation.stageName)/\(invocation.actionName)"
        tasks[invocation.executionId]?[slot] = nil
        if tasks[invocation.executionId]?.isEmpty == true { tasks[invocation.executionId] = nil }
        guard pipelines[key] != nil else { return }
        if case .succeeded = outcome.result {
            pipelines[key]?.record.artifacts[invocation.executionId, default: [:]].merge(outcome.artifacts) { $1 }
        }
        if let link = outcome.externalLink { pipelines[key]?.record.links[invocation.executionId, default: [:]][slot] = link }
        do {
            try await apply(
                key,
                .actionCompleted(
                    executionId: invocation.executionId, stageName: invocation.stageName, actionName: invocation.actionName,
                    attempt: invocation.attempt, result: outcome.result))
        } catch {
            logger.error("cannot record the end of \(slot) of execution \(invocation.executionId): \(error)")
        }
    }

    private func cancelTasks(of executionId: String) {
        for task in (tasks[executionId] ?? [:]).values { task.cancel() }
    }

    private func persist(_ key: String) async throws {
        guard var loaded = pipelines[key] else { return }
        let events = loaded.record.takeNewEvents()
        loaded.stored.updatedAt = clock()
        loaded.stored.record = try Self.encode(loaded.record)
        pipelines[key] = loaded
        let stored = loaded.stored
        let rows = events.map {
            StoredPipelineEvent(
                executionId: $0.executionId, time: $0.event.time, type: $0.event.type.rawValue, stageName: $0.event.stageName,
                actionName: $0.event.actionName, detail: $0.event.detail)
        }
        let store = self.store
        let previous = lastSave
        let save = Task {
            _ = await previous?.result
            try await store.savePipeline(stored, appending: rows)
        }
        lastSave = save
        try await save.value
    }

    // MARK: - Helpers

    static func key(_ domain: String, _ name: String) -> String { "\(domain)/\(name)" }

    static func parse(_ text: String, domain: String, gitSources: GitSourcePolicy? = nil) throws -> PipelineDefinition {
        let definition: PipelineDefinition
        do {
            definition = try PipelineDefinitionParser.parse(text, gitSources: gitSources)
        } catch {
            throw DepotError.badRequest("invalid pipeline definition: \(error)", code: "InvalidPipelineDefinition")
        }
        if let declared = definition.domain, declared != domain {
            throw DepotError.badRequest("the definition is for domain '\(declared)', not '\(domain)'", code: "InvalidPipelineDefinition")
        }
        return definition
    }

    private static func load(_ stored: StoredPipeline) throws -> Loaded {
        let definition = try parse(stored.definition, domain: stored.domain)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        let record = try decoder.decode(PipelineRecord.self, from: stored.record)
        return Loaded(stored: stored, definition: definition, record: record)
    }

    private static func encode(_ record: PipelineRecord) throws -> Data {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        return try encoder.encode(record)
    }

    private static func depotError(_ error: PipelineExecutionError) -> DepotError {
        switch error {
        case .executionNotFound, .stageNotFound, .actionNotFound:
            DepotError.notFound(error.description, code: "PipelineExecutionNotFound")
        case .executionExists, .conflict:
            DepotError.conflict(error.description, code: "PipelineConflict")
        case .invalidVariables:
            DepotError.badRequest(error.description, code: "InvalidVariables")
        }
    }
}
