import DepotBuild
import DepotCore
import Foundation

/// Moves a finished build's log and artifact zips into the blob store and records them as the build's, so
/// the package blob collector never deletes them.
struct BuildBlobKeeper: Sendable {
    let blobs: any BlobStore
    let store: any BuildStore
    let collector: BlobCollector

    /// Stores the log and each artifact, returning the result with their digests (artifact locations become
    /// blob keys). The local files are left for the caller to remove.
    func keep(_ result: BuildResult, log: URL) async throws -> BuildResult {
        var result = result
        let store = self.store
        let buildID = result.id
        let files = [log] + result.artifacts.map { URL(fileURLWithPath: $0.location) }
        // Copied (and fsynced) outside the collector's lock, which package publishes wait for.
        let staged = StagedBlobs()
        defer { staged.discard() }
        for file in files { try staged.add(file, to: blobs) }
        let digests = staged.digests
        // Commit and record under the lock: a concurrent cleanup of the same bytes must see the reference.
        try await collector.whileReferencing {
            try staged.commit()
            try await store.addBuildBlobs(buildID: buildID, sha256: digests.map(\.sha256))
        }
        result.logSHA256 = digests[0].sha256
        result.logSize = digests[0].size
        for index in result.artifacts.indices {
            result.artifacts[index].sha256 = digests[index + 1].sha256
            result.artifacts[index].size = digests[index + 1].size
            result.artifacts[index].location = digests[index + 1].sha256
        }
        return result
    }
}

/// Finished, uncommitted blob writers of one build; used by one task at a time (the lock's body runs while
/// `keep` waits for it).
private final class StagedBlobs: @unchecked Sendable {
    private var writers: [any BlobWriter] = []
    private(set) var digests: [BlobDigests] = []

    /// Streams one file into a new writer in 64 KiB chunks (a zip can be large) and finishes it.
    func add(_ file: URL, to blobs: any BlobStore) throws {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        let writer = try blobs.makeWriter()
        writers.append(writer)
        while let chunk = try handle.read(upToCount: 64 * 1024), !chunk.isEmpty {
            try writer.write(chunk)
        }
        digests.append(try writer.finish())
    }

    func commit() throws {
        for writer in writers { try writer.commit() }
    }

    func discard() {
        for writer in writers { writer.discard() }
    }
}
