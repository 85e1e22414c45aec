import ArgumentParser

@main
struct DepotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "depot",
        abstract: "Depot: a package repository server for npm, PyPI, Maven, Cargo and Swift packages with a build executor, and its client.",
        subcommands: [
            ServeCommand.self, ConfigureCommand.self, DomainCommand.self, RepoCommand.self, TokenCommand.self, PackageCommand.self,
            LoginCommand.self, BuildCommand.self, SecretCommand.self, SeedCommand.self, PipelineCommand.self,
        ])

    /// ArgumentParser's own main, except that failures are one `depot: ...` line with the exit code of their kind.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            CLIFailure.exit(error, command: self)
        }
    }
}
