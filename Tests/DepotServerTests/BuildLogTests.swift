import Foundation
import Testing

@testable import DepotServer

@Suite struct BuildLogTests {
    /// A follower gets the log so far in chunks, up to where the live lines take over, never the file at once.
    @Test func followReadsTheLogSoFarInChunksUpToTheLiveLines() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("depot-log-\(UUID().uuidString)/build.log")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let log = LiveBuildLog(file: file)
        let line = String(repeating: "x", count: 999)
        for _ in 0..<200 { await log.append(line) }
        let (existing, lines) = await log.follow()
        await log.append("live")
        await log.finish()
        let reader = try #require(existing)
        #expect(reader.size == 200_000)
        var chunks: [[UInt8]] = []
        while case let chunk = try reader.read(maxLength: 65536), !chunk.isEmpty { chunks.append(chunk) }
        reader.close()
        #expect(chunks.map(\.count) == [65536, 65536, 65536, 3392])
        var followed: [String] = []
        for await next in lines { followed.append(next) }
        #expect(followed == ["live"])
    }
}
