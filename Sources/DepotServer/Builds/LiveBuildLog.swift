import Foundation

/// A running build's log: appended to its file and handed to whoever follows it live.
actor LiveBuildLog {
    private let file: URL
    private let handle: FileHandle?
    private var followers: [UUID: AsyncStream<String>.Continuation] = [:]
    private var finished = false

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

    /// The log so far and the lines after it, ending when the build does (taken together, so none is lost).
    func follow() -> (existing: Data, lines: AsyncStream<String>) {
        let existing = (try? Data(contentsOf: file)) ?? Data()
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

    private func unfollow(_ id: UUID) {
        followers[id] = nil
    }

    func finish() {
        finished = true
        try? handle?.close()
        for continuation in followers.values { continuation.finish() }
        followers.removeAll()
    }
}
