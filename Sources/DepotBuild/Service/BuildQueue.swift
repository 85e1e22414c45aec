import DepotCore
import Foundation

/// The server's build service as the modules beside it see it (the AWS-compatible API): start a build of a project,
/// stop one, read one's log. Authorization is the caller's: it checks the project's repository first.
public protocol BuildQueue: Sendable {
    /// Validates the overrides, records a QUEUED build and queues it.
    func start(project: BuildProject, initiator: String, serverURL: String, overrides: BuildOverrides) async throws -> StoredBuild
    /// Stops a queued or running build; false when it is neither.
    func stop(_ buildID: String) async throws -> Bool
    /// A build's log. Without `follow`: what it holds so far (a running build's bytes written until now, an ended
    /// one's stored log, nothing for a queued one). With `follow`: it first waits while the build is queued, then a
    /// running build's bytes so far and each line it writes next until it ends (or an ended one's stored log).
    func openLog(of build: StoredBuild, follow: Bool) async throws -> BuildLogStream
}

/// A build's log as `BuildQueue.openLog` hands it out: the bytes so far, then (when followed) the lines to come.
public struct BuildLogStream: Sendable {
    /// Closed by the caller.
    public var existing: BuildLogText?
    /// nil when the log is complete (or was not followed).
    public var lines: AsyncStream<String>?

    public init(existing: BuildLogText?, lines: AsyncStream<String>?) {
        self.existing = existing
        self.lines = lines
    }
}

/// The error code of a start refused because too many builds are waiting (CodeBuild's AccountLimitExceededException).
public enum BuildQueueFull {
    public static let code = "BuildQueueFull"
}

/// A build's log bytes, read in chunks.
public final class BuildLogText: @unchecked Sendable {
    private let reader: any BlobReader

    public init(_ reader: any BlobReader) {
        self.reader = reader
    }

    public var size: Int64 { reader.size }
    public func read(maxLength: Int) throws -> [UInt8] { try reader.read(maxLength: maxLength) }
    /// Moves `count` bytes forward (at most to the end).
    public func skip(_ count: Int64) throws { try reader.skip(min(count, reader.size)) }
    public func close() { reader.close() }
    /// The reader itself, for a streamed response.
    public var blobReader: any BlobReader { reader }
}

extension StoredBuild {
    /// The recorded result (phases, exported variables, reports, artifacts, the stored log) once the build has ended.
    public var result: BuildResult? {
        guard let resultJSON else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(BuildResult.self, from: resultJSON)
    }

    /// True once the build has ended, whatever its outcome.
    public var hasEnded: Bool { !["QUEUED", "IN_PROGRESS"].contains(status) }
}
