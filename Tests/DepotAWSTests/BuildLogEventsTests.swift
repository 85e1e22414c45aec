import DepotBuild
import DepotCore
import Foundation
import Testing

@testable import DepotAWS

/// A build's log as CloudWatch Logs events: times carried from Depot's stamped lines, pages forward and backward,
/// tokens that stay put when nothing is new, a running build's unfinished line held back, names and filter patterns.
@Suite("CloudWatch Logs events of a build log")
struct BuildLogEventsTests {
    /// A log in memory.
    final class MemoryLog: BlobReader, @unchecked Sendable {
        let bytes: [UInt8]
        var position = 0
        init(_ text: String) { bytes = Array(text.utf8) }
        var size: Int64 { Int64(bytes.count) }
        func read(maxLength: Int) throws -> [UInt8] {
            let end = min(bytes.count, position + maxLength)
            defer { position = end }
            return Array(bytes[position..<end])
        }
        func close() {}
    }

    static let start = Date(timeIntervalSince1970: 1_700_000_000)
    static let origin = LogPosition(offset: 0, time: LogPosition.milliseconds(start))

    static let text = [
        BuildLogLine.phaseHeader(.downloadSource, at: start.addingTimeInterval(1)),
        "cloning",
        BuildLogLine.phaseHeader(.build, at: start.addingTimeInterval(5)),
        "hello",
        "world",
        BuildLogLine.container("Build SUCCEEDED", at: start.addingTimeInterval(9)),
    ].joined(separator: "\n") + "\n"

    func page(_ text: String = Self.text, complete: Bool = true, token: LogToken? = nil, head: Bool = true, limit: Int = 100,
              range: ClosedRange<Int64> = 0...Int64.max) throws -> LogEventsPage {
        try LogEventsPage.read(
            BuildLogText(MemoryLog(text)), origin: Self.origin, complete: complete, token: token, startFromHead: head, limit: limit,
            timeRange: range)
    }

    @Test("a build printing a stamp of any year gets a clamped time, not a trap")
    func absurdStamps() throws {
        let text = "[Container] 999999999/01/01 00:00:00.000 far\n[Container] -99999999/01/01 00:00:00.000 back\nafter\n"
        let events = try page(text).events
        #expect(events.count == 3)
        #expect(LogPosition.milliseconds(Date(timeIntervalSince1970: 1e300)) == Int64(9.0e18))
        #expect(LogPosition.milliseconds(Date(timeIntervalSince1970: -.infinity)) == 0)
    }

    @Test("each line is an event with the time of the last stamped line; output lines carry it forward")
    func timesCarriedForward() throws {
        let events = try page().events
        #expect(events.map(\.message) == Self.text.split(separator: "\n").map(String.init))
        let seconds = events.map { ($0.timestamp - Self.origin.time) / 1000 }
        #expect(seconds == [1, 1, 5, 5, 5, 9])
    }

    @Test("forward pages follow the token to the end; there the same token comes back with no events")
    func forwardToEnd() throws {
        var token: LogToken? = nil
        var messages: [String] = []
        for _ in 0..<10 {
            let next = try page(token: token, limit: 4)
            messages += next.events.map(\.message)
            if next.nextForward == token { break }
            token = next.nextForward
        }
        #expect(messages.count == 6)
        let end = try page(token: token)
        #expect(end.events.isEmpty && end.nextForward == token)
        // A log that grows after the end: the same token finds the new lines.
        let grown = try page(Self.text + "later\n", token: token)
        #expect(grown.events.map(\.message) == ["later"] && grown.events.first?.timestamp == Self.origin.time + 9000)
    }

    @Test("without a token the tail is read; backward tokens page towards the head")
    func tailAndBackward() throws {
        let tail = try page(head: false, limit: 2)
        #expect(tail.events.map(\.message) == ["world", Self.text.split(separator: "\n").last.map(String.init)!])
        let before = try page(token: tail.nextBackward, limit: 2)
        #expect(before.events.map(\.message).last == "hello" && before.events.count == 2)
        let head = try page(token: try page(token: before.nextBackward, limit: 10).nextBackward, limit: 10)
        #expect(head.events.isEmpty, "nothing before the head")
        // From the tail forward: nothing new.
        #expect(try page(token: tail.nextForward).events.isEmpty)
    }

    @Test("a running build's last line without its line break waits until it is complete")
    func unfinishedLine() throws {
        let running = try page("one\ntwo", complete: false)
        #expect(running.events.map(\.message) == ["one"])
        let later = try page("one\ntwo\n", complete: false, token: running.nextForward)
        #expect(later.events.map(\.message) == ["two"])
    }

    @Test("startTime and endTime bound the events, endTime exclusive")
    func timeRange() throws {
        let from = Self.origin.time + 5000
        let events = try page(range: from...(Self.origin.time + 8999)).events
        #expect(events.map(\.message).dropFirst() == ["hello", "world"])
        #expect(events.allSatisfy { $0.timestamp == from })
        #expect(throws: AWSError.self) { try CloudWatchLogsController.timeRange(10, 10) }
        #expect(try CloudWatchLogsController.timeRange(10, 20) == 10...19)
    }

    @Test("tokens: their text reads back; anything else is refused", arguments: ["", "f/", "x/1/2", "f/-1/2", "f/1", "f/1/2/3", "b/a/1"])
    func badTokens(text: String) {
        #expect(LogToken(text) == nil)
    }

    @Test("token round trip")
    func tokenRoundTrip() {
        for token in [LogToken.forward(LogPosition(offset: 42, time: 7)), .backward(LogPosition(offset: 0, time: 1_700_000_000_000))] {
            #expect(LogToken(token.text) == token)
        }
    }

    @Test("log groups and streams name projects and builds")
    func names() {
        #expect(BuildLogNames.group(project: "app") == "/aws/codebuild/app")
        #expect(BuildLogNames.stream(buildID: "app:1234") == "1234")
        #expect(BuildLogNames.project(group: "/aws/codebuild/app") == "app")
        #expect(BuildLogNames.project(group: "/aws/lambda/app") == nil)
        #expect(BuildLogNames.project(group: "/aws/codebuild/../x") == nil)
        #expect(BuildLogNames.groupName(name: nil, identifier: "arn:aws:logs:us-east-1:000000000000:log-group:/aws/codebuild/app:*") == "/aws/codebuild/app")
        #expect(BuildLogNames.buildID(project: "app", stream: "1234") == "app:1234")
        #expect(BuildLogNames.buildID(project: "app", stream: "a:b") == nil)
        #expect(BuildLogNames.buildID(project: "app", stream: "") == nil)
    }

    @Test("filter patterns: terms, phrases, ?any and -excluded terms; JSON patterns refused")
    func filterPatterns() throws {
        #expect(try LogFilterPattern("").matches("anything"))
        let all = try LogFilterPattern("ERROR build")
        #expect(all.matches("ERROR in build 3") && !all.matches("ERROR only") && !all.matches("error in build"))
        let phrase = try LogFilterPattern("\"exit status 1\" -retry")
        #expect(phrase.matches("failed: exit status 1") && !phrase.matches("exit status 1, retry") && !phrase.matches("exit 1 status"))
        let any = try LogFilterPattern("?ERROR ?WARN")
        #expect(any.matches("WARN x") && any.matches("ERROR y") && !any.matches("INFO z"))
        #expect(throws: LogFilterPattern.Unsupported.self) { try LogFilterPattern("{ $.level = \"x\" }") }
        #expect(throws: LogFilterPattern.Unsupported.self) { try LogFilterPattern("[ip, user]") }
        #expect(throws: LogFilterPattern.Unsupported.self) { try LogFilterPattern("\"unclosed") }
        #expect(throws: LogFilterPattern.Unsupported.self) { try LogFilterPattern(String(repeating: "a", count: 1025)) }
    }
}
