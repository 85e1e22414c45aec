import Foundation
import Synchronization

/// One line per request (`METHOD /path STATUS 1.2ms 345B`, never headers or query strings), written by a
/// background task in batches: a request only appends a small record to a buffer, so a slow terminal or pipe never
/// holds it. When the buffer is full (the writer cannot keep up), records are dropped and counted, not waited for.
public final class AccessLog: Sendable {
    public struct Entry: Sendable {
        public var time: Double
        public var method: String
        public var path: String
        public var status: Int
        public var duration: Duration
        public var bytes: Int

        public init(time: Double, method: String, path: String, status: Int, duration: Duration, bytes: Int) {
            self.time = time
            self.method = method
            self.path = path
            self.status = status
            self.duration = duration
            self.bytes = bytes
        }
    }

    private struct Buffer {
        var entries: [Entry] = []
        var dropped = 0
        var closed = false
    }

    private let buffer = Mutex(Buffer())
    private let wake: AsyncStream<Void>
    private let waker: AsyncStream<Void>.Continuation
    private let capacity: Int
    private let output: @Sendable (String) -> Void

    /// `output` receives whole batches of lines (by default written to standard error, where the rest of the log goes).
    public init(capacity: Int = 16_384, output: @escaping @Sendable (String) -> Void = AccessLog.standardError) {
        self.capacity = capacity
        self.output = output
        (wake, waker) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    public func record(_ entry: Entry) {
        let accepted = buffer.withLock { buffer in
            guard !buffer.closed, buffer.entries.count < capacity else {
                buffer.dropped += 1
                return false
            }
            buffer.entries.append(entry)
            return buffer.entries.count == 1
        }
        // Only the first record of a batch wakes the writer.
        if accepted { waker.yield() }
    }

    /// Writes batches until `close()`; what is buffered then is written before returning.
    public func run() async {
        var formatter = AccessLogFormatter()
        for await _ in wake {
            if flush(&formatter) { return }
        }
        _ = flush(&formatter)
    }

    /// Stops the writer after a last batch.
    public func close() {
        buffer.withLock { $0.closed = true }
        waker.finish()
    }

    /// Writes what is buffered; true when the log is closed.
    private func flush(_ formatter: inout AccessLogFormatter) -> Bool {
        let (entries, dropped, closed) = buffer.withLock { buffer in
            defer {
                buffer.entries.removeAll(keepingCapacity: true)
                buffer.dropped = 0
            }
            return (buffer.entries, buffer.dropped, buffer.closed)
        }
        var text = ""
        for entry in entries { formatter.append(entry, to: &text) }
        if dropped > 0 { text += "access log: \(dropped) lines dropped (the writer could not keep up)\n" }
        if !text.isEmpty { output(text) }
        return closed
    }

    public static let standardError: @Sendable (String) -> Void = { text in
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// Formats entries like the rest of the log (`2026-12-02T17:59:52+0000 info depot: GET /x 200 1.2ms 34B`), the
/// timestamp formatted once per second.
struct AccessLogFormatter {
    private var second = -1
    private var stamp = ""
    private let formatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ssZ"
        return formatter
    }()

    mutating func append(_ entry: AccessLog.Entry, to text: inout String) {
        let whole = Int(entry.time)
        if whole != second {
            second = whole
            stamp = formatter.string(from: Date(timeIntervalSince1970: Double(whole)))
        }
        let components = entry.duration.components
        let tenths = max(0, Int(components.seconds) * 10_000 + Int(components.attoseconds / 100_000_000_000_000))
        text += "\(stamp) info depot: \(entry.method) \(entry.path) \(entry.status) \(tenths / 10).\(tenths % 10)ms \(entry.bytes)B\n"
    }
}
