import ArgumentParser
import Foundation

/// `depot configure`: saves a server URL and token as a named profile, so the CLI works from any directory.
struct ConfigureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "configure",
        abstract: "Save a server URL and token as a profile in ~/.config/depot/config.toml (mode 0600).",
        discussion: """
            Each setting is taken from its flag, else its variable (DEPOT_URL, DEPOT_TOKEN, DEPOT_CA_CERT), else the \
            profile named by --profile or DEPOT_PROFILE (the 'default' profile when neither is given), else \
            http://127.0.0.1:8080 and ./storage/admin.token for a server on this machine.
            """,
        subcommands: [Save.self, List.self, Remove.self], defaultSubcommand: Save.self)

    struct Save: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set", abstract: "Create or update a profile (the default command: 'depot configure --url URL --token T').")

        @Option(help: "Profile name: letters, digits, - and _.") var profile = "default"
        @Option(help: "Server URL, e.g. https://depot.example.com.") var url: String?
        @Option(help: "Token (visible to other users in the process list; prefer --token-stdin).") var token: String?
        @Flag(name: .customLong("token-stdin"), help: "Read the token from standard input.") var tokenFromStandardInput = false
        @Option(name: .customLong("ca-cert"), help: "PEM CA certificate(s) to trust for the server (stored as an absolute path).")
        var caCertificate: String?

        func validate() throws {
            guard CLIProfile.isValidName(profile) else { throw ValidationError("invalid profile name '\(profile)': letters, digits, - and _ only") }
            if token != nil, tokenFromStandardInput { throw ValidationError("give --token or --token-stdin, not both") }
        }

        func run() throws {
            let store = ProfileStore(environment: ProcessInfo.processInfo.environment)
            var file = try store.load()
            let existing = file[profile]
            var updated = existing ?? CLIProfile()
            if let url {
                let settings = ClientSettings(url: url)
                _ = try settings.baseURL()
                updated.url = url.hasSuffix("/") ? String(url.dropLast()) : url
            }
            guard updated.url != nil else {
                throw ClientError.usage("a new profile needs --url (depot configure --profile \(profile) --url URL --token TOKEN)")
            }
            if tokenFromStandardInput {
                let text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
                updated.token = text.trimmingCharacters(in: .whitespacesAndNewlines)
                guard updated.token?.isEmpty == false else { throw ClientError.usage("no token on standard input") }
            } else if let token {
                updated.token = token
            }
            if let caCertificate {
                let path = URL(fileURLWithPath: caCertificate).standardizedFileURL.path
                guard FileManager.default.isReadableFile(atPath: path) else { throw ClientError.usage("cannot read the CA certificate file \(path)") }
                updated.caCertificate = path
            }
            file[profile] = updated
            try store.save(file)
            print("\(existing == nil ? "Saved" : "Updated") profile '\(profile)' in \(store.path)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the profiles (tokens masked).")

        func run() throws {
            let file = try ProfileStore(environment: ProcessInfo.processInfo.environment).load()
            let rows: [[String: Any]] = file.names.compactMap { name in
                file[name].map { ["profile": name, "url": $0.url ?? "-", "token": CLIProfile.masked($0.token), "ca_cert": $0.caCertificate ?? "-"] }
            }
            Output.table(rows, columns: ["profile", "url", "token", "ca_cert"])
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a profile.")
        @Argument(help: "The profile to remove.") var profile: String

        func run() throws {
            let store = ProfileStore(environment: ProcessInfo.processInfo.environment)
            var file = try store.load()
            guard file[profile] != nil else { throw ClientError.usage("no profile '\(profile)' in \(store.path)") }
            file[profile] = nil
            try store.save(file)
            print("Removed profile '\(profile)' from \(store.path)")
        }
    }
}
