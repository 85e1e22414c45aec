import DepotHTTP
import Foundation
import NIOCore
import NIOPosix
import Testing

@testable import DepotServer

/// Connection limits on the real server (`buildApplication`, live socket): the idle-connection flood, slowloris,
/// idle keep-alive, the connection cap and oversized headers. Limits are set small so each test takes seconds, but
/// not so small that a loaded CI machine stalls the set-up requests past them. The flood's thousands of connections
/// starve every other live socket of the shared event loops, so these run one at a time and in a `swift test` of
/// their own: scripts/test runs them after the rest with DEPOT_ISOLATED_TESTS=1.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["DEPOT_ISOLATED_TESTS"] == "1", "run alone by scripts/test"))
struct ConnectionLimitTests {
    static let healthz = Array("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8)

    /// Opens up to `count` TCP connections that send nothing (in batches, failures ignored), and returns them.
    static func openIdle(_ count: Int, port: Int) async -> [any Channel] {
        var channels: [any Channel] = []
        var opened = 0
        while opened < count {
            let batch = min(100, count - opened)
            let futures = (0..<batch).map { _ in
                ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connectTimeout(.seconds(5))
                    .connect(host: "127.0.0.1", port: port)
            }
            for future in futures {
                if let channel = try? await future.get() { channels.append(channel) }
            }
            opened += batch
        }
        return channels
    }

    /// The status of `GET /healthz` on a new connection (nil when the connection failed or was closed unanswered).
    static func healthz(port: Int) async -> Int? {
        let status = StatusBox()
        try? await RawHTTPConnection.with(port: port, safetyTimeout: .seconds(10)) { connection in
            try await connection.send(healthz)
            status.value = try await connection.readResponse().status
        }
        return status.value
    }

    /// Waits for `condition`, checking every 100 ms, for at most `seconds`; returns whether it held.
    static func eventually(within seconds: Double, _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return await condition()
    }

    final class StatusBox: @unchecked Sendable {
        var value: Int?
    }

    @Test("a flood of thousands of idle connections is closed by the server, and /healthz keeps answering")
    func idleFlood() async throws {
        try await LiveDepot.run(configure: {
            $0.connectionLimits.maxConnections = 256
            $0.connectionLimits.headerTimeout = 3
        }) { depot in
            var descriptors = rlimit()
            #if canImport(Glibc)
            getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &descriptors)
            #else
            getrlimit(RLIMIT_NOFILE, &descriptors)
            #endif
            // Client and server ends share this process's descriptors.
            let count = min(3000, (Int(clamping: descriptors.rlim_cur) - 512) / 2)
            let flood = await Self.openIdle(count, port: depot.port)
            defer { for channel in flood { channel.close(promise: nil) } }
            #expect(flood.count > 1000, "only \(flood.count) connections opened")
            // The client holds every connection open; the server closes those over the cap at once and the others
            // when their header timeout passes, so /healthz is answered again within seconds.
            #expect(await Self.eventually(within: 15) { await Self.healthz(port: depot.port) == 200 })
            #expect(await Self.eventually(within: 15) { flood.allSatisfy { !$0.isActive } }, "the server still holds idle connections")
        }
    }

    @Test("over maxConnections: 503 with Connection: close; the slot comes back when a connection ends")
    func connectionCap() async throws {
        try await LiveDepot.run(configure: {
            $0.connectionLimits.maxConnections = 8
            $0.connectionLimits.headerTimeout = 30
        }) { depot in
            let held = await Self.openIdle(8, port: depot.port)
            #expect(held.count == 8)
            try await RawHTTPConnection.with(port: depot.port, safetyTimeout: .seconds(10)) { connection in
                try await connection.send(Self.healthz)
                let response = try await connection.readResponse()
                #expect(response.status == 503)
                #expect(response.headers.lowercased().contains("connection: close"))
                #expect(String(decoding: response.body, as: UTF8.self).contains("TooManyConnections"))
            }
            for channel in held { try? await channel.close() }
            #expect(await Self.eventually(within: 10) { await Self.healthz(port: depot.port) == 200 })
        }
    }

    @Test("slowloris: a request head not complete within headerTimeout is cut off")
    func slowHeaders() async throws {
        try await LiveDepot.run(configure: { $0.connectionLimits.headerTimeout = 3 }) { depot in
            let started = ContinuousClock.now
            await #expect(throws: RawHTTPConnection.Failure.self) {
                try await RawHTTPConnection.with(port: depot.port, safetyTimeout: .seconds(20)) { connection in
                    try await connection.send(Array("GET /healthz HTTP/1.1\r\nHost: local".utf8))
                    try await Task.sleep(for: .milliseconds(300))
                    try await connection.send(Array("host\r\nX-Slow: 1".utf8))
                    _ = try await connection.readResponse()
                }
            }
            #expect(ContinuousClock.now - started < .seconds(15))
        }
    }

    @Test("an idle keep-alive connection is closed after idleTimeout")
    func idleKeepAlive() async throws {
        try await LiveDepot.run(configure: { $0.connectionLimits.idleTimeout = 3 }) { depot in
            let closed = StatusBox()
            try await RawHTTPConnection.with(port: depot.port, safetyTimeout: .seconds(20)) { connection in
                try await connection.send(Self.healthz)
                #expect(try await connection.readResponse().status == 200)
                do {
                    _ = try await connection.readResponse()
                } catch let failure as RawHTTPConnection.Failure where failure.description.contains("closed") {
                    closed.value = 1
                }
            }
            #expect(closed.value == 1)
        }
    }

    @Test("a connection kept busy by answers from the edge cache is not idle; once silent it is closed")
    func idleCountsEdgeAnswers() async throws {
        try await LiveDepot.run(configure: { $0.connectionLimits.idleTimeout = 2 }) { depot in
            let closed = StatusBox()
            try await RawHTTPConnection.with(port: depot.port, safetyTimeout: .seconds(30)) { connection in
                let started = ContinuousClock.now
                // The first /healthz fills the edge cache; the rest never reach the handlers above it.
                while ContinuousClock.now - started < .seconds(6) {
                    try await connection.send(Self.healthz)
                    #expect(try await connection.readResponse().status == 200)
                    try await Task.sleep(for: .milliseconds(500))
                }
                let silent = ContinuousClock.now
                do {
                    _ = try await connection.readResponse()
                } catch let failure as RawHTTPConnection.Failure where failure.description.contains("closed") {
                    closed.value = 1
                }
                // Closed between one and two time-outs after the last answer.
                #expect(ContinuousClock.now - silent < .seconds(6))
            }
            #expect(closed.value == 1)
            let metrics = StatusBox()
            try await RawHTTPConnection.with(port: depot.port, safetyTimeout: .seconds(10)) { connection in
                try await connection.send(Array("GET /metrics HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(depot.adminToken)\r\n\r\n".utf8))
                let text = String(decoding: try await connection.readResponse().body, as: UTF8.self)
                let line = text.split(separator: "\n").first { $0.hasPrefix("depot_edge_cache_hits_total ") }
                metrics.value = line.flatMap { Double($0.split(separator: " ")[1]) }.map { Int($0) }
            }
            #expect((metrics.value ?? 0) >= 5, "the requests were not answered by the edge cache")
        }
    }

    @Test("headers over maxHeaderSize or maxHeaderCount: 431")
    func oversizedHeaders() async throws {
        try await LiveDepot.run(configure: {
            $0.connectionLimits.maxHeaderSize = 8 << 10
            $0.connectionLimits.maxHeaderCount = 32
        }) { depot in
            let big = "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: \(String(repeating: "a", count: 20_000))\r\n\r\n"
            let many = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n" + (0..<100).map { "X-H\($0): v\r\n" }.joined() + "\r\n"
            for request in [big, many] {
                try await RawHTTPConnection.with(port: depot.port, safetyTimeout: .seconds(10)) { connection in
                    try await connection.send(Array(request.utf8))
                    let response = try await connection.readResponse()
                    #expect(response.status == 431)
                    #expect(String(decoding: response.body, as: UTF8.self).contains("HeadersTooLarge"))
                }
            }
            #expect(await Self.healthz(port: depot.port) == 200)
        }
    }
}
