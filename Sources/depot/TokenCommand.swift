import ArgumentParser
import Foundation

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Create, list and revoke tokens.", subcommands: [Create.self, List.self, Revoke.self, AWSKeys.self])

    struct Create: AsyncParsableCommand {
        @OptionGroup var options: ClientOptions
        @Option var domain: String
        @Option(name: .customLong("repo"), help: "Limit to a repository (repeat).") var repositories: [String] = []
        @Option(name: .customLong("permission"), help: "read, publish or admin (repeat).") var permissions: [String] = ["read"]
        @Option(help: "Lifetime: seconds or 15m, 2h, ... (default 12h, the server's default).") var duration: String?
        @Option var name: String?
        @Flag(help: "Also print an AWS access key pair of the token (for the AWS CLI and SDKs), as AWS_* variables.") var aws = false

        func run() async throws {
            let body: [String: Any?] = [
                "repositories": repositories.isEmpty ? nil : repositories, "permissions": permissions,
                "durationSeconds": try duration.map(parseDuration), "name": name, "aws": aws ? true : nil,
            ]
            let result = try await options.client().call("POST", "api/v1/domains/\(segment(domain))/tokens", body: body)
            let fields = result as? [String: Any]
            if options.json {
                Output.json(result)
            } else if aws, let lines = awsKeyLines(fields) {
                print(lines)
            } else if let token = fields?["token"] as? String {
                print(token)
            }
        }
    }

    struct AWSKeys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "aws-keys", abstract: "Print the AWS access key pair of the token in use (same rights, expiry, revocation).")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let result = try await options.client().call("POST", "api/v1/aws-credentials")
            let fields = result as? [String: Any]
            if options.json {
                Output.json(result)
            } else if let lines = awsKeyLines(fields) {
                print(lines)
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

/// An AWS key pair as the environment variables the AWS CLI and SDKs read.
private func awsKeyLines(_ fields: [String: Any]?) -> String? {
    guard let keyID = fields?["accessKeyId"] as? String, let secret = fields?["secretAccessKey"] as? String else { return nil }
    return "AWS_ACCESS_KEY_ID=\(keyID)\nAWS_SECRET_ACCESS_KEY=\(secret)"
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
