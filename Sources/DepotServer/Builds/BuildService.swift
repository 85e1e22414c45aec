import DepotBuild
import DepotCore
import Foundation
import Logging

/// Runs the server's builds: a queue served by `concurrency` workers; each build gets a copy (or clone) of its
/// project's source, its secrets, a token for its repository; its log and artifacts are written under
/// `<storage>/builds/<id>/` while it runs and moved into the blob store when it ends.
actor BuildService: BuildQueue {
    /// The most builds waiting for a worker: more are refused (409 `BuildQueueFull`) rather than queued without bound.
    static let maximumQueued = 1000
    private let store: any BuildStore
    private let keeper: BuildBlobKeeper
    private let executor: BuildExecutor
    private let cipher: SecretCipher
    private let root: URL
    private let concurrency: Int
    private let timeoutSeconds: Int
    private let sandbox: BuildSandbox
    private let storage: URL
    /// The private CA of the server's certificate (`server.tls.caCertificate`), handed to https builds.
    private let caCertificatePath: String?
    private let logger: Logger
    private var queue: [BuildJob] = []
    private var running: [String: (control: BuildControl, log: LiveBuildLog, task: Task<Void, Never>)] = [:]
    private var shuttingDown = false

    init(
        store: any BuildStore, keeper: BuildBlobKeeper, executor: BuildExecutor, cipher: SecretCipher, root: URL, concurrency: Int,
        timeoutSeconds: Int, sandbox: BuildSandbox, storage: URL, caCertificatePath: String?, logger: Logger
    ) {
        self.caCertificatePath = caCertificatePath
        self.storage = storage
        self.sandbox = sandbox
        self.store = store
        self.keeper = keeper
        self.executor = executor
        self.cipher = cipher
        self.root = root
        self.concurrency = max(1, concurrency)
        self.timeoutSeconds = timeoutSeconds
        self.logger = logger
    }

    func directory(of buildID: String) -> URL {
        root.appendingPathComponent(buildID.replacingOccurrences(of: ":", with: "-"))
    }

    func logFile(of buildID: String) -> URL { directory(of: buildID).appendingPathComponent("build.log") }

    func enqueue(_ job: BuildJob) async throws {
        guard !shuttingDown else {
            var build = job.build
            build.status = BuildStatus.stopped.rawValue
            build.endedAt = Date()
            try await store.updateBuild(build)
            return
        }
        queue.append(job)
        startWorkers()
    }

    /// The server is shutting down: queued builds are STOPPED, running ones stopped (their process groups
    /// killed) and recorded, log and artifacts stored, before this returns.
    func stopAll() async {
        guard !shuttingDown else {
            for build in running.values { await build.task.value }
            return
        }
        shuttingDown = true
        for job in queue {
            var build = job.build
            build.status = BuildStatus.stopped.rawValue
            build.endedAt = Date()
            try? await store.updateBuild(build)
        }
        queue.removeAll()
        let builds = running
        for (id, build) in builds {
            logger.notice("stopping build \(id): the server is shutting down")
            await build.log.append("[Container] Stopping the build: the server is shutting down")
            await build.control.stop()
        }
        for build in builds.values { await build.task.value }
    }

    /// Validates the overrides (a source version needs a git source), records a QUEUED build and queues it: the one
    /// way the API, the console and the AWS-compatible API start a build.
    func start(project: BuildProject, initiator: String, serverURL: String, overrides: BuildOverrides) async throws -> StoredBuild {
        try overrides.validate()
        guard queue.count < Self.maximumQueued else {
            throw DepotError.conflict("\(Self.maximumQueued) builds are already waiting for a worker: try again later", code: BuildQueueFull.code)
        }
        if overrides.sourceVersion != nil, project.gitURL == nil {
            throw DepotError.badRequest("sourceVersion needs a project whose source is a git repository", code: "InvalidSourceVersion")
        }
        let build = try await store.createBuild(
            id: "\(project.name):\(UUID().uuidString.lowercased())", domain: project.domain, project: project.name, initiator: initiator,
            overrides: overrides, at: Date())
        var built = project
        if let version = overrides.sourceVersion { built.gitRef = version }
        try await enqueue(BuildJob(build: build, project: built, serverURL: serverURL, overrides: overrides.environment))
        return build
    }

    /// The one way a build's log is read (the API's `logs`, the console, CloudWatch Logs' GetLogEvents): a running
    /// build's live log, else the blob its log was stored in once it ended.
    func openLog(of build: StoredBuild, follow: Bool) async throws -> BuildLogStream {
        var current = build
        // Following a queued build starts when a worker takes it.
        while follow, current.status == "QUEUED" {
            try await Task.sleep(for: .milliseconds(200))
            guard let next = try await store.build(domain: build.domain, id: build.id) else { break }
            current = next
        }
        if let log = running[build.id]?.log {
            if follow {
                let live = await log.follow()
                return BuildLogStream(existing: live.existing.map { BuildLogText($0) }, lines: live.lines)
            }
            return BuildLogStream(existing: await log.snapshot().map { BuildLogText($0) }, lines: nil)
        }
        // Not running: ended since it was looked up (its log is stored), or still queued (no log yet).
        current = try await store.build(domain: build.domain, id: build.id) ?? current
        guard current.hasEnded, let digest = current.result?.logSHA256, let reader = try keeper.blobs.openReader(sha256: digest) else {
            return BuildLogStream(existing: nil, lines: nil)
        }
        return BuildLogStream(existing: BuildLogText(reader), lines: nil)
    }

    /// Stops a queued or running build; false when it is neither.
    func stop(_ buildID: String) async throws -> Bool {
        if let index = queue.firstIndex(where: { $0.build.id == buildID }) {
            var build = queue.remove(at: index).build
            build.status = BuildStatus.stopped.rawValue
            build.endedAt = Date()
            try await store.updateBuild(build)
            return true
        }
        guard let control = running[buildID]?.control else { return false }
        await control.stop()
        return true
    }

    private func startWorkers() {
        while running.count < concurrency, !queue.isEmpty {
            let job = queue.removeFirst()
            let log = LiveBuildLog(file: logFile(of: job.build.id))
            let control = BuildControl()
            let task = Task { await self.run(job, control: control, log: log) }
            running[job.build.id] = (control, log, task)
        }
    }

    private func run(_ job: BuildJob, control: BuildControl, log: LiveBuildLog) async {
        var build = job.build
        build.status = BuildStatus.inProgress.rawValue
        build.startedAt = Date()
        try? await store.updateBuild(build)
        var result = await execute(job, control: control, log: log)
        if shuttingDown, result.status == .stopped { result.message = "stopped because the server shut down" }
        await log.finish()
        do {
            result = try await keeper.keep(result, log: logFile(of: build.id))
        } catch {
            logger.error("cannot store the log and artifacts of build \(build.id): \(error)")
        }
        build.status = result.status.rawValue
        build.endedAt = result.endTime
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        build.resultJSON = try? encoder.encode(result)
        do {
            try await store.updateBuild(build)
            // The blobs now hold the log and zips; the working copies would only double the disk use.
            if result.logSHA256 != nil { try? FileManager.default.removeItem(at: directory(of: build.id)) }
        } catch {
            logger.error("cannot record build \(build.id): \(error)")
        }
        running[build.id] = nil
        if !shuttingDown { startWorkers() }
    }

    private func execute(_ job: BuildJob, control: BuildControl, log: LiveBuildLog) async -> BuildResult {
        let directory = directory(of: job.build.id)
        let work = directory.appendingPathComponent("work")
        let source = work.appendingPathComponent("src")
        let start = Date()
        // The timeout covers the whole build: a hung `git clone` too, not only the phases.
        let watchdog = control.timeOut(after: .seconds(timeoutSeconds))
        defer { watchdog.cancel() }
        do {
            await log.append(BuildLogLine.phaseHeader(.downloadSource))
            try await BuildSource(project: job.project, control: control, storage: storage).fetch(into: source) { await log.append($0) }
            // An inline buildspec (the build's override, else the project's) replaces the file in the source.
            let inline = job.build.overrides.buildspec ?? job.project.inlineBuildspec
            let text = try inline ?? String(contentsOf: source.appendingPathComponent(job.project.buildspecPath), encoding: .utf8)
            let spec = try BuildspecParser.parse(text, file: inline == nil ? job.project.buildspecPath : "buildspec (inline)")
            var secrets: [String: String] = [:]
            for (_, name) in spec.env.secrets {
                guard let stored = try await store.secret(domain: job.build.domain, name: name) else { continue }
                secrets[name] = try cipher.open(stored.sealedValue, name: "\(job.build.domain)/\(name)")
            }
            var overrides = job.project.environment
            overrides.merge(job.overrides) { $1 }
            let request = BuildRequest(
                buildID: job.build.id, buildNumber: job.build.number, project: "\(job.build.domain)/\(job.project.name)", buildspec: spec,
                sourceDirectory: source, workDirectory: work.appendingPathComponent("scratch"),
                artifactsDirectory: directory.appendingPathComponent("artifacts"), hostEnvironment: ProcessInfo.processInfo.environment,
                overrides: overrides, secretValues: secrets, sourceVersion: job.project.gitRef, initiator: job.build.initiator,
                timeoutSeconds: timeoutSeconds,
                registry: RegistryEndpoints(
                    serverURL: job.serverURL, domain: job.build.domain, repository: job.project.repository,
                    caCertificatePath: job.serverURL.hasPrefix("https:") ? caCertificatePath : nil),
                sandbox: sandbox)
            var result = await executor.run(request, control: control) { await log.append($0) }
            result.startTime = start
            try? FileManager.default.removeItem(at: work)
            return result
        } catch {
            try? FileManager.default.removeItem(at: work)
            let status = await control.interruption?.status ?? .failed
            await log.append("[Container] Build \(status.rawValue): \(error)")
            return BuildResult(
                id: job.build.id, number: job.build.number, status: status, startTime: start, endTime: Date(),
                phases: [BuildPhaseRecord(phase: .downloadSource, status: status, startTime: start, endTime: Date(), message: "\(error)")],
                message: "\(error)")
        }
    }
}
