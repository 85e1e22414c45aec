import ArgumentParser

@main
struct DepotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "depot",
        abstract: "Depot: a package repository server for npm, PyPI, Maven, Cargo and Swift packages with a build executor, and its client.",
        subcommands: [
            ServeCommand.self, DomainCommand.self, RepoCommand.self, TokenCommand.self, PackageCommand.self, LoginCommand.self,
            BuildCommand.self, SecretCommand.self, SeedCommand.self,
        ])
}
