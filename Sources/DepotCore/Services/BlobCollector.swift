import Foundation
import Logging

/// Decides when a blob may go: only when no asset references it. Blob commits that precede a metadata write
/// and the check-then-delete here run under one lock, so a cleanup can never remove a blob that a
/// concurrent publish of the same bytes is about to record.
public struct BlobCollector: Sendable {
    let store: any MetadataStore
    let blobs: any BlobStore
    let lock: AsyncMutex
    let logger: Logger

    public init(store: any MetadataStore, blobs: any BlobStore, logger: Logger) {
        self.store = store
        self.blobs = blobs
        self.lock = AsyncMutex()
        self.logger = logger
    }

    /// Runs `body` (blob commits followed by the metadata write that references them) under the lock.
    public func whileReferencing<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await lock.withLock(body)
    }

    /// Deletes blobs written before `date` that nothing references: left by a crash between a blob's rename
    /// and its record's commit. Only old ones, so that uploads in flight (committed, not yet recorded) are safe.
    public func sweepOrphans(modifiedBefore date: Date) async throws -> Int {
        try await deleteUnreferenced(blobs.digests(modifiedBefore: date))
    }

    /// Deletes the blobs among `digests` that no asset references any more; returns how many went.
    @discardableResult
    public func deleteUnreferenced(_ digests: [String]) async -> Int {
        let unique = Set(digests)
        guard !unique.isEmpty else { return 0 }
        let store = self.store
        let blobs = self.blobs
        let logger = self.logger
        return await lock.withLock {
            var deleted = 0
            for digest in unique {
                do {
                    if try await !store.isBlobReferenced(sha256: digest) {
                        try blobs.delete(sha256: digest)
                        deleted += 1
                    }
                } catch {
                    logger.warning("could not delete unreferenced blob", metadata: ["sha256": "\(digest)", "error": "\(error)"])
                }
            }
            return deleted
        }
    }
}
