import DepotBuild
import DepotCore
import Foundation

/// A build's log for the console, as `BuildService.openLog` hands it out: the page shows what it holds so far, the
/// live view follows it (the bytes so far, then each new line) until the build ends.
struct ConsoleBuildLog: Sendable {
    let store: any BuildStore
    /// Where the build's artifact zips are.
    let blobs: any BlobStore
    let builds: BuildService
    /// How often an ended build is looked at again until its record says so.
    var poll: Duration = .milliseconds(300)

    static let ended: Set<String> = ["SUCCEEDED", "FAILED", "FAULT", "TIMED_OUT", "STOPPED"]
    static let chunkSize = 64 * 1024

    static func result(of build: StoredBuild) -> BuildResult? { build.result }

    /// The log so far (at most `limit` bytes): the running build's from its live log, else the stored one.
    func text(of build: StoredBuild, limit: Int) async throws -> [UInt8] {
        guard let existing = try await builds.openLog(of: build, follow: false).existing else { return [] }
        defer { existing.close() }
        return try existing.read(maxLength: limit)
    }

    /// Server-Sent Events: one `line` event per log line as the build writes it, then `end` with the final status.
    func events(domain: String, buildID: String) -> AsyncThrowingStream<String, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    try await stream(domain: domain, buildID: buildID) { continuation.yield($0) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func stream(domain: String, buildID: String, emit: (String) -> Void) async throws {
        guard var build = try await store.build(domain: domain, id: buildID) else { return }
        let log = try await builds.openLog(of: build, follow: true)
        var lines = LineSplitter()
        if let existing = log.existing {
            defer { existing.close() }
            try copy(existing, into: &lines, emit: emit)
        }
        if let live = log.lines {
            for await line in live { emit(Self.event("line", line)) }
        }
        // The live log ends before the build's record is written: wait for the final status (bounded).
        build = try await store.build(domain: domain, id: buildID) ?? build
        for _ in 0..<200 where !Self.ended.contains(build.status) {
            try await Task.sleep(for: poll)
            build = try await store.build(domain: domain, id: buildID) ?? build
        }
        emit(Self.event("end", build.status))
    }

    private func copy(_ reader: BuildLogText, into lines: inout LineSplitter, emit: (String) -> Void) throws {
        while case let chunk = try reader.read(maxLength: Self.chunkSize), !chunk.isEmpty {
            for line in lines.append(chunk) { emit(Self.event("line", line)) }
        }
        if let rest = lines.rest() { emit(Self.event("line", rest)) }
    }

    /// One event; a `data` field cannot hold a line break, so none gets through.
    static func event(_ name: String, _ data: String) -> String {
        let clean = data.replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: "\n", with: " ")
        return "event: \(name)\ndata: \(clean)\n\n"
    }
}
