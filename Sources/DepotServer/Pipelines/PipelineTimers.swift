import DepotBuild
import Foundation
import Logging

/// The pipeline service's background work: resume persisted executions once, then every second expire approvals
/// and, every `pollInterval`, look at the head of each polled source branch.
struct PipelineTimers: Sendable {
    let service: PipelineService
    let pollInterval: Duration
    let logger: Logger

    /// The loop holds the service weakly: a server (or test) that is dropped ends it.
    func start() {
        let pollInterval = self.pollInterval
        let logger = self.logger
        Task { [weak service] in
            do {
                try await service?.resume()
            } catch {
                logger.error("cannot resume the pipelines: \(error)")
            }
            var lastPoll = ContinuousClock.now
            while let current = service {
                await current.expireApprovals()
                if ContinuousClock.now - lastPoll >= pollInterval {
                    lastPoll = ContinuousClock.now
                    await Self.poll(current, logger: logger)
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    static func poll(_ service: PipelineService, logger: Logger) async {
        let exporter = GitSourceExporter(
            policy: service.gitSources, timeout: .seconds(60), scratchDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("depot-pipelines"))
        for polled in await service.polledSources() {
            do {
                let commit = try await exporter.headCommit(polled.source)
                _ = try await service.observed(commit: commit, of: polled.source, domain: polled.domain, pipeline: polled.pipeline)
            } catch {
                logger.warning("pipeline \(polled.domain)/\(polled.pipeline): cannot poll \(polled.source.branch): \(error)")
            }
        }
    }
}
