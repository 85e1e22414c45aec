import ArgumentParser

struct PackageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "package", abstract: "Inspect and manage packages and versions.",
        subcommands: [
            List.self, Describe.self, Versions.self, DescribeVersion.self, SetStatus.self, DeleteVersion.self, Dispose.self,
            Copy.self, Origin.self, Yank.self, Unyank.self,
        ])

    /// Options naming one package in one repository.
    struct Target: ParsableArguments {
        @Option var domain: String
        @Option(name: .customLong("repo")) var repository: String
        @Option var format: String = "npm"
        @Argument(help: "Full package name as its format writes it: @scope/name (npm), group:artifact (Maven), scope.name (Swift).")
        var package: String

        var path: String {
            "api/v1/domains/\(segment(domain))/repositories/\(segment(repository))/packages/\(segment(format))/\(segment(package))"
        }
    }

    struct List: AsyncParsableCommand {
        @OptionGroup var options: ClientOptions
        @OptionGroup var paging: PagingOptions
        @Option var domain: String
        @Option(name: .customLong("repo")) var repository: String
        @Option var format: String?
        @Option var namespace: String?
        @Option var prefix: String?

        func run() async throws {
            let result = try await options.client().list(
                "api/v1/domains/\(segment(domain))/repositories/\(segment(repository))/packages", key: "packages",
                query: ["format": format, "namespace": namespace, "prefix": prefix], paging: paging)
            Output.emit(listing: result, json: options.json, list: "packages", columns: ["format", "package", "latestVersion", "versionCount"])
        }
    }

    struct Describe: AsyncParsableCommand {
        @OptionGroup var options: ClientOptions
        @OptionGroup var target: Target

        func run() async throws {
            Output.emit(try await options.client().call("GET", target.path), json: options.json)
        }
    }

    struct Versions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a package's versions, oldest published first.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var paging: PagingOptions
        @OptionGroup var target: Target
        @Option var status: String?

        func run() async throws {
            let result = try await options.client().list(target.path + "/versions", key: "versions", query: ["status": status], paging: paging)
            Output.emit(listing: result, json: options.json, list: "versions", columns: ["version", "status", "origin", "publishedAt"])
        }
    }

    struct DescribeVersion: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "describe-version")
        @OptionGroup var options: ClientOptions
        @OptionGroup var target: Target
        @Option var version: String

        func run() async throws {
            let result = try await options.client().call("GET", target.path + "/versions/\(segment(version))")
            Output.emit(result, json: options.json)
        }
    }

    struct SetStatus: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-status")
        @OptionGroup var options: ClientOptions
        @OptionGroup var target: Target
        @Option var version: String
        @Option(help: "Published, Unlisted or Archived.") var status: String

        func run() async throws {
            let result = try await options.client().call(
                "PATCH", target.path + "/versions/\(segment(version))", body: ["status": status])
            Output.emit(result, json: options.json)
        }
    }

    struct DeleteVersion: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete-version")
        @OptionGroup var options: ClientOptions
        @OptionGroup var target: Target
        @Option var version: String

        func run() async throws {
            Output.emit(try await options.client().call("DELETE", target.path + "/versions/\(segment(version))"), json: options.json)
        }
    }

    struct Dispose: AsyncParsableCommand {
        @OptionGroup var options: ClientOptions
        @OptionGroup var target: Target
        @Option var version: String

        func run() async throws {
            let result = try await options.client().call("POST", target.path + "/versions/\(segment(version))/dispose")
            Output.emit(result, json: options.json)
        }
    }

    struct Copy: AsyncParsableCommand {
        @OptionGroup var options: ClientOptions
        @Option var domain: String
        @Option(name: .customLong("from")) var source: String
        @Option(name: .customLong("to")) var destination: String
        @Option var format: String = "npm"
        @Option(name: .customLong("version"), help: "Version to copy (repeat).") var versions: [String]
        @Argument var package: String

        func run() async throws {
            let body: [String: Any?] = [
                "sourceRepository": source, "destinationRepository": destination, "format": format, "package": package,
                "versions": versions,
            ]
            Output.emit(try await options.client().call("POST", "api/v1/domains/\(segment(domain))/copy", body: body), json: options.json)
        }
    }

    struct Origin: AsyncParsableCommand {
        @OptionGroup var options: ClientOptions
        @OptionGroup var target: Target
        @Option(help: "ALLOW or BLOCK direct publishing.") var publish: String?
        @Option(help: "ALLOW or BLOCK versions from upstreams.") var upstream: String?

        func run() async throws {
            let client = try options.client()
            var result = try await client.call("GET", target.path)
            if publish != nil || upstream != nil {
                let current = (result as? [String: Any])?["originConfiguration"] as? [String: Any] ?? [:]
                result = try await client.call(
                    "PUT", target.path + "/origin",
                    body: ["publish": publish ?? current["publish"], "upstream": upstream ?? current["upstream"]])
            }
            let controls = (result as? [String: Any])?["originConfiguration"] ?? result
            Output.emit(controls, json: options.json)
        }
    }

    /// Yank of a version (or one of its files) for the formats that yank (PyPI's PEP 592, Cargo): resolvers skip it,
    /// exact pins and lockfiles still install it.
    struct Yank: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Yank a version (PyPI, Cargo): new resolutions skip it, pinned installs and lockfiles still get it.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var target: Target
        @Option var version: String
        @Option(help: "Only this file of the version.") var file: String?
        @Option var reason: String?

        func run() async throws {
            let result = try await options.client().call("POST", target.yankPath(version), body: ["reason": reason, "file": file])
            Output.emit(result, json: options.json, list: "files", columns: ["file", "yanked"])
        }
    }

    struct Unyank: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Undo a yank (PyPI, Cargo).")
        @OptionGroup var options: ClientOptions
        @OptionGroup var target: Target
        @Option var version: String
        @Option(help: "Only this file of the version.") var file: String?

        func run() async throws {
            let result = try await options.client().call("DELETE", target.yankPath(version), query: ["file": file])
            Output.emit(result, json: options.json, list: "files", columns: ["file", "yanked"])
        }
    }
}

extension PackageCommand.Target {
    func yankPath(_ version: String) -> String {
        path + "/versions/\(segment(version))/yank"
    }
}
