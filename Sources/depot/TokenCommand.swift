import ArgumentParser
import Foundation

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Create, list and revoke tokens.", subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        @OptionGroup var options: ClientOptions
        @Option var domain: String
        @Option(name: .customLong("repo"), help: "Limit to a repository (repeat).") var repositories: [String] = []
        @Option(name: .customLong("permission"), help: "read, publish or admin (repeat).") var permissions: [String] = ["read"]
        @Option(help: "Lifetime: seconds or 15m, 2h, ... (default 12h, the server's default).") var duration: String?
        @Option var name: String?

        func run() async throws {
            let body: [String: Any?] = [
                "repositories": repositories.isEmpty ? nil : repositories, "permissions": permissions,
                "durationSeconds": try duration.map(parseDuration), "name": name,
            ]
            let result = try await options.client().call("POST", "api/v1/domains/\(segment(domain))/tokens", body: body)
            if options.json {
                Output.json(result)
            } else if let token = (result as? [String: Any])?["token"] as? String {
                print(token)
            }
        }
    }

    struct List: AsyncParsableCommand {
        @OptionGroup var options: ClientOptions
        @OptionGroup var paging: PagingOptions
        @Option var domain: String

        func run() async throws {
            let result = try await options.client().list("api/v1/domains/\(segment(domain))/tokens", key: "tokens", paging: paging)
            Output.emit(
                listing: result, json: options.json, list: "tokens",
                columns: ["id", "name", "permissions", "repositories", "status", "expiresAt"])
        }
    }

    struct Revoke: AsyncParsableCommand {
        @OptionGroup var options: ClientOptions
        @Option var domain: String
        @Argument var id: String

        func run() async throws {
            let result = try await options.client().call("DELETE", "api/v1/domains/\(segment(domain))/tokens/\(segment(id))")
            Output.emit(result, json: options.json)
        }
    }
}

/// `900`, `15m`, `2h`, `1d` -> seconds.
func parseDuration(_ text: String) throws -> Double {
    let units: [(String, Double)] = [("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
    for (suffix, factor) in units where text.hasSuffix(suffix) {
        if let number = Double(text.dropLast()) { return number * factor }
    }
    guard let seconds = Double(text) else { throw ValidationError("invalid duration '\(text)' (use 900, 15m, 2h)") }
    return seconds
}

/// JSON null in a request body.
enum NSNullValue {
    static let null = NSNull()
}
