import DepotCore
import Foundation

/// A running build's log: appended to its file and handed to whoever follows it live.
actor LiveBuildLog {
    private let file: URL
    private let handle: FileHandle?
    private var followers: [UUID: AsyncStream<String>.Continuation] = [:]
    private var finished = false
    /// The log's length once finished: the closed handle no longer tells, and a follower may still come.
    private var finalSize: UInt64 = 0

    init(file: URL) {
        self.file = file
        try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: file.path, contents: nil, attributes: [.posixPermissions: 0o600])
        handle = FileHandle(forWritingAtPath: file.path)
    }

    func append(_ line: String) {
        try? handle?.write(contentsOf: Data((line + "\n").utf8))
        for continuation in followers.values { continuation.yield(line) }
    }

    /// How many bytes of the file are the log so far, and the lines after them, ending when the build does
    /// (taken together, so none is lost). The bytes are read in chunks by the caller: a log can be large.
    func follow() -> (existing: LogFileReader?, lines: AsyncStream<String>) {
        let existing = snapshot()
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        if finished {
            continuation.finish()
        } else {
            let id = UUID()
            followers[id] = continuation
            continuation.onTermination = { _ in Task { await self.unfollow(id) } }
        }
        return (existing, stream)
    }

    /// The log so far, without following it.
    func snapshot() -> LogFileReader? {
        LogFileReader(file: file, limit: finished ? finalSize : ((try? handle?.offset()) ?? 0))
    }

    private func unfollow(_ id: UUID) {
        followers[id] = nil
    }

    func finish() {
        finished = true
        finalSize = (try? handle?.offset()) ?? 0
        try? handle?.close()
        for continuation in followers.values { continuation.finish() }
        followers.removeAll()
    }
}

/// Reads a log file (or its first `limit` bytes) in chunks, for a streamed response.
/// Used by one response at a time, read after read, so unchecked.
final class LogFileReader: BlobReader, @unchecked Sendable {
    private let handle: FileHandle
    private var remaining: Int64
    let size: Int64

    init?(file: URL, limit: UInt64? = nil) {
        guard let handle = FileHandle(forReadingAtPath: file.path), let end = try? handle.seekToEnd() else { return nil }
        try? handle.seek(toOffset: 0)
        self.handle = handle
        size = Int64(min(end, limit ?? end))
        remaining = size
    }

    func read(maxLength: Int) throws -> [UInt8] {
        guard remaining > 0 else { return [] }
        let data = try handle.read(upToCount: Int(min(Int64(maxLength), remaining))) ?? Data()
        remaining -= Int64(data.count)
        return [UInt8](data)
    }

    func close() {
        try? handle.close()
    }
}
