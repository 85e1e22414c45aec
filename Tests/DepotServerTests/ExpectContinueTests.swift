import DepotCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import Testing

@testable import DepotServer

/// `Expect: 100-continue` on the real server (`buildApplication`, live socket): requests are written byte by byte
/// over raw TCP, and a body is only sent after its `100 Continue` has been read, so a missing 100 fails the test
/// (after a generous safety timeout) instead of silently costing the client's wait. Live sockets with timeouts:
/// run alone by scripts/test (DEPOT_ISOLATED_TESTS=1), after the whole suite's load once stalled its set-up past 20 s.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["DEPOT_ISOLATED_TESTS"] == "1", "run alone by scripts/test"))
struct ExpectContinueTests {
    static let jarPath = "/acme/main/maven/org/example/lib/1.0/lib-1.0.jar"
    static let pomPath = "/acme/main/maven/org/example/lib/1.0/lib-1.0.pom"

    @Test func continueBeforeBodyWithKeepAliveAndPipelining() async throws {
        try await LiveDepot.run { depot in
            let jar = Array(repeating: UInt8(ascii: "j"), count: 5000)
            let pom = Array("<project><artifactId>lib</artifactId></project>".utf8)
            try await RawHTTPConnection.with(port: depot.port) { connection in
                // 1. A PUT that waits for 100 Continue.
                try await connection.send(Self.put(Self.jarPath, length: jar.count, token: depot.adminToken))
                #expect(try await connection.readResponse().status == 100)
                try await connection.send(jar)
                #expect(try await connection.readResponse().status == 201)

                // 2. Pipelined on the same connection: a GET, then a PUT whose 100 must follow the GET's response.
                let get = "GET \(Self.jarPath).sha1 HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(depot.adminToken)\r\n\r\n"
                try await connection.send(
                    Array(get.utf8) + Self.put(Self.pomPath, length: pom.count, token: depot.adminToken, expect: "100-Continue"))
                let checksum = try await connection.readResponse()
                #expect(checksum.status == 200)
                #expect(String(decoding: checksum.body, as: UTF8.self) == NpmPublish.digests(jar).sha1)
                #expect(try await connection.readResponse().status == 100)
                try await connection.send(pom)
                #expect(try await connection.readResponse().status == 201)

                // 3. Refused after the 100 (no credentials): the body still goes, and the connection stays usable.
                try await connection.send(Self.put(Self.jarPath, length: jar.count, token: nil))
                #expect(try await connection.readResponse().status == 100)
                try await connection.send(jar)
                #expect(try await connection.readResponse().status == 401)
                try await connection.send(Array(get.utf8))
                #expect(try await connection.readResponse().status == 200)
            }
            // 4. Another expectation is refused without the body being read.
            try await RawHTTPConnection.with(port: depot.port) { connection in
                try await connection.send(Self.put(Self.jarPath, length: jar.count, token: depot.adminToken, expect: "bananas"))
                let refused = try await connection.readResponse()
                #expect(refused.status == 417)
                #expect(refused.headers.lowercased().contains("connection: close"))
            }
        }
    }

    static func put(_ path: String, length: Int, token: String?, expect: String = "100-continue") -> [UInt8] {
        var head = "PUT \(path) HTTP/1.1\r\nHost: localhost\r\nContent-Length: \(length)\r\nExpect: \(expect)\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        return Array((head + "\r\n").utf8)
    }
}

/// The server `depot serve` runs, on a free port, in a temporary storage directory with domain `acme`, repo `main`.
struct LiveDepot: Sendable {
    let port: Int
    let adminToken: String

    static func run(
        configure: (inout DepotConfiguration) -> Void = { _ in }, _ test: @Sendable (LiveDepot) async throws -> Void
    ) async throws {
        let storage = FileManager.default.temporaryDirectory.appendingPathComponent("depot-live-tests-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: storage) }
        var configuration = DepotConfiguration()
        configuration.storagePath = storage.path
        configuration.port = 0
        configure(&configuration)
        var logger = Logger(label: "depot-live-tests")
        logger.logLevel = .error
        let app = try await buildApplication(configuration: configuration, logger: logger)
        let token = try String(contentsOf: storage.appendingPathComponent("admin.token"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try await app.test(.live) { client in
            var headers = HTTPFields()
            headers[.authorization] = "Bearer \(token)"
            headers[.contentType] = "application/json"
            for (uri, body) in [("/api/v1/domains", #"{"name":"acme"}"#), ("/api/v1/domains/acme/repositories", #"{"name":"main"}"#)] {
                let response = try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
                try #require(response.status == .created, "\(uri): \(String(buffer: response.body))")
            }
            try await test(LiveDepot(port: try #require(client.port), adminToken: token))
        }
    }
}

/// A client TCP connection that writes raw bytes and reads HTTP/1.1 responses framed by Content-Length.
final class RawHTTPConnection {
    struct Response {
        var status: Int
        var headers: String
        var body: [UInt8]
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var buffer: [UInt8] = []

    private init(
        inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) {
        self.inbound = inbound
        self.outbound = outbound
    }

    /// Connects to localhost, runs `body`, and closes; gives up after `safetyTimeout` so a missing response fails
    /// the test rather than hanging it.
    static func with(
        port: Int, safetyTimeout: Duration = .seconds(60), _ body: @escaping @Sendable (RawHTTPConnection) async throws -> Void
    ) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await channel.executeThenClose { inbound, outbound in
                    try await body(RawHTTPConnection(inbound: inbound.makeAsyncIterator(), outbound: outbound))
                }
            }
            group.addTask {
                try await Task.sleep(for: safetyTimeout)
                throw Failure(description: "no complete response within \(safetyTimeout)")
            }
            try await group.next()
            group.cancelAll()
        }
    }

    func send(_ bytes: [UInt8]) async throws {
        try await outbound.write(ByteBuffer(bytes: bytes))
    }

    /// The next response (a 1xx is a response of its own, without a body).
    func readResponse() async throws -> Response {
        let separator = Array("\r\n\r\n".utf8)
        var end: Int?
        while end == nil {
            end = buffer.indices.dropLast(3).first { Array(buffer[$0..<$0 + 4]) == separator }
            if end == nil { try await fill() }
        }
        let headText = String(decoding: buffer[..<end!], as: UTF8.self)
        buffer.removeFirst(end! + 4)
        let statusLine = headText.split(separator: "\r\n", maxSplits: 1).first.map(String.init) ?? ""
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, parts[0] == "HTTP/1.1", let status = Int(parts[1]) else {
            throw Failure(description: "bad status line: \(statusLine)")
        }
        if status < 200 { return Response(status: status, headers: headText, body: []) }
        let lengthLine = headText.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
        guard let lengthLine, let length = Int(lengthLine.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
        else { throw Failure(description: "no Content-Length in \(headText)") }
        while buffer.count < length { try await fill() }
        let body = Array(buffer[..<length])
        buffer.removeFirst(length)
        return Response(status: status, headers: headText, body: body)
    }

    private func fill() async throws {
        guard let chunk = try await inbound.next() else { throw Failure(description: "connection closed by the server") }
        buffer += chunk.readableBytesView
    }
}
