import DepotCore
import Foundation
import Logging
import ServiceLifecycle

/// Once per start, in the background: deletes blobs older than an hour that no asset or build names (a crash
/// between a blob's rename and its record's commit leaves one). Younger blobs may be uploads in flight.
struct OrphanBlobSweep: Service {
    static let minimumAge: TimeInterval = 3600
    let collector: BlobCollector
    let logger: Logger

    func run() async throws {
        do {
            let deleted = try await collector.sweepOrphans(modifiedBefore: Date().addingTimeInterval(-Self.minimumAge))
            logger.notice("start-up blob sweep: deleted \(deleted) blobs no record references")
        } catch {
            logger.error("start-up blob sweep failed: \(error)")
        }
        // A service that returns would end the server: stay until shutdown.
        try? await gracefulShutdown()
    }
}
