import ArgumentParser
import DepotBuild
import DepotClientConfig
import DepotCore
import DepotServer
import Foundation

/// `depot build ...`: run a buildspec locally against a Depot server (and, on the server, projects' builds).
struct BuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build", abstract: "Run CodeBuild-style buildspec builds that resolve from and publish to Depot.",
        subcommands: [
            BuildRunCommand.self, BuildCreateProjectCommand.self, BuildProjectsCommand.self, BuildStartCommand.self,
            BuildLogsCommand.self, BuildDescribeCommand.self, BuildListCommand.self, BuildStopCommand.self,
        ])
}

/// `depot build run`: runs a buildspec here, in the source directory, wired to one Depot repository with a token
/// minted for this build alone; streams the log with phase headers and ends with a summary.
struct BuildRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run a buildspec locally against a Depot repository.")

    @OptionGroup var options: ClientOptions
    @Option(help: "The buildspec (default: buildspec.yml in the source directory).") var buildspec: String?
    @Option(help: "The source directory commands run in (default: the current directory).") var source: String?
    @Option var domain: String
    @Option(name: .customLong("repo")) var repository: String
    @Option(name: .customLong("env"), help: "A variable for the build, K=V (repeat); wins over the buildspec's.") var variables: [String] = []
    @Option(name: .customLong("secret"), help: "A value for a secret the buildspec names, NAME=VALUE (repeat); masked in the log.")
    var secrets: [String] = []
    @Option(help: "Where artifact zips, build.log and build.json go (default: a new temporary directory).") var artifactsDir: String?
    @Option(help: "Build timeout: seconds or 15m, 2h (default 60m).") var timeout: String = "60m"
    @Option(help: "The project name the cache is kept under (default: the source directory's name).") var project: String?
    @Option(help: "Where the build cache is kept (default: ~/.cache/depot/build-cache).") var cacheDir: String?
    @Option(help: "Where commands run: bubblewrap (the default when bwrap is installed: only the source and a scratch directory are writable) or none.")
    var sandbox: String?

    func run() async throws {
        let sourceDirectory = URL(fileURLWithPath: source ?? FileManager.default.currentDirectoryPath).standardizedFileURL
        let specPath = buildspec.map { URL(fileURLWithPath: $0, relativeTo: sourceDirectory).standardizedFileURL.path }
            ?? sourceDirectory.appendingPathComponent("buildspec.yml").path
        let spec: Buildspec
        do {
            let text = try String(contentsOfFile: specPath, encoding: .utf8)
            spec = try BuildspecParser.parse(text, file: specPath)
        } catch let error as BuildspecError {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(2)
        } catch {
            throw ValidationError("cannot read the buildspec \(specPath): \(error.localizedDescription)")
        }
        let overrides = try keyValues(variables)
        do {
            try BuildEnvironment.validateOverrides(overrides)
        } catch let error as DepotError {
            throw ValidationError(error.message)
        }
        let buildSandbox: BuildSandbox
        switch sandbox {
        case nil, "bubblewrap":
            buildSandbox = BuildSandbox.preferred()
            if sandbox != nil, buildSandbox == .none { throw ValidationError("--sandbox bubblewrap: bwrap is not installed") }
        case "none":
            buildSandbox = .none
        default:
            throw ValidationError("--sandbox must be bubblewrap or none")
        }
        let timeoutSeconds = Int(try parseDuration(timeout))
        guard timeoutSeconds > 0 else { throw ValidationError("--timeout must be positive") }

        let client = try options.client()
        let buildID = "\(project ?? sourceDirectory.lastPathComponent):\(UUID().uuidString.lowercased())"
        let temporary = FileManager.default.temporaryDirectory
        let outputDirectory = artifactsDir.map { URL(fileURLWithPath: $0).standardizedFileURL }
            ?? temporary.appendingPathComponent("depot-build-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
        let environment = ProcessInfo.processInfo.environment
        let cacheRoot = cacheDir.map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: environment["HOME"] ?? temporary.path).appendingPathComponent(".cache/depot/build-cache")
        let request = BuildRequest(
            buildID: buildID, buildNumber: 1, project: project ?? sourceDirectory.lastPathComponent, buildspec: spec,
            sourceDirectory: sourceDirectory, workDirectory: temporary.appendingPathComponent("depot-build-work-\(UUID().uuidString)"),
            artifactsDirectory: outputDirectory, hostEnvironment: environment, overrides: overrides, secretValues: try keyValues(secrets),
            sourceVersion: gitHead(sourceDirectory), initiator: "depot-cli/\(environment["USER"] ?? "unknown")",
            timeoutSeconds: timeoutSeconds,
            registry: RegistryEndpoints(
                serverURL: client.baseURL.absoluteString, domain: domain, repository: repository, caCertificatePath: try options.privateCACertificate()),
            sandbox: buildSandbox)

        let logPath = outputDirectory.appendingPathComponent("build.log").path
        let log = BuildLogFile(path: logPath, echo: !options.json)
        let control = BuildControl()
        let interrupt = stopOnInterrupt(control)
        let executor = BuildExecutor(
            tokenIssuer: APIBuildTokenIssuer(client: client), cacheStore: BuildCacheStore(root: cacheRoot), clients: registeredFormats().clients)
        let result = await executor.run(request, control: control) { await log.append($0) }
        interrupt.cancel()
        await log.close()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let json = try encoder.encode(result)
        try json.write(to: outputDirectory.appendingPathComponent("build.json"))
        if options.json {
            print(String(decoding: json, as: UTF8.self))
        } else {
            print(BuildSummary.text(result, logFile: logPath))
        }
        if result.status != .succeeded { throw ExitCode(1) }
    }

    /// Ctrl-C stops the build (STOPPED, processes killed) instead of leaving its processes behind.
    private func stopOnInterrupt(_ control: BuildControl) -> DispatchSourceSignal {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT)
        source.setEventHandler { Task { await control.stop() } }
        source.resume()
        return source
    }

    private func gitHead(_ directory: URL) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory.path, "rev-parse", "HEAD"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
