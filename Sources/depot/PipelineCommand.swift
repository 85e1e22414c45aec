import ArgumentParser
import Foundation

/// `depot pipeline ...`: CodePipeline-style pipelines run by the server.
struct PipelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline", abstract: "Define, run and control pipelines on the server.",
        subcommands: [
            PipelineCreateCommand.self, PipelineUpdateCommand.self, PipelineListCommand.self, PipelineDescribeCommand.self,
            PipelineDeleteCommand.self, PipelineStartCommand.self, PipelineExecutionsCommand.self, PipelineApproveCommand.self,
            PipelineRejectCommand.self, PipelineRetryCommand.self, PipelineStopCommand.self,
        ])
}

/// The API path of a domain's pipelines, or of one.
private func pipelinePath(_ domain: String, _ name: String? = nil) -> String {
    "api/v1/domains/\(segment(domain))/pipelines" + (name.map { "/\(segment($0))" } ?? "")
}

/// The API path of one execution of a pipeline.
private func executionPath(_ domain: String, _ name: String, _ id: String) -> String {
    pipelinePath(domain, name) + "/executions/\(segment(id))"
}

private func readDefinition(_ file: String) throws -> String {
    do {
        return try String(contentsOf: URL(fileURLWithPath: file), encoding: .utf8)
    } catch {
        throw ValidationError("cannot read \(file): \(error.localizedDescription)")
    }
}

struct PipelineCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a pipeline from a YAML or JSON definition.")

    @OptionGroup var options: ClientOptions
    @Option var domain: String
    @Argument(help: "The definition file.") var file: String

    func run() async throws {
        let result = try await options.client().call("POST", pipelinePath(domain), body: ["definition": try readDefinition(file)])
        Output.emit(result, json: options.json)
    }
}

struct PipelineUpdateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "update", abstract: "Replace a pipeline's definition (none of its executions may run).")

    @OptionGroup var options: ClientOptions
    @Option var domain: String
    @Argument var name: String
    @Argument(help: "The definition file.") var file: String

    func run() async throws {
        let result = try await options.client().call("PUT", pipelinePath(domain, name), body: ["definition": try readDefinition(file)])
        Output.emit(result, json: options.json)
    }
}

struct PipelineListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the domain's pipelines.")

    @OptionGroup var options: ClientOptions
    @OptionGroup var paging: PagingOptions
    @Option var domain: String

    func run() async throws {
        let listing = try await options.client().list(pipelinePath(domain), key: "pipelines", paging: paging)
        Output.emit(listing: listing, json: options.json, list: "pipelines", columns: ["name", "executionMode", "stages", "updatedAt"])
    }
}

struct PipelineDescribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "describe", abstract: "Show a pipeline, its definition and latest execution.")

    @OptionGroup var options: ClientOptions
    @Option var domain: String
    @Argument var name: String

    func run() async throws {
        Output.json(try await options.client().call("GET", pipelinePath(domain, name)))
    }
}

struct PipelineDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a pipeline and its executions.")

    @OptionGroup var options: ClientOptions
    @Option var domain: String
    @Argument var name: String

    func run() async throws {
        Output.emit(try await options.client().call("DELETE", pipelinePath(domain, name)), json: options.json)
    }
}

struct PipelineStartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "start", abstract: "Start an execution.")

    @OptionGroup var options: ClientOptions
    @Option var domain: String
    @Argument var name: String
    @Option(name: .customLong("variable"), help: "NAME=VALUE overriding a pipeline variable (repeat).") var variables: [String] = []
    @Flag(help: "Show each action's status as it changes until the execution ends; exit non-zero unless it succeeds.") var follow = false

    func run() async throws {
        let client = try options.client()
        let result = try await client.call("POST", pipelinePath(domain, name) + "/executions", body: ["variables": try keyValues(variables)])
        guard follow, let id = (result as? [String: Any])?["pipelineExecutionId"] as? String else { return Output.emit(result, json: options.json) }
        print("Execution \(id) started")
        let status = try await PipelineFollower(client: client, domain: domain, path: executionPath(domain, name, id)).follow()
        if status != "Succeeded" { throw ExitCode(1) }
    }
}

/// Polls an execution and prints one line per action whenever its status changes, then the execution's end. Below
/// the lines, the log of a running build action streams (one build at a time, each line after its action's name).
struct PipelineFollower {
    let client: DepotClient
    let domain: String
    let path: String

    func follow() async throws -> String {
        var shown: [String: String] = [:]
        var logs = BuildLogStreams(client: client, domain: domain)
        let execution = try await client.poll(path, every: .seconds(1)) { execution in
            var running: [(action: String, build: String)] = []
            for stage in execution["stages"] as? [[String: Any]] ?? [] {
                for action in stage["actions"] as? [[String: Any]] ?? [] {
                    guard let status = action["status"] as? String else { continue }
                    let key = "\(stage["name"] ?? "")/\(action["name"] ?? "")"
                    let state = "\(status) \(action["attempt"] ?? "")"
                    if shown[key] != state {
                        shown[key] = state
                        print(Self.line(key, action))
                    }
                    if status == "InProgress", let link = action["externalLink"] as? String, link.hasPrefix("build ") {
                        running.append((key, String(link.dropFirst("build ".count))))
                    }
                }
            }
            await logs.update(running: running)
            return !["InProgress", "Stopping"].contains(execution["status"] as? String ?? "")
        }
        await logs.finish()
        let status = execution["status"] as? String ?? "Unknown"
        print("Execution \(execution["pipelineExecutionId"] ?? "") \(status)")
        return status
    }

    static func line(_ key: String, _ action: [String: Any]) -> String {
        let status = action["status"] as? String ?? "-"
        let formatter = ISO8601DateFormatter()
        let start = (action["startTime"] as? String).flatMap(formatter.date(from:))
        let end = (action["endTime"] as? String).flatMap(formatter.date(from:))
        var time = start.map { ISO8601DateFormatter.string(from: $0, timeZone: .current, formatOptions: [.withTime, .withColonSeparatorInTime]) } ?? ""
        if let start, let end { time += " (\(Int(end.timeIntervalSince(start)))s)" }
        let summary = (action["summary"] as? String).map { "  \($0)" } ?? ""
        return "\(key.padding(toLength: max(24, key.count), withPad: " ", startingAt: 0))  \(status.padding(toLength: 18, withPad: " ", startingAt: 0))  \(time)\(summary)"
    }
}

struct PipelineExecutionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "executions", abstract: "List a pipeline's executions, or show one with its stages and actions.")

    @OptionGroup var options: ClientOptions
    @Option var domain: String
    @Argument var name: String
    @Option(name: .customLong("id"), help: "One execution: its stages and actions.") var id: String?
    @Flag(help: "With --id: show each action's status as it changes until the execution ends; exit non-zero unless it succeeds.")
    var follow = false

    func validate() throws {
        if follow, id == nil { throw ValidationError("--follow watches one execution: give its --id") }
    }

    func run() async throws {
        let client = try options.client()
        if follow, let id {
            let status = try await PipelineFollower(client: client, domain: domain, path: executionPath(domain, name, id)).follow()
            if status != "Succeeded" { throw ExitCode(1) }
            return
        }
        guard let id else {
            let result = try await client.call("GET", pipelinePath(domain, name) + "/executions")
            return Output.emit(result, json: options.json, list: "executions", columns: ["pipelineExecutionId", "status", "startTime", "trigger"])
        }
        let result = try await client.call("GET", executionPath(domain, name, id))
        guard !options.json, let execution = result as? [String: Any] else { return Output.json(result) }
        print("Execution \(id) \(execution["status"] ?? "")\((execution["trigger"] as? String).map { " (\($0))" } ?? "")")
        for stage in execution["stages"] as? [[String: Any]] ?? [] {
            print("\(stage["name"] ?? "")  \(stage["status"] as? String ?? "-")")
            for action in stage["actions"] as? [[String: Any]] ?? [] {
                print("  " + PipelineFollower.line("\(action["name"] ?? "")", action))
            }
        }
    }
}

/// The logs of a pipeline's build actions, followed one after another in the background.
struct BuildLogStreams {
    let client: DepotClient
    let domain: String
    private var started: Set<String> = []
    private var current: (action: String, task: Task<Void, Never>)?

    init(client: DepotClient, domain: String) {
        self.client = client
        self.domain = domain
    }

    /// `running`: the build actions in progress at this poll (action -> build id). The log being streamed is
    /// finished once its action is no longer among them; then the next running build's log starts (parallel builds
    /// are shown in turn, each from its start).
    mutating func update(running: [(action: String, build: String)]) async {
        if let current, !running.contains(where: { $0.action == current.action }) {
            await current.task.value
            self.current = nil
        }
        guard current == nil, let next = running.first(where: { !started.contains($0.build) }) else { return }
        started.insert(next.build)
        let follower = BuildFollower(client: client, domain: domain, id: next.build, echo: true, linePrefix: "  \(next.action) | ")
        current = (next.action, Task { _ = try? await follower.follow() })
    }

    /// Waits for the log being streamed to end.
    func finish() async {
        await current?.task.value
    }
}

/// The options naming one execution.
struct ExecutionOptions: ParsableArguments {
    @Option var domain: String
    @Argument var name: String
    @Option(name: .customLong("execution"), help: "The execution id.") var id: String

    var path: String { executionPath(domain, name, id) }
}

/// The answer to a manual approval: which action of which execution, and the reviewer's comment.
struct ApprovalAnswerOptions: ParsableArguments {
    @OptionGroup var execution: ExecutionOptions
    @Option var stage: String
    @Option var action: String
    @Option var comment: String?

    /// PutApprovalResult with `status` (Approved or Rejected).
    func send(_ status: String, options: ClientOptions) async throws {
        let body: [String: Any?] = ["stage": stage, "action": action, "status": status, "summary": comment]
        Output.emit(try await options.client().call("POST", execution.path + "/approval", body: body), json: options.json)
    }
}

struct PipelineApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "approve", abstract: "Approve a waiting manual approval.")

    @OptionGroup var options: ClientOptions
    @OptionGroup var answer: ApprovalAnswerOptions

    func run() async throws { try await answer.send("Approved", options: options) }
}

struct PipelineRejectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reject", abstract: "Reject a waiting manual approval (the execution fails).")

    @OptionGroup var options: ClientOptions
    @OptionGroup var answer: ApprovalAnswerOptions

    func run() async throws { try await answer.send("Rejected", options: options) }
}

struct PipelineRetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry", abstract: "Retry a failed or stopped stage without re-running the stages before it.")

    @OptionGroup var options: ClientOptions
    @OptionGroup var execution: ExecutionOptions
    @Option var stage: String
    @Flag(help: "Run every action of the stage again, not only those that did not succeed.") var allActions = false

    func run() async throws {
        let body: [String: Any?] = ["stage": stage, "mode": allActions ? "ALL_ACTIONS" : "FAILED_ACTIONS"]
        Output.emit(try await options.client().call("POST", execution.path + "/retry", body: body), json: options.json)
    }
}

struct PipelineStopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop an execution.")

    @OptionGroup var options: ClientOptions
    @OptionGroup var execution: ExecutionOptions
    @Flag(help: "Abandon the running actions instead of letting them finish.") var abandon = false
    @Option var reason: String?

    func run() async throws {
        let body: [String: Any?] = ["abandon": abandon, "reason": reason]
        Output.emit(try await options.client().call("POST", execution.path + "/stop", body: body), json: options.json)
    }
}
