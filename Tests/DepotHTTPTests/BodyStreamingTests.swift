import DepotCore
import DepotHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

private func request(body: RequestBody, contentLength: Int? = nil) -> Request {
    var fields = HTTPFields()
    if let contentLength { fields[.contentLength] = String(contentLength) }
    return Request(
        head: HTTPRequest(method: .post, scheme: "http", authority: "localhost", path: "/upload", headerFields: fields), body: body)
}

/// A body arriving in several chunks, without a Content-Length.
private func chunked(_ chunks: [String]) -> RequestBody {
    let (stream, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
    for chunk in chunks { continuation.yield(ByteBuffer(string: chunk)) }
    continuation.finish()
    return RequestBody(asyncSequence: stream)
}

/// A blob reader over bytes in memory that records being closed.
private final class MemoryReader: BlobReader, @unchecked Sendable {
    let bytes: [UInt8]
    var offset = 0
    var closed = false
    var size: Int64 { Int64(bytes.count) }

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func read(maxLength: Int) throws -> [UInt8] {
        let end = min(offset + maxLength, bytes.count)
        defer { offset = end }
        return Array(bytes[offset..<end])
    }

    func close() { closed = true }
}

@Suite("BodyStreaming")
struct BodyStreamingTests {
    @Test("bodies up to the limit are collected whole")
    func withinLimit() async throws {
        let collected = try await BodyStreaming.collect(request(body: RequestBody(buffer: ByteBuffer(string: "hello"))), limit: 5)
        #expect(String(buffer: collected) == "hello")

        let streamed = try await BodyStreaming.collect(request(body: chunked(["abc", "def", "gh"])), limit: 8)
        #expect(String(buffer: streamed) == "abcdefgh")

        let empty = try await BodyStreaming.collect(request(body: RequestBody(buffer: ByteBuffer())), limit: 0)
        #expect(empty.readableBytes == 0)
    }

    @Test("a body over the limit is a 413, whether announced by Content-Length or not")
    func overLimit() async throws {
        let whole = await #expect(throws: DepotError.self) {
            try await BodyStreaming.collect(request(body: RequestBody(buffer: ByteBuffer(string: "hello!"))), limit: 5)
        }
        #expect(whole?.kind == .payloadTooLarge)

        let streamed = await #expect(throws: DepotError.self) {
            try await BodyStreaming.collect(request(body: chunked(["abc", "def", "ghi"])), limit: 8)
        }
        #expect(streamed?.kind == .payloadTooLarge)

        // A Content-Length over the limit is refused before reading anything.
        let announced = await #expect(throws: DepotError.self) {
            try await BodyStreaming.collect(request(body: RequestBody(buffer: ByteBuffer(string: "x")), contentLength: 1_000_000), limit: 1000)
        }
        #expect(announced?.kind == .payloadTooLarge)
        #expect(announced?.code == "PayloadTooLarge")

        // A Content-Length that lies low does not get past the streaming check.
        let lying = await #expect(throws: DepotError.self) {
            try await BodyStreaming.collect(request(body: chunked(["0123456789", "0123456789"]), contentLength: 3), limit: 15)
        }
        #expect(lying?.kind == .payloadTooLarge)
    }

    @Test("through a route, an oversized upload gets a 413 response")
    func oversizedThroughRoute() async throws {
        let router = Router(context: DepotRequestContext.self)
        router.add(middleware: EdgeMiddleware(
            metrics: .init(), logger: quietLogger, accessLog: nil, errorStyle: { _ in .api }))
        router.post("/upload") { request, _ -> String in
            let body = try await BodyStreaming.collect(request, limit: 16)
            return "got \(body.readableBytes)"
        }
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/upload", method: .post, body: ByteBuffer(string: "small")) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "got 5")
            }
            try await client.execute(uri: "/upload", method: .post, body: ByteBuffer(repeating: 0x41, count: 100_000)) { response in
                #expect(response.status == .contentTooLarge)
            }
        }
    }

    @Test("a blob is streamed back whole, with its length, and the reader is closed")
    func streamsBlob() async throws {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<300_001).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let reader = MemoryReader(bytes)
        let router = Router(context: DepotRequestContext.self)
        router.get("/blob") { _, _ -> Response in
            BodyStreaming.response(for: reader, headers: [.contentType: "application/octet-stream"])
        }
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/blob", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/octet-stream")
                #expect(response.headers[.contentLength] == "300001")
                #expect(Array(buffer: response.body) == bytes)
            }
        }
        #expect(reader.closed)
    }

    @Test("the request context starts anonymous with a generous upload limit")
    func contextDefaults() async throws {
        let router = Router(context: DepotRequestContext.self)
        router.get("/ctx") { _, context -> String in "\(context.identity == nil) \(context.maxUploadSize)" }
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/ctx", method: .get) { response in
                #expect(String(buffer: response.body) == "true \(2 << 30)")
            }
        }
    }
}
