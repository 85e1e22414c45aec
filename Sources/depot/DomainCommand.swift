import ArgumentParser

struct DomainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domain", abstract: "Create, list, describe and delete domains.",
        subcommands: [Create.self, List.self, Describe.self, Delete.self])

    struct Create: AsyncParsableCommand {
        @OptionGroup var options: ClientOptions
        @Argument(help: "Domain name.") var name: String

        func run() async throws {
            let result = try await options.client().call("POST", "api/v1/domains", body: ["name": name])
            Output.emit(result, json: options.json)
        }
    }

    struct List: AsyncParsableCommand {
        @OptionGroup var options: ClientOptions
        @OptionGroup var paging: PagingOptions

        func run() async throws {
            let result = try await options.client().list("api/v1/domains", key: "domains", paging: paging)
            Output.emit(listing: result, json: options.json, list: "domains", columns: ["name", "createdAt"])
        }
    }

    struct Describe: AsyncParsableCommand {
        @OptionGroup var options: ClientOptions
        @Argument var name: String

        func run() async throws {
            Output.emit(try await options.client().call("GET", "api/v1/domains/\(segment(name))"), json: options.json)
        }
    }

    struct Delete: AsyncParsableCommand {
        @OptionGroup var options: ClientOptions
        @Argument var name: String

        func run() async throws {
            Output.emit(try await options.client().call("DELETE", "api/v1/domains/\(segment(name))"), json: options.json)
        }
    }
}
