import DepotClientConfig
import Foundation

/// Runs one build from start to end: PROVISIONING (HOME, build token, registry files, cache restore), the
/// command phases, UPLOAD_ARTIFACTS (reports, artifact zips; attempted after a failure too), FINALIZING (cache
/// save, token revocation, scratch removal). The token and secret values are masked in every log line.
public struct BuildExecutor: Sendable {
    public var tokenIssuer: (any BuildTokenIssuer)?
    public var cacheStore: BuildCacheStore?
    /// The formats whose clients a build with a registry is wired to, each with its files and variables.
    public var clients: [any ClientConfigurator]

    public init(tokenIssuer: (any BuildTokenIssuer)?, cacheStore: BuildCacheStore?, clients: [any ClientConfigurator]) {
        self.tokenIssuer = tokenIssuer
        self.cacheStore = cacheStore
        self.clients = clients
    }

    public func run(_ request: BuildRequest, control: BuildControl = BuildControl(), log sink: @escaping @Sendable (String) async -> Void)
        async -> BuildResult
    {
        let start = Date()
        var result = BuildResult(id: request.buildID, number: request.buildNumber, status: .inProgress, startTime: start, endTime: start)
        let home = request.workDirectory.appendingPathComponent("home")
        let secrets = request.buildspec.env.secrets.compactMap { request.secretValues[$0.secret] }
        var logger = BuildLogger(masker: LogMasker(secrets: secrets), sink: sink)

        // PROVISIONING
        var phaseStart = Date()
        await logger.phaseHeader(.provisioning)
        var token: BuildToken?
        var environment: [String: String] = [:]
        do {
            // A build stopped (or timed out) before it got here, while its source was fetched, gets no token.
            if let interruption = await control.interruption { throw BuildInterrupted(interruption: interruption) }
            let secretVariables = try resolveSecrets(request)
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
            var registryVariables: [String: String] = [:]
            if let registry = request.registry, let tokenIssuer {
                let issued = try await tokenIssuer.issue(
                    domain: registry.domain, repository: registry.repository, lifetimeSeconds: max(request.timeoutSeconds, 900),
                    buildID: request.buildID)
                token = issued
                logger = logger.with(masker: LogMasker(secrets: secrets + [issued.value]))
                let wiring = RegistryWiring(endpoints: registry, token: issued.value, clients: clients)
                try wiring.write(home: home)
                registryVariables = wiring.environment(home: home)
                let endpoints = clients.map { "\(registry.url(for: $0)) (\($0.tools.map(\.name).joined(separator: ", ")))" }
                await logger.note("Registry: " + endpoints.joined(separator: ", "))
            }
            if let cache = request.buildspec.cache, let cacheStore {
                result.cacheRestoredFrom = try cacheStore.restore(project: request.project, cache: cache, sourceDirectory: request.sourceDirectory, home: home)
                await logger.note(result.cacheRestoredFrom.map { "Restored cache \($0)" } ?? "No cache to restore")
            }
            environment = BuildEnvironment(
                buildID: request.buildID, buildNumber: request.buildNumber, sourceDirectory: request.sourceDirectory, home: home,
                sourceVersion: request.sourceVersion, resolvedSourceVersion: request.resolvedSourceVersion, initiator: request.initiator,
                startTime: start
            ).variables(
                host: request.hostEnvironment, buildspec: request.buildspec.env, overrides: request.overrides, secrets: secretVariables,
                registry: registryVariables)
            result.phases.append(BuildPhaseRecord(phase: .provisioning, status: .succeeded, startTime: phaseStart, endTime: Date()))
        } catch let error as BuildInterrupted {
            await logger.note("Phase complete: PROVISIONING State: \(error.interruption.status.rawValue)")
            result.phases.append(
                BuildPhaseRecord(phase: .provisioning, status: error.interruption.status, startTime: phaseStart, endTime: Date(), message: "\(error)"))
            result.status = error.interruption.status
            result.message = "\(error)"
        } catch {
            await logger.note("Phase complete: PROVISIONING State: FAILED (\(error))")
            result.phases.append(BuildPhaseRecord(phase: .provisioning, status: .fault, startTime: phaseStart, endTime: Date(), message: "\(error)"))
            result.status = .fault
            result.message = "provisioning failed: \(error)"
        }

        if result.status == .inProgress {
            let runner = PhaseRunner(
                buildspec: request.buildspec, workingDirectory: request.sourceDirectory, environment: environment,
                scriptDirectory: request.workDirectory.appendingPathComponent("commands"), timeout: .seconds(request.timeoutSeconds),
                sandbox: request.sandbox, writableDirectories: [request.sourceDirectory, request.workDirectory])
            let outcome = await runner.run(logger: logger, control: control)
            result.phases += outcome.phases
            result.exportedVariables = outcome.exportedVariables
            result.status = outcome.status
            result.message = outcome.phases.last(where: { $0.status != .succeeded })?.message
            if outcome.status == .succeeded || outcome.status == .failed {
                phaseStart = Date()
                await logger.phaseHeader(.uploadArtifacts)
                let upload = await uploadArtifacts(request, logger: logger, result: &result)
                result.phases.append(BuildPhaseRecord(phase: .uploadArtifacts, status: upload == nil ? .succeeded : .failed, startTime: phaseStart, endTime: Date(), message: upload))
                if let upload, result.status == .succeeded {
                    result.status = .failed
                    result.message = upload
                }
            }
        }

        // FINALIZING
        phaseStart = Date()
        await logger.phaseHeader(.finalizing)
        if let cache = request.buildspec.cache, let cacheStore, result.status == .succeeded || result.status == .failed {
            do {
                try cacheStore.save(project: request.project, cache: cache, sourceDirectory: request.sourceDirectory, home: home)
                await logger.note("Saved cache \(cache.key ?? "default")")
            } catch {
                await logger.note("Could not save the cache: \(error)")
            }
        }
        if let token, let registry = request.registry {
            do {
                try await tokenIssuer?.revoke(token, domain: registry.domain)
            } catch {
                await logger.note("Could not revoke the build token: \(error)")
            }
        }
        try? FileManager.default.removeItem(at: request.workDirectory)
        result.phases.append(BuildPhaseRecord(phase: .finalizing, status: .succeeded, startTime: phaseStart, endTime: Date()))
        result.endTime = Date()
        await logger.note("Build \(result.status.rawValue)")
        return result
    }

    private func resolveSecrets(_ request: BuildRequest) throws -> [String: String] {
        var values: [String: String] = [:]
        var missing: [String] = []
        for (name, secret) in request.buildspec.env.secrets {
            if let value = request.secretValues[secret] { values[name] = value } else { missing.append(secret) }
        }
        guard missing.isEmpty else { throw BuildSetupError(message: "unknown secrets: \(missing.joined(separator: ", "))") }
        return values
    }

    /// Reads reports and packs artifacts; returns why artifacts failed, or nil.
    private func uploadArtifacts(_ request: BuildRequest, logger: BuildLogger, result: inout BuildResult) async -> String? {
        let collected = ReportCollector(sourceDirectory: request.sourceDirectory).collect(request.buildspec.reports)
        result.reports = collected.reports
        for error in collected.errors { await logger.note(error) }
        for report in collected.reports {
            await logger.note("Report \(report.group): \(report.total) tests, \(report.passed) passed, \(report.failed) failed, \(report.skipped) skipped")
        }
        guard let artifacts = request.buildspec.artifacts else { return nil }
        do {
            result.artifacts = try ArtifactPackager(sourceDirectory: request.sourceDirectory, outputDirectory: request.artifactsDirectory).package(artifacts)
            for artifact in result.artifacts { await logger.note("Artifact \(artifact.name): \(artifact.files.count) files, \(artifact.size) bytes") }
            return nil
        } catch {
            await logger.note("Artifacts: \(error)")
            return "\(error)"
        }
    }
}

/// The build was stopped or timed out before its phases ran.
public struct BuildInterrupted: Error, CustomStringConvertible {
    public let interruption: BuildInterruption

    public init(interruption: BuildInterruption) {
        self.interruption = interruption
    }

    public var description: String { interruption == .timedOut ? "the build timed out" : "the build was stopped" }
}

struct BuildSetupError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
