import DepotHTTP
import Foundation
import Synchronization
import Testing

@Suite("Access log")
struct AccessLogTests {
    final class Collected: Sendable {
        let text = Mutex("")
        func append(_ more: String) { text.withLock { $0 += more } }
    }

    static func entry(_ path: String, status: Int = 200) -> AccessLog.Entry {
        AccessLog.Entry(time: 1_796_000_000.5, method: "GET", path: path, status: status, duration: .microseconds(1234), bytes: 42)
    }

    @Test("records are written in order by the writer, one line each, in the log's format")
    func writesLines() async {
        let collected = Collected()
        let log = AccessLog(output: { collected.append($0) })
        let writer = Task { await log.run() }
        for index in 0..<100 { log.record(Self.entry("/p/\(index)")) }
        log.close()
        await writer.value
        let lines = collected.text.withLock { $0 }.split(separator: "\n")
        #expect(lines.count == 100)
        #expect(lines.first?.hasSuffix("info depot: GET /p/0 200 1.2ms 42B") == true)
        #expect(lines.first?.hasPrefix("2026-") == true)
        #expect(lines.last?.contains("GET /p/99 200") == true)
    }

    @Test("a full buffer drops records and says how many, instead of holding requests")
    func dropsWhenFull() async {
        let collected = Collected()
        let log = AccessLog(capacity: 10, output: { collected.append($0) })
        for index in 0..<25 { log.record(Self.entry("/q/\(index)")) }
        let writer = Task { await log.run() }
        log.close()
        await writer.value
        let text = collected.text.withLock { $0 }
        #expect(text.split(separator: "\n").filter { $0.contains("GET /q/") }.count == 10)
        #expect(text.contains("15 lines dropped"))
    }
}
