import ArgumentParser
import Foundation

/// `depot secret put|list|delete`: per-domain build secrets (values are write-only).
struct SecretCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secret", abstract: "Manage build secrets (buildspec env.secrets).", subcommands: [Put.self, List.self, Delete.self])

    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a secret; the value is read from stdin unless --value is given.")
        @OptionGroup var options: ClientOptions
        @Option var domain: String
        @Argument var name: String
        @Option(help: "The value (visible in the process list; prefer stdin).") var value: String?

        func run() async throws {
            var secret = value
            if secret == nil {
                let data = FileHandle.standardInput.readDataToEndOfFile()
                secret = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
            }
            guard let secret, !secret.isEmpty else { throw ValidationError("an empty secret") }
            let result = try await options.client().call(
                "PUT", "api/v1/domains/\(segment(domain))/secrets/\(segment(name))", body: ["value": secret])
            Output.emit(result, json: options.json)
        }
    }

    struct List: AsyncParsableCommand {
        @OptionGroup var options: ClientOptions
        @OptionGroup var paging: PagingOptions
        @Option var domain: String

        func run() async throws {
            let result = try await options.client().list("api/v1/domains/\(segment(domain))/secrets", key: "secrets", paging: paging)
            Output.emit(listing: result, json: options.json, list: "secrets", columns: ["name", "updatedAt"])
        }
    }

    struct Delete: AsyncParsableCommand {
        @OptionGroup var options: ClientOptions
        @Option var domain: String
        @Argument var name: String

        func run() async throws {
            Output.emit(try await options.client().call("DELETE", "api/v1/domains/\(segment(domain))/secrets/\(segment(name))"), json: options.json)
        }
    }
}
