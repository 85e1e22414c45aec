import DepotBuild
import DepotCore
import Foundation

/// A build's log for the console: while the build runs, its file under `<storage>/builds/` (the layout of
/// `BuildService.directory(of:)`); once it has ended, the blob the file was moved into (same bytes, so an offset
/// into one is an offset into the other).
struct ConsoleBuildLog: Sendable {
    let store: any BuildStore
    let blobs: any BlobStore
    let root: URL

    static let ended: Set<String> = ["SUCCEEDED", "FAILED", "FAULT", "TIMED_OUT", "STOPPED"]

    func file(of buildID: String) -> URL {
        root.appendingPathComponent(buildID.replacingOccurrences(of: ":", with: "-")).appendingPathComponent("build.log")
    }

    static func result(of build: StoredBuild) -> BuildResult? {
        guard let json = build.resultJSON else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(BuildResult.self, from: json)
    }

    /// The bytes from `offset` on (at most `limit`): from the running build's file, else from the ended build's blob.
    func read(_ build: StoredBuild, from offset: UInt64, limit: Int = 256 * 1024) throws -> [UInt8] {
        if !Self.ended.contains(build.status) {
            guard let handle = try? FileHandle(forReadingFrom: file(of: build.id)) else { return [] }
            defer { try? handle.close() }
            try handle.seek(toOffset: offset)
            return Array(try handle.read(upToCount: limit) ?? Data())
        }
        guard let digest = Self.result(of: build)?.logSHA256, let reader = try blobs.openReader(sha256: digest) else { return [] }
        defer { reader.close() }
        try reader.skip(Int64(offset))
        return try reader.read(maxLength: limit)
    }

    /// Server-Sent Events: one `line` event per log line as the build writes it, then `end` with the final status.
    func events(domain: String, buildID: String, poll: Duration = .milliseconds(300)) -> AsyncThrowingStream<String, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                var offset: UInt64 = 0
                var partial: [UInt8] = []
                do {
                    while !Task.isCancelled {
                        guard let build = try await store.build(domain: domain, id: buildID) else { break }
                        var chunk = try read(build, from: offset)
                        while !chunk.isEmpty {
                            offset += UInt64(chunk.count)
                            partial += chunk
                            while let newline = partial.firstIndex(of: UInt8(ascii: "\n")) {
                                continuation.yield(Self.event("line", String(decoding: partial[..<newline], as: UTF8.self)))
                                partial.removeSubrange(...newline)
                            }
                            chunk = try read(build, from: offset)
                        }
                        if Self.ended.contains(build.status) {
                            if !partial.isEmpty { continuation.yield(Self.event("line", String(decoding: partial, as: UTF8.self))) }
                            continuation.yield(Self.event("end", build.status))
                            break
                        }
                        try await Task.sleep(for: poll)
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// One event; a `data` field cannot hold a line break, so none gets through.
    static func event(_ name: String, _ data: String) -> String {
        let clean = data.replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: "\n", with: " ")
        return "event: \(name)\ndata: \(clean)\n\n"
    }
}
