import DepotBuild
import DepotCore
import Foundation

/// A place in a build's log: the byte a line starts at, and the time in effect there (the stamp of the last line of
/// Depot's before it: command output carries no time of its own, so each line has the time of the last stamp).
struct LogPosition: Equatable, Sendable {
    var offset: Int64
    /// Milliseconds since 1970, as CloudWatch Logs counts.
    var time: Int64

    /// A build's own output can print a stamp of any year (`[Container] 999999999/01/01 ...`): out of Int64's range
    /// the time is clamped, never converted with a trap.
    static func milliseconds(_ date: Date) -> Int64 {
        let value = (date.timeIntervalSince1970 * 1000).rounded()
        guard value.isFinite else { return 0 }
        return Int64(min(max(value, -9.0e18), 9.0e18))
    }
}

/// One line of a build's log as a CloudWatch Logs event, with where it starts and where the next one does.
struct LogEvent: Equatable, Sendable {
    var start: LogPosition
    var end: LogPosition
    var message: String

    var timestamp: Int64 { end.time }
    /// What CloudWatch counts against a response's megabyte: the message and 26 bytes.
    var size: Int { message.utf8.count + 26 }
}

/// CloudWatch Logs' `nextForwardToken` / `nextBackwardToken`: `f/<offset>/<time>` reads on after a place,
/// `b/<offset>/<time>` reads the events before it. Handed back unchanged, so the same place gives the same token.
enum LogToken: Equatable {
    case forward(LogPosition)
    case backward(LogPosition)

    var text: String {
        switch self {
        case .forward(let position): "f/\(position.offset)/\(position.time)"
        case .backward(let position): "b/\(position.offset)/\(position.time)"
        }
    }

    init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, text.utf8.count <= 64, let offset = Int64(parts[1]), offset >= 0, let time = Int64(parts[2]), time >= 0 else {
            return nil
        }
        let position = LogPosition(offset: offset, time: time)
        switch parts[0] {
        case "f": self = .forward(position)
        case "b": self = .backward(position)
        default: return nil
        }
    }
}

/// Reads a build's log as events from a position, one line at a time, in bounded chunks.
enum BuildLogEvents {
    static let chunkSize = 64 * 1024

    /// Visits the events from `position` on until `visit` answers false (that event is not consumed) or the log ends;
    /// returns where reading stopped. A running build's log (`complete` false) ends at its last line break.
    @discardableResult
    static func scan(_ log: BuildLogText, from position: LogPosition, complete: Bool, visit: (LogEvent) throws -> Bool) throws -> LogPosition {
        try log.skip(position.offset)
        var current = position
        var lines = LineSplitter()
        func visitLine(_ line: String, length: Int) throws -> Bool {
            var next = LogPosition(offset: current.offset + Int64(length), time: current.time)
            if let stamp = BuildLogLine.time(of: Substring(line)) { next.time = LogPosition.milliseconds(stamp) }
            guard try visit(LogEvent(start: current, end: next, message: line)) else { return false }
            current = next
            return true
        }
        while case let chunk = try log.read(maxLength: chunkSize), !chunk.isEmpty {
            for (line, length) in lines.appendMeasured(chunk) where try !visitLine(line, length: length) { return current }
        }
        if complete, let rest = lines.rest() { _ = try visitLine(rest, length: rest.utf8.count) }
        return current
    }
}

/// GetLogEvents on one build's log: a page of at most `limit` events (and a megabyte) forward from a place, or the
/// last ones before it, with the tokens CloudWatch Logs answers.
struct LogEventsPage: Equatable {
    var events: [LogEvent]
    var nextForward: LogToken
    var nextBackward: LogToken

    static let maximumBytes = 1_048_576

    /// `origin`: the log's start and the build's start time. No token: the head (`startFromHead`) or the tail.
    static func read(
        _ log: BuildLogText?, origin: LogPosition, complete: Bool, token: LogToken?, startFromHead: Bool, limit: Int,
        timeRange: ClosedRange<Int64>
    ) throws -> LogEventsPage {
        let direction = token ?? (startFromHead ? .forward(origin) : .backward(LogPosition(offset: .max, time: origin.time)))
        guard let log else {
            // No log yet (a queued build): nothing, and tokens that find its first lines later.
            return LogEventsPage(events: [], nextForward: .forward(origin), nextBackward: .backward(origin))
        }
        switch direction {
        case .forward(let from):
            var events: [LogEvent] = []
            var bytes = 0
            let end = try BuildLogEvents.scan(log, from: from, complete: complete) { event in
                guard events.count < limit, bytes + event.size <= maximumBytes else { return false }
                if timeRange.contains(event.timestamp) {
                    events.append(event)
                    bytes += event.size
                }
                return true
            }
            return LogEventsPage(events: events, nextForward: .forward(end), nextBackward: .backward(events.first?.start ?? from))
        case .backward(let before):
            // The last `limit` events before the place: read from the start, keeping a window of them.
            var window: [LogEvent] = []
            var first = 0
            let end = try BuildLogEvents.scan(log, from: origin, complete: complete) { event in
                guard event.start.offset < before.offset else { return false }
                if timeRange.contains(event.timestamp) {
                    window.append(event)
                    if window.count - first > limit { first += 1 }
                    // Drop what has left the window now and then, so it stays bounded.
                    if first > 4096 {
                        window.removeFirst(first)
                        first = 0
                    }
                }
                return true
            }
            var events = Array(window[first...])
            var bytes = events.reduce(0) { $0 + $1.size }
            while bytes > maximumBytes, !events.isEmpty { bytes -= events.removeFirst().size }
            let start = events.first?.start ?? (before.offset == .max ? end : before)
            return LogEventsPage(events: events, nextForward: .forward(events.last?.end ?? end), nextBackward: .backward(start))
        }
    }
}
