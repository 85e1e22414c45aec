import DepotBuild
import DepotCore
import Foundation

/// A build's log for the console: while the build runs, what `BuildService` hands out (`follow`: the bytes so far,
/// then each new line, as the API's `?follow=true` reads it; `logSoFar` for the page); once it has ended, the blob
/// its log was moved into.
struct ConsoleBuildLog: Sendable {
    let store: any BuildStore
    let blobs: any BlobStore
    let builds: BuildService
    /// How often a queued build is looked at again, and an ended one until its record says so.
    var poll: Duration = .milliseconds(300)

    static let ended: Set<String> = ["SUCCEEDED", "FAILED", "FAULT", "TIMED_OUT", "STOPPED"]
    static let chunkSize = 64 * 1024

    static func result(of build: StoredBuild) -> BuildResult? {
        guard let json = build.resultJSON else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(BuildResult.self, from: json)
    }

    /// The log so far (at most `limit` bytes): the running build's from its live log, else the stored one.
    func text(of build: StoredBuild, limit: Int) async throws -> [UInt8] {
        if let running = await builds.logSoFar(build.id) {
            defer { running.close() }
            return try running.read(maxLength: limit)
        }
        // Not running: ended since it was looked up (its log is stored), or still queued (no log yet).
        let current = try await store.build(domain: build.domain, id: build.id) ?? build
        guard let reader = try storedLog(of: current) else { return [] }
        defer { reader.close() }
        return try reader.read(maxLength: limit)
    }

    private func storedLog(of build: StoredBuild) throws -> (any BlobReader)? {
        guard Self.ended.contains(build.status), let digest = Self.result(of: build)?.logSHA256 else { return nil }
        return try blobs.openReader(sha256: digest)
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
        // Following a queued build starts when a worker takes it.
        guard var build = try await store.build(domain: domain, id: buildID) else { return }
        while build.status == "QUEUED" {
            try await Task.sleep(for: poll)
            guard let current = try await store.build(domain: domain, id: buildID) else { return }
            build = current
        }
        var lines = LineSplitter()
        if let live = await builds.follow(buildID) {
            if let existing = live.existing {
                defer { existing.close() }
                try copy(existing, into: &lines, emit: emit)
            }
            for await line in live.lines { emit(Self.event("line", line)) }
            // The live log ends before the build's record is written: wait for the final status (bounded).
            for _ in 0..<200 where !Self.ended.contains(build.status) {
                try await Task.sleep(for: poll)
                build = try await store.build(domain: domain, id: buildID) ?? build
            }
        } else {
            build = try await store.build(domain: domain, id: buildID) ?? build
            if let reader = try storedLog(of: build) {
                defer { reader.close() }
                try copy(reader, into: &lines, emit: emit)
            }
        }
        emit(Self.event("end", build.status))
    }

    private func copy(_ reader: any BlobReader, into lines: inout LineSplitter, emit: (String) -> Void) throws {
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
