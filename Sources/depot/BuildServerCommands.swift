import ArgumentParser
import DepotCore
import Foundation
import NIOCore

/// `depot build create-project|projects`: build projects on the server.
struct BuildCreateProjectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create-project", abstract: "Create a build project on the server.")

    @OptionGroup var options: ClientOptions
    @Option var domain: String
    @Argument var name: String
    @Option(name: .customLong("repo"), help: "The repository its builds resolve from and publish to.") var repository: String
    @Option(help: "A source directory on the server (absolute path).") var sourceDir: String?
    @Option(help: "A git repository URL to clone for each build.") var git: String?
    @Option(help: "Branch, tag or commit of --git.") var ref: String?
    @Option(help: "Buildspec path inside the source (default buildspec.yml).") var buildspec: String?
    @Option(name: .customLong("env"), help: "K=V for every build of the project (repeat).") var variables: [String] = []

    func run() async throws {
        let body: [String: Any?] = [
            "name": name, "repository": repository, "sourceDirectory": sourceDir, "gitURL": git, "gitRef": ref,
            "buildspec": buildspec, "environment": try keyValues(variables),
        ]
        let result = try await options.client().call("POST", "api/v1/domains/\(segment(domain))/projects", body: body)
        Output.emit(result, json: options.json)
    }
}

struct BuildProjectsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "projects", abstract: "List build projects.")

    @OptionGroup var options: ClientOptions
    @OptionGroup var paging: PagingOptions
    @Option var domain: String

    func run() async throws {
        let result = try await options.client().list("api/v1/domains/\(segment(domain))/projects", key: "projects", paging: paging)
        Output.emit(
            listing: result, json: options.json, list: "projects", columns: ["name", "repository", "sourceDirectory", "gitURL", "buildspecPath"])
    }
}

/// `depot build start --project P [--follow]`: queues a build on the server.
struct BuildStartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "start", abstract: "Queue a build of a project on the server.")

    @OptionGroup var options: ClientOptions
    @Option var domain: String
    @Option var project: String
    @Option(name: .customLong("env"), help: "K=V for this build (repeat).") var variables: [String] = []
    @Option(help: "A buildspec file whose content replaces the project's for this build.") var buildspec: String?
    @Option(name: .customLong("source-version"), help: "The git branch, tag or commit to build instead of the project's ref.")
    var sourceVersion: String?
    @Flag(help: "Stream the log until the build ends; exit non-zero unless it succeeds.") var follow = false

    func run() async throws {
        let client = try options.client()
        var body: [String: Any?] = ["environment": try keyValues(variables)]
        if let buildspec { body["buildspec"] = try String(contentsOfFile: buildspec, encoding: .utf8) }
        if let sourceVersion { body["sourceVersion"] = sourceVersion }
        let result = try await client.call("POST", "api/v1/domains/\(segment(domain))/projects/\(segment(project))/builds", body: body)
        guard follow, let id = (result as? [String: Any])?["id"] as? String else { return Output.emit(result, json: options.json) }
        if !options.json { FileHandle.standardOutput.write(Data("Build \(id) queued\n".utf8)) }
        let status = try await BuildFollower(client: client, domain: domain, id: id, echo: !options.json).follow()
        if options.json { Output.json(try await client.call("GET", "api/v1/domains/\(segment(domain))/builds/\(segment(id))")) }
        if status != "SUCCEEDED" { throw ExitCode(1) }
    }
}

struct BuildLogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logs", abstract: "Print (or follow) a build's log.")

    @OptionGroup var options: ClientOptions
    @Option var domain: String
    @Argument var id: String
    @Flag var follow = false

    func run() async throws {
        let client = try options.client()
        if follow {
            _ = try await BuildFollower(client: client, domain: domain, id: id, echo: true).follow()
        } else {
            print(try await client.text("api/v1/domains/\(segment(domain))/builds/\(segment(id))/logs"), terminator: "")
        }
    }
}

struct BuildDescribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "describe", abstract: "Show a build: status, phases, reports, artifacts.")

    @OptionGroup var options: ClientOptions
    @Option var domain: String
    @Argument var id: String

    func run() async throws {
        Output.json(try await options.client().call("GET", "api/v1/domains/\(segment(domain))/builds/\(segment(id))"))
    }
}

struct BuildListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List builds, newest first.")

    @OptionGroup var options: ClientOptions
    @OptionGroup var paging: PagingOptions
    @Option var domain: String
    @Option var project: String?

    func run() async throws {
        let result = try await options.client().list(
            "api/v1/domains/\(segment(domain))/builds", key: "builds", query: ["project": project], paging: paging)
        Output.emit(listing: result, json: options.json, list: "builds", columns: ["id", "number", "status", "initiator", "queuedAt", "endedAt"])
    }
}

struct BuildStopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop a queued or running build.")

    @OptionGroup var options: ClientOptions
    @Option var domain: String
    @Argument var id: String

    func run() async throws {
        Output.emit(try await options.client().call("POST", "api/v1/domains/\(segment(domain))/builds/\(segment(id))/stop"), json: options.json)
    }
}

/// Follows a server build's log over one long-lived chunked response (`logs?follow=true`, which ends when the build
/// does), so lines appear as they are written and a long log is not fetched again and again; returns its status.
/// The server sends nothing while a build is queued or quiet: after `idleSeconds` of silence the follower asks
/// whether the build still runs and, if so, follows again, skipping the bytes it has already written.
struct BuildFollower {
    let client: DepotClient
    let domain: String
    let id: String
    let echo: Bool
    /// When set, the log is written line by line, each after this prefix (a pipeline action's log under its view).
    var linePrefix: String?
    var idleSeconds = 60

    func follow() async throws -> String {
        let path = "api/v1/domains/\(segment(domain))/builds/\(segment(id))"
        var request = client.request(client.baseURL.appendingPathComponent(path + "/logs"))
        request.url += "?follow=true"
        var written = 0
        var ended = false
        var lines = LinePrefixer(prefix: linePrefix ?? "")
        while true {
            var skip = written
            do {
                try await client.stream(request, idleSeconds: idleSeconds) { chunk in
                    var chunk = chunk
                    let repeated = min(skip, chunk.readableBytes)
                    chunk.moveReaderIndex(forwardBy: repeated)
                    skip -= repeated
                    written += chunk.readableBytes
                    guard echo, chunk.readableBytes > 0 else { return }
                    if linePrefix == nil {
                        FileHandle.standardOutput.write(Data(chunk.readableBytesView))
                    } else {
                        for line in lines.take(Array(chunk.readableBytesView)) { print(line) }
                    }
                }
                break
            } catch let error as ClientError where error.code == ConnectionFailure.idleTimeoutCode {
                // A build that ended meanwhile gets one more pass for the rest of its log; if even that stalls, stop.
                if ended { break }
                let build = try await client.call("GET", path) as? [String: Any]
                ended = !["QUEUED", "IN_PROGRESS"].contains(build?["status"] as? String ?? "")
            }
        }
        // The stream ends with the build; its record may be written a moment later.
        let build = try await client.poll(path, every: .milliseconds(200), attempts: 50) {
            !["QUEUED", "IN_PROGRESS"].contains($0["status"] as? String ?? "UNKNOWN")
        }
        let status = build["status"] as? String ?? "UNKNOWN"
        if echo {
            if let rest = lines.rest() { print(rest) }
            print("\(linePrefix ?? "")Build \(id) \(status)")
        }
        return status
    }
}

/// Cuts a byte stream into lines, each given a prefix; a line still open waits for its end (or `rest`).
struct LinePrefixer {
    let prefix: String
    private var lines = LineSplitter()

    init(prefix: String) {
        self.prefix = prefix
    }

    mutating func take(_ bytes: [UInt8]) -> [String] {
        lines.append(bytes).map { prefix + $0 }
    }

    mutating func rest() -> String? {
        lines.rest().map { prefix + $0 }
    }
}

/// `K=V` options -> a dictionary.
func keyValues(_ pairs: [String]) throws -> [String: String] {
    var values: [String: String] = [:]
    for pair in pairs {
        guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else { throw ValidationError("expected K=V, not \(pair)") }
        values[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
    }
    return values
}
