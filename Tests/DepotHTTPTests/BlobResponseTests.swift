import DepotCore
import DepotHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Blobs in memory, counting the readers opened and closed and the deletes (readers use the port's default
/// `read(into:)` and `skip`).
private final class CountingBlobStore: BlobStore, @unchecked Sendable {
    private let lock = NSLock()
    private var blobs: [String: [UInt8]] = [:]
    private(set) var opened = 0
    private(set) var closed = 0

    func put(_ bytes: [UInt8], sha256: String) { lock.withLock { blobs[sha256] = bytes } }
    var openCount: Int { lock.withLock { opened } }
    var closeCount: Int { lock.withLock { closed } }

    func makeWriter() throws -> any BlobWriter { throw DepotError.badRequest("read-only in this test") }
    func contains(sha256: String) -> Bool { lock.withLock { blobs[sha256] != nil } }
    func openReader(sha256: String) throws -> (any BlobReader)? {
        lock.withLock {
            guard let bytes = blobs[sha256] else { return nil }
            opened += 1
            return Reader(bytes) { [weak self] in self?.lock.withLock { self?.closed += 1 } }
        }
    }
    func delete(sha256: String) throws { lock.withLock { blobs[sha256] = nil } }
    func digests(modifiedBefore date: Date) throws -> [String] { [] }

    final class Reader: BlobReader {
        let bytes: [UInt8]
        var offset = 0
        var onClose: (() -> Void)?
        var size: Int64 { Int64(bytes.count) }

        init(_ bytes: [UInt8], onClose: @escaping () -> Void) {
            self.bytes = bytes
            self.onClose = onClose
        }

        func read(maxLength: Int) throws -> [UInt8] {
            let end = min(offset + maxLength, bytes.count)
            defer { offset = end }
            return Array(bytes[offset..<end])
        }

        func close() {
            onClose?()
            onClose = nil
        }
    }
}

/// Collects what a response body writes, and how many writes it took.
private final class BodySink: @unchecked Sendable {
    var bytes: [UInt8] = []
    var writes = 0
    var finished = false
}

private struct SinkWriter: ResponseBodyWriter {
    let sink: BodySink
    mutating func write(_ buffer: ByteBuffer) async throws {
        sink.bytes += buffer.readableBytesView
        sink.writes += 1
    }
    consuming func finish(_ trailingHeaders: HTTPFields?) async throws { sink.finished = true }
}

private func request(_ method: HTTPRequest.Method = .get, _ fields: HTTPFields = [:]) -> Request {
    Request(
        head: HTTPRequest(method: method, scheme: "http", authority: "localhost", path: "/blob", headerFields: fields),
        body: RequestBody(buffer: ByteBuffer()))
}

private func collect(_ response: Response) async throws -> BodySink {
    let sink = BodySink()
    try await response.body.write(SinkWriter(sink: sink))
    return sink
}

private func randomBytes(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
}

@Suite("BlobResponse")
struct BlobResponseTests {
    static let sha = String(repeating: "ab", count: 32)

    // MARK: Range parsing

    @Test("single ranges: a-b, a-, -n, clipped to the size")
    func singleRanges() {
        #expect(ByteRangeRequest(header: "bytes=0-0", size: 100) == .partial(0...0))
        #expect(ByteRangeRequest(header: "bytes=0-99", size: 100) == .partial(0...99))
        #expect(ByteRangeRequest(header: "bytes=10-19", size: 100) == .partial(10...19))
        #expect(ByteRangeRequest(header: "bytes=50-", size: 100) == .partial(50...99))
        #expect(ByteRangeRequest(header: "bytes=99-", size: 100) == .partial(99...99))
        #expect(ByteRangeRequest(header: "bytes=-10", size: 100) == .partial(90...99))
        #expect(ByteRangeRequest(header: "bytes=-1", size: 100) == .partial(99...99))
        // An end past the last byte is clipped; a suffix longer than the file is the whole file.
        #expect(ByteRangeRequest(header: "bytes=90-1000", size: 100) == .partial(90...99))
        #expect(ByteRangeRequest(header: "bytes=0-1000", size: 100) == .partial(0...99))
        #expect(ByteRangeRequest(header: "bytes=-500", size: 100) == .partial(0...99))
        // The unit is case-insensitive; spaces around the range are allowed.
        #expect(ByteRangeRequest(header: "Bytes=1-2", size: 100) == .partial(1...2))
        #expect(ByteRangeRequest(header: "bytes= 1-2 ", size: 100) == .partial(1...2))
        #expect(ByteRangeRequest(header: "bytes=1-2,", size: 100) == .partial(1...2))
    }

    @Test("unsatisfiable: -0, a start at or past the end, any start on an empty file")
    func unsatisfiable() {
        #expect(ByteRangeRequest(header: "bytes=-0", size: 100) == .unsatisfiable)
        #expect(ByteRangeRequest(header: "bytes=100-", size: 100) == .unsatisfiable)
        #expect(ByteRangeRequest(header: "bytes=100-200", size: 100) == .unsatisfiable)
        #expect(ByteRangeRequest(header: "bytes=0-", size: 0) == .unsatisfiable)
        #expect(ByteRangeRequest(header: "bytes=-0", size: 0) == .unsatisfiable)
        // A suffix of an empty file selects nothing to send: the whole (empty) file.
        #expect(ByteRangeRequest(header: "bytes=-5", size: 0) == .whole)
    }

    @Test("numbers too big for 64 bits: a start is past the end, an end or a suffix covers the rest")
    func overflow() {
        #expect(ByteRangeRequest(header: "bytes=99999999999999999999-", size: 100) == .unsatisfiable)
        #expect(ByteRangeRequest(header: "bytes=9223372036854775807-", size: 100) == .unsatisfiable)
        #expect(ByteRangeRequest(header: "bytes=99999999999999999999-99999999999999999999", size: 100) == .unsatisfiable)
        #expect(ByteRangeRequest(header: "bytes=5-99999999999999999999", size: 100) == .partial(5...99))
        #expect(ByteRangeRequest(header: "bytes=-99999999999999999999", size: 100) == .partial(0...99))
    }

    @Test("anything else is ignored: the whole file with 200")
    func ignored() {
        for header in [
            nil, "", "garbage", "bytes", "bytes=", "bytes=-", "bytes=a-b", "bytes=1-a", "bytes=5-3", "bytes=+1-2", "bytes=1 -2",
            "bytes=--1", "bytes=1-2-3", "items=0-1", "bytes 0-1", "=0-1", "bytes=0x10-20", "bytes=٣-4",
            // Several ranges (would be multipart/byteranges): whole file.
            "bytes=0-1,5-6", "bytes=0-0, -1", "bytes=0-1,100-",
        ] {
            #expect(ByteRangeRequest(header: header, size: 100) == .whole, "\(header ?? "nil")")
        }
    }

    @Test("If-Range: only this ETag, compared strongly")
    func ifRange() {
        let etag = "\"\(Self.sha)\""
        #expect(IfRange.allows(nil, etag: etag))
        #expect(IfRange.allows(etag, etag: etag))
        #expect(IfRange.allows(" \(etag) ", etag: etag))
        #expect(!IfRange.allows("W/\(etag)", etag: etag))
        #expect(!IfRange.allows("\"other\"", etag: etag))
        #expect(!IfRange.allows("Sat, 21 Nov 2026 10:00:00 GMT", etag: etag))
    }

    // MARK: Responses

    /// Both paths: the small-blob memory cache, and the file stream (a cache that admits nothing, 7-byte chunks).
    fileprivate static func downloads(_ store: CountingBlobStore, cached: Bool) -> (BlobDownloads, BlobMemoryCache) {
        let cache = cached ? BlobMemoryCache(budget: 1 << 20, maxBlobSize: 64 * 1024) : BlobMemoryCache(budget: 0)
        return (BlobDownloads(blobs: store, cache: cache, chunkSize: 7), cache)
    }

    static let fileHeaders: HTTPFields = [.contentType: "application/octet-stream", .cacheControl: "public, max-age=31536000, immutable"]

    @Test("GET: 200 with ETag, Content-Length, Accept-Ranges and the format's headers; ranges 206 with Content-Range", arguments: [true, false])
    func getAndRanges(cached: Bool) async throws {
        let store = CountingBlobStore()
        let bytes = randomBytes(1000)
        store.put(bytes, sha256: Self.sha)
        let (downloads, _) = Self.downloads(store, cached: cached)

        let whole = try downloads.response(sha256: Self.sha, name: "a.tgz", request: request(), headers: Self.fileHeaders)
        #expect(whole.status == .ok)
        #expect(whole.headers[.eTag] == "\"\(Self.sha)\"")
        #expect(whole.headers[.contentLength] == "1000")
        #expect(whole.headers[.acceptRanges] == "bytes")
        #expect(whole.headers[.contentType] == "application/octet-stream")
        #expect(whole.headers[.cacheControl] == "public, max-age=31536000, immutable")
        #expect(whole.headers[.contentRange] == nil)
        let wholeBody = try await collect(whole)
        #expect(wholeBody.bytes == bytes && wholeBody.finished)

        for (header, range) in [
            ("bytes=0-0", 0...0), ("bytes=10-19", 10...19), ("bytes=990-", 990...999), ("bytes=-25", 975...999),
            ("bytes=500-5000", 500...999), ("bytes=0-", 0...999),
        ] {
            let partial = try downloads.response(
                sha256: Self.sha, name: "a.tgz", request: request(.get, [.range: header]), headers: Self.fileHeaders)
            #expect(partial.status == .partialContent, "\(header)")
            #expect(partial.headers[.contentRange] == "bytes \(range.lowerBound)-\(range.upperBound)/1000", "\(header)")
            #expect(partial.headers[.contentLength] == String(range.count), "\(header)")
            #expect(partial.headers[.eTag] == "\"\(Self.sha)\"")
            #expect(try await collect(partial).bytes == Array(bytes[range]), "\(header)")
        }

        let garbage = try downloads.response(
            sha256: Self.sha, name: "a.tgz", request: request(.get, [.range: "bytes=oops"]), headers: Self.fileHeaders)
        #expect(garbage.status == .ok)
        #expect(try await collect(garbage).bytes == bytes)
        // Every reader opened was closed.
        #expect(store.openCount == store.closeCount)
    }

    @Test("416 with Content-Range bytes */size, no body, not cacheable", arguments: [true, false])
    func unsatisfiableResponse(cached: Bool) async throws {
        let store = CountingBlobStore()
        store.put(randomBytes(100), sha256: Self.sha)
        let (downloads, _) = Self.downloads(store, cached: cached)
        for header in ["bytes=100-", "bytes=-0", "bytes=99999999999999999999-"] {
            let response = try downloads.response(
                sha256: Self.sha, name: "a.tgz", request: request(.get, [.range: header]), headers: Self.fileHeaders)
            #expect(response.status == .rangeNotSatisfiable, "\(header)")
            #expect(response.headers[.contentRange] == "bytes */100")
            #expect(response.headers[.cacheControl] == "no-store")
            #expect(try await collect(response).bytes.isEmpty)
        }
        #expect(store.openCount == store.closeCount)
    }

    @Test("If-None-Match with the ETag: 304 without opening the blob", arguments: [true, false])
    func notModified(cached: Bool) async throws {
        let store = CountingBlobStore()
        store.put(randomBytes(100), sha256: Self.sha)
        let (downloads, _) = Self.downloads(store, cached: cached)
        for header in ["\"\(Self.sha)\"", "\"x\", \"\(Self.sha)\"", "W/\"\(Self.sha)\"", "*"] {
            for method in [HTTPRequest.Method.get, .head] {
                let response = try downloads.response(
                    sha256: Self.sha, name: "a.tgz", request: request(method, [.ifNoneMatch: header, .range: "bytes=0-1"]),
                    headers: Self.fileHeaders)
                #expect(response.status == .notModified, "\(method) \(header)")
                #expect(response.headers[.eTag] == "\"\(Self.sha)\"")
                #expect(response.headers[.cacheControl] == "public, max-age=31536000, immutable")
            }
        }
        #expect(store.openCount == 0)
        let other = try downloads.response(
            sha256: Self.sha, name: "a.tgz", request: request(.get, [.ifNoneMatch: "\"other\""]), headers: Self.fileHeaders)
        #expect(other.status == .ok)
        #expect(try await collect(other).bytes.count == 100)
    }

    @Test("If-Range: the range with the matching ETag, the whole file with another tag or a date", arguments: [true, false])
    func ifRangeResponses(cached: Bool) async throws {
        let store = CountingBlobStore()
        let bytes = randomBytes(100)
        store.put(bytes, sha256: Self.sha)
        let (downloads, _) = Self.downloads(store, cached: cached)
        let matching = try downloads.response(
            sha256: Self.sha, name: "a.tgz", request: request(.get, [.range: "bytes=10-", .ifRange: "\"\(Self.sha)\""]),
            headers: Self.fileHeaders)
        #expect(matching.status == .partialContent)
        #expect(try await collect(matching).bytes == Array(bytes[10...]))
        for validator in ["\"stale\"", "W/\"\(Self.sha)\"", "Sat, 21 Nov 2026 10:00:00 GMT"] {
            let response = try downloads.response(
                sha256: Self.sha, name: "a.tgz", request: request(.get, [.range: "bytes=10-", .ifRange: validator]),
                headers: Self.fileHeaders)
            #expect(response.status == .ok, "\(validator)")
            #expect(response.headers[.contentRange] == nil)
            #expect(try await collect(response).bytes == bytes)
        }
    }

    @Test("HEAD: the GET's headers and length, no body, Range ignored", arguments: [true, false])
    func head(cached: Bool) async throws {
        let store = CountingBlobStore()
        store.put(randomBytes(1000), sha256: Self.sha)
        let (downloads, _) = Self.downloads(store, cached: cached)
        for fields: HTTPFields in [[:], [.range: "bytes=0-9"]] {
            let response = try downloads.response(sha256: Self.sha, name: "a.tgz", request: request(.head, fields), headers: Self.fileHeaders)
            #expect(response.status == .ok)
            #expect(response.headers[.contentLength] == "1000")
            #expect(response.headers[.eTag] == "\"\(Self.sha)\"")
            #expect(response.headers[.acceptRanges] == "bytes")
            #expect(response.headers[.contentRange] == nil)
            #expect(try await collect(response).bytes.isEmpty)
        }
        #expect(store.openCount == store.closeCount)
    }

    @Test("a cached blob is read once and then written as one buffer; a range is a slice of it")
    func memoryCache() async throws {
        let store = CountingBlobStore()
        let bytes = randomBytes(50_000)
        store.put(bytes, sha256: Self.sha)
        let (downloads, cache) = Self.downloads(store, cached: true)
        for _ in 0..<3 {
            let sink = try await collect(try downloads.response(sha256: Self.sha, name: "a.tgz", request: request(), headers: [:]))
            #expect(sink.bytes == bytes)
            #expect(sink.writes == 1)
        }
        let range = try await collect(
            try downloads.response(sha256: Self.sha, name: "a.tgz", request: request(.get, [.range: "bytes=100-199"]), headers: [:]))
        #expect(range.bytes == Array(bytes[100...199]) && range.writes == 1)
        // A HEAD of a cached blob opens nothing either.
        _ = try downloads.response(sha256: Self.sha, name: "a.tgz", request: request(.head), headers: [:])
        #expect(store.openCount == 1)
        #expect(cache.count == 1 && cache.totalBytes >= 50_000)
        #expect(cache.buffer(sha256: Self.sha).map { Array($0.readableBytesView) } == bytes)
    }

    @Test("blobs over the cache's limit stream in chunks and are not kept")
    func streamedNotKept() async throws {
        let store = CountingBlobStore()
        let bytes = randomBytes(100_000)
        store.put(bytes, sha256: Self.sha)
        let cache = BlobMemoryCache(budget: 1 << 20, maxBlobSize: 64 * 1024)
        let downloads = BlobDownloads(blobs: store, cache: cache, chunkSize: 16 * 1024)
        let sink = try await collect(try downloads.response(sha256: Self.sha, name: "a.jar", request: request(), headers: [:]))
        #expect(sink.bytes == bytes)
        #expect(sink.writes == 7)  // ceil(100_000 / 16_384)
        let tail = try await collect(
            try downloads.response(sha256: Self.sha, name: "a.jar", request: request(.get, [.range: "bytes=-40000"]), headers: [:]))
        #expect(tail.bytes == Array(bytes[60_000...]))
        #expect(cache.count == 0)
        #expect(store.openCount == 2 && store.closeCount == 2)
    }

    @Test("a missing blob is a 404 BlobMissing")
    func missing() {
        let (downloads, _) = Self.downloads(CountingBlobStore(), cached: true)
        for method in [HTTPRequest.Method.get, .head] {
            let error = #expect(throws: DepotError.self) {
                try downloads.response(sha256: Self.sha, name: "a.tgz", request: request(method), headers: [:])
            }
            #expect(error?.kind == .notFound && error?.code == "BlobMissing")
        }
    }

    @Test("deleting through the evicting store drops the cached bytes")
    func deleteEvicts() async throws {
        let store = CountingBlobStore()
        store.put(randomBytes(10), sha256: Self.sha)
        let cache = BlobMemoryCache()
        let blobs = cache.evictingOnDelete(store)
        let downloads = BlobDownloads(blobs: blobs, cache: cache)
        _ = try await collect(try downloads.response(sha256: Self.sha, name: "a.tgz", request: request(), headers: [:]))
        #expect(cache.buffer(sha256: Self.sha) != nil)
        try blobs.delete(sha256: Self.sha)
        #expect(cache.buffer(sha256: Self.sha) == nil && cache.totalBytes == 0)
        #expect(!blobs.contains(sha256: Self.sha))
        #expect(throws: DepotError.self) {
            try downloads.response(sha256: Self.sha, name: "a.tgz", request: request(), headers: [:])
        }
    }

    @Test("through a router: GET, Range and HEAD over HTTP")
    func throughRouter() async throws {
        let store = CountingBlobStore()
        let bytes = randomBytes(3000)
        store.put(bytes, sha256: Self.sha)
        let downloads = BlobDownloads(blobs: store, cache: BlobMemoryCache(), chunkSize: 1000)
        let router = Router(context: DepotRequestContext.self)
        router.get("/blob") { request, _ in try downloads.response(sha256: Self.sha, name: "a.tgz", request: request, headers: Self.fileHeaders) }
        router.head("/blob") { request, _ in try downloads.response(sha256: Self.sha, name: "a.tgz", request: request, headers: Self.fileHeaders) }
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/blob", method: .get) { response in
                #expect(response.status == .ok)
                #expect(Array(buffer: response.body) == bytes)
            }
            try await client.execute(uri: "/blob", method: .get, headers: [.range: "bytes=1000-1001"]) { response in
                #expect(response.status == .partialContent)
                #expect(response.headers[.contentRange] == "bytes 1000-1001/3000")
                #expect(Array(buffer: response.body) == Array(bytes[1000...1001]))
            }
            try await client.execute(uri: "/blob", method: .head) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentLength] == "3000")
                #expect(response.body.readableBytes == 0)
            }
        }
    }
}
