import ArgumentParser
import DepotServer

struct RepoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repo", abstract: "Create, list, describe, update and delete repositories.",
        subcommands: [Create.self, List.self, Describe.self, Update.self, Delete.self, Cache.self])

    static let columns = ["name", "upstreams", "externalConnection", "allowAnonymousRead", "description"]

    struct Create: AsyncParsableCommand {
        @OptionGroup var options: ClientOptions
        @Option var domain: String
        @Argument var name: String
        @Option var description: String?
        @Option(help: "Upstream repository (repeat, in search order).") var upstream: [String] = []
        @Option(
            name: .customLong("external-connection"),
            help: "An external connection: \(registeredFormats().externalConnections.map(\.name).joined(separator: ", ")).")
        var externalConnection: String?
        @Flag(name: .customLong("anonymous-read"), help: "Allow reads without a token.") var anonymousRead = false

        func run() async throws {
            let body: [String: Any?] = [
                "name": name, "description": description, "upstreams": upstream, "externalConnection": externalConnection,
                "allowAnonymousRead": anonymousRead,
            ]
            let result = try await options.client().call("POST", "api/v1/domains/\(segment(domain))/repositories", body: body)
            Output.emit(result, json: options.json)
        }
    }

    struct Cache: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the upstream metadata the repository's external connection has cached.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var paging: PagingOptions
        @Option var domain: String
        @Argument var name: String

        func run() async throws {
            let result = try await options.client().list(
                "api/v1/domains/\(segment(domain))/repositories/\(segment(name))/upstream-cache", key: "documents", paging: paging)
            Output.emit(listing: result, json: options.json, list: "documents", columns: ["package", "found", "fetchedAt", "etag"])
        }
    }

    struct List: AsyncParsableCommand {
        @OptionGroup var options: ClientOptions
        @OptionGroup var paging: PagingOptions
        @Option var domain: String

        func run() async throws {
            let result = try await options.client().list("api/v1/domains/\(segment(domain))/repositories", key: "repositories", paging: paging)
            Output.emit(listing: result, json: options.json, list: "repositories", columns: RepoCommand.columns)
        }
    }

    struct Describe: AsyncParsableCommand {
        @OptionGroup var options: ClientOptions
        @Option var domain: String
        @Argument var name: String

        func run() async throws {
            let result = try await options.client().call("GET", "api/v1/domains/\(segment(domain))/repositories/\(segment(name))")
            Output.emit(result, json: options.json)
        }
    }

    struct Update: AsyncParsableCommand {
        @OptionGroup var options: ClientOptions
        @Option var domain: String
        @Argument var name: String
        @Option var description: String?
        @Option(help: "Replace the upstream list (repeat, in search order).") var upstream: [String] = []
        @Flag(name: .customLong("clear-upstreams")) var clearUpstreams = false
        @Option(name: .customLong("external-connection")) var externalConnection: String?
        @Flag(name: .customLong("remove-external-connection")) var removeExternalConnection = false
        @Option(name: .customLong("anonymous-read"), help: "true or false.") var anonymousRead: Bool?

        func run() async throws {
            var body: [String: Any?] = ["description": description, "allowAnonymousRead": anonymousRead]
            if !upstream.isEmpty || clearUpstreams { body["upstreams"] = upstream }
            if let externalConnection { body["externalConnection"] = externalConnection }
            let path = "api/v1/domains/\(segment(domain))/repositories/\(segment(name))"
            var result = try await options.client().call("PATCH", path, body: body)
            if removeExternalConnection {
                result = try await options.client().call("PATCH", path, body: ["externalConnection": NSNullValue.null])
            }
            Output.emit(result, json: options.json)
        }
    }

    struct Delete: AsyncParsableCommand {
        @OptionGroup var options: ClientOptions
        @Option var domain: String
        @Argument var name: String

        func run() async throws {
            let result = try await options.client().call("DELETE", "api/v1/domains/\(segment(domain))/repositories/\(segment(name))")
            Output.emit(result, json: options.json)
        }
    }
}
