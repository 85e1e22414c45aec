import DepotCore
import Foundation
import Hummingbird
import NIOCore

/// Artifact downloads of every format (tarballs, wheels, jars, poms): one answer to GET and HEAD of a stored blob.
///
/// A blob is named by its SHA-256 and never changes, so its strong `ETag` is that digest: `If-None-Match` gets 304
/// before any file is opened, and `Range` (one range; `If-Range` with that ETag) gets 206 or 416. Blobs up to
/// `BlobMemoryCache.maxBlobSize` are read once into a `ByteBuffer` that is kept and written as it is (a range is a
/// slice of it); bigger ones stream from their file in `chunkSize` reads made straight into the response's buffers.
public struct BlobDownloads: Sendable {
    let blobs: any BlobStore
    let cache: BlobMemoryCache
    /// Bytes per read and per write for blobs streamed from their file.
    let chunkSize: Int

    public init(blobs: any BlobStore, cache: BlobMemoryCache, chunkSize: Int = 256 * 1024) {
        self.blobs = blobs
        self.cache = cache
        self.chunkSize = max(1, chunkSize)
    }

    /// The answer to `request` (GET or HEAD) for `asset`'s bytes. `headers` are the format's (content type,
    /// `Cache-Control`, ...); `ETag`, `Content-Length`, `Accept-Ranges` and `Content-Range` are added here.
    public func response(for asset: Asset, request: Request, headers: HTTPFields) throws -> Response {
        try response(sha256: asset.digests.sha256, name: asset.name, request: request, headers: headers)
    }

    public func response(sha256: String, name: String, request: Request, headers: HTTPFields) throws -> Response {
        var headers = headers
        let etag = "\"\(sha256)\""
        headers[.eTag] = etag
        if EntityTag.matches(request.headers[.ifNoneMatch], etag) {
            return .notModified(headers)
        }
        headers[.acceptRanges] = "bytes"
        let missing = DepotError.notFound("the bytes of \(name) are missing from the blob store", code: "BlobMissing")
        let cached = cache.buffer(sha256: sha256)

        if request.method == .head {
            // Range is defined for GET only (RFC 9110 §14.2): a HEAD describes the whole file, and reads none of it.
            let size: Int64
            if let cached {
                size = Int64(cached.readableBytes)
            } else {
                guard let reader = try blobs.openReader(sha256: sha256) else { throw missing }
                size = reader.size
                reader.close()
            }
            headers[.contentLength] = String(size)
            return Response(status: .ok, headers: headers, body: ResponseBody())
        }

        // A Range under an If-Range naming other bytes (another tag, or a date: no Last-Modified is sent) is dropped.
        let range = IfRange.allows(request.headers[.ifRange], etag: etag) ? request.headers[.range] : nil
        if let cached { return Self.response(serving: cached, range: range, headers: headers) }
        guard let reader = try blobs.openReader(sha256: sha256) else { throw missing }
        let size = reader.size
        if cache.admits(size: size) {
            defer { reader.close() }
            let buffer = try Self.readWhole(reader, size: Int(size), name: name)
            cache.store(buffer, sha256: sha256)
            return Self.response(serving: buffer, range: range, headers: headers)
        }
        return Self.response(size: size, range: range, headers: headers) { offset, length in
            Self.stream(reader, offset: offset, length: length, chunkSize: chunkSize)
        } unsatisfiable: {
            reader.close()
        }
    }

    /// A kept buffer, whole or sliced: no byte is copied.
    static func response(serving buffer: ByteBuffer, range: String?, headers: HTTPFields) -> Response {
        response(size: Int64(buffer.readableBytes), range: range, headers: headers) { offset, length in
            ResponseBody(byteBuffer: buffer.getSlice(at: buffer.readerIndex + Int(offset), length: Int(length)) ?? ByteBuffer())
        } unsatisfiable: {}.repeatable(range == nil)
    }

    /// 200, 206 or 416 for a representation of `size` bytes; `body` makes the bytes of (offset, length).
    static func response(
        size: Int64, range header: String?, headers: HTTPFields, body: (Int64, Int64) -> ResponseBody, unsatisfiable: () -> Void
    ) -> Response {
        var headers = headers
        switch ByteRangeRequest(header: header, size: size) {
        case .whole:
            headers[.contentLength] = String(size)
            return Response(status: .ok, headers: headers, body: body(0, size))
        case .partial(let range):
            let length = range.upperBound - range.lowerBound + 1
            headers[.contentLength] = String(length)
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
            return Response(status: .partialContent, headers: headers, body: body(range.lowerBound, length))
        case .unsatisfiable:
            unsatisfiable()
            headers[.contentRange] = "bytes */\(size)"
            // Not the file: no shared cache may keep this answer for the file's URL.
            headers[.cacheControl] = "no-store"
            headers[.contentLength] = "0"
            return Response(status: .rangeNotSatisfiable, headers: headers, body: ResponseBody())
        }
    }

    /// The whole blob in one buffer of exactly its size, read into it directly.
    static func readWhole(_ reader: any BlobReader, size: Int, name: String) throws -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: size)
        let read = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { free in
            try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: free.prefix(size)))
        }
        guard read == size else { throw truncated(name) }
        return buffer
    }

    /// `length` bytes from `offset`, read into the buffer that is then written. The same memory is used again once
    /// the channel has sent it (`clear` allocates anew only while the channel still holds the last chunk), so memory
    /// stays flat however big the file. The read is read(2) on this task's thread, as nginx reads on its event loop
    /// without `aio threads`: a page-cache hit costs microseconds, less than a hop to a thread pool per chunk.
    static func stream(_ reader: any BlobReader, offset: Int64, length: Int64, chunkSize: Int) -> ResponseBody {
        let box = ReaderBox(reader)
        return ResponseBody(contentLength: Int(length)) { writer in
            defer { box.reader.close() }
            try box.reader.skip(offset)
            var remaining = length
            var chunk = ByteBufferAllocator().buffer(capacity: Int(min(Int64(chunkSize), length)))
            while remaining > 0 {
                let wanted = Int(min(Int64(chunkSize), remaining))
                chunk.clear(minimumCapacity: wanted)
                let read = try chunk.writeWithUnsafeMutableBytes(minimumWritableBytes: wanted) { free in
                    try box.reader.read(into: UnsafeMutableRawBufferPointer(rebasing: free.prefix(wanted)))
                }
                // The file is shorter than its size said: stop, so the client sees a short body, not a wrong one.
                guard read > 0 else { throw truncated("blob") }
                remaining -= Int64(read)
                try await writer.write(chunk)
            }
            try await writer.finish(nil)
        }
    }

    static func truncated(_ name: String) -> DepotError {
        DepotError(.internalError, code: "BlobTruncated", "the bytes of \(name) in the blob store are shorter than their size")
    }
}

/// What a `Range` header asks of a representation of `size` bytes (RFC 9110 §14.1.2).
public enum ByteRangeRequest: Equatable, Sendable {
    /// No usable range (none, not `bytes`, malformed, or several): the whole representation, 200.
    case whole
    /// One satisfiable range, clipped to the size (offsets inclusive): 206.
    case partial(ClosedRange<Int64>)
    /// A well-formed range no byte falls into (`bytes=-0`, a start at or past the end): 416.
    case unsatisfiable

    public init(header: String?, size: Int64) {
        guard let header, let equals = header.firstIndex(of: "=") else {
            self = .whole
            return
        }
        guard Self.trimmed(header[..<equals]).lowercased() == "bytes" else {
            self = .whole
            return
        }
        // Several ranges would need a multipart/byteranges answer; a server may ignore Range (RFC 9110 §14.2), so
        // they get the whole file with 200. Clients resuming or probing send one range.
        let specs = header[header.index(after: equals)...].split(separator: ",", omittingEmptySubsequences: false)
            .map(Self.trimmed).filter { !$0.isEmpty }
        guard specs.count == 1, let spec = specs.first, let dash = spec.firstIndex(of: "-") else {
            self = .whole
            return
        }
        let first = spec[..<dash]
        let last = spec[spec.index(after: dash)...]
        if first.isEmpty {
            // `-n`: the last n bytes; n = 0 selects nothing. An empty file has no last bytes to send: 200, empty.
            guard let suffix = Self.number(last) else {
                self = .whole
                return
            }
            if suffix == 0 {
                self = .unsatisfiable
            } else if size == 0 {
                self = .whole
            } else {
                self = .partial(max(0, size - suffix)...(size - 1))
            }
            return
        }
        guard let start = Self.number(first) else {
            self = .whole
            return
        }
        var end = size - 1
        if !last.isEmpty {
            // `a-b` with b < a is not a range at all: ignored.
            guard let given = Self.number(last), given >= start else {
                self = .whole
                return
            }
            end = min(given, end)
        }
        self = start < size ? .partial(start...end) : .unsatisfiable
    }

    /// ASCII digits only (no sign, no space), saturating at Int64.max: a start that overflows is past any end,
    /// an end that does is clipped.
    static func number(_ text: Substring) -> Int64? {
        guard !text.isEmpty else { return nil }
        var value: Int64 = 0
        for byte in text.utf8 {
            guard (48...57).contains(byte) else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int64(byte - 48))
            value = overflow1 || overflow2 ? Int64.max : sum
        }
        return value
    }

    static func trimmed(_ text: Substring) -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !isSpace($0) }), let last = text.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return text[first...last]
    }
}

/// `If-Range` (RFC 9110 §13.1.5): the range applies only when the client's validator is this ETag, compared strongly.
public enum IfRange {
    public static func allows(_ ifRange: String?, etag: String) -> Bool {
        guard let ifRange else { return true }
        return ByteRangeRequest.trimmed(Substring(ifRange)) == etag
    }
}

/// Small blobs' bytes kept in memory, by SHA-256, within a budget of bytes (least recently used go first).
/// Content addressing makes an entry impossible to be stale; a deleted blob is dropped (`evictingOnDelete`).
public final class BlobMemoryCache: Sendable {
    /// 128 MiB of blobs up to 1 MiB each: npm tarballs, poms, checksums, most wheels and jars.
    public static let defaultBudget = 128 << 20
    public static let defaultMaxBlobSize = 1 << 20

    let entries: CostBoundedCache<ByteBuffer>
    /// Largest blob kept; bigger ones are streamed from their file each time.
    public let maxBlobSize: Int

    /// A budget of 0 keeps nothing.
    public init(budget: Int = defaultBudget, maxBlobSize: Int = defaultMaxBlobSize) {
        entries = CostBoundedCache(budget: max(0, budget))
        self.maxBlobSize = max(0, min(maxBlobSize, budget))
    }

    public func buffer(sha256: String) -> ByteBuffer? { entries.value(forKey: sha256) }

    func admits(size: Int64) -> Bool { size <= Int64(maxBlobSize) && entries.budget > 0 }

    func store(_ buffer: ByteBuffer, sha256: String) {
        entries.set(buffer, forKey: sha256, cost: buffer.capacity)
    }

    public func evict(sha256: String) { entries.removeValue(forKey: sha256) }

    /// Bytes held now, and how many blobs.
    public var totalBytes: Int { entries.totalCost }
    public var count: Int { entries.count }

    /// `store`, except that deleting a blob drops it from this cache too. The server hands this to everything that
    /// deletes blobs (the collector), so no path can leave a deleted blob servable from memory.
    public func evictingOnDelete(_ store: any BlobStore) -> any BlobStore {
        EvictingBlobStore(base: store, cache: self)
    }
}

/// A blob store whose deletes also evict the memory cache.
struct EvictingBlobStore: BlobStore {
    let base: any BlobStore
    let cache: BlobMemoryCache

    func makeWriter() throws -> any BlobWriter { try base.makeWriter() }
    func contains(sha256: String) -> Bool { base.contains(sha256: sha256) }
    func openReader(sha256: String) throws -> (any BlobReader)? { try base.openReader(sha256: sha256) }
    func digests(modifiedBefore date: Date) throws -> [String] { try base.digests(modifiedBefore: date) }

    func delete(sha256: String) throws {
        // Before and after: a download that read the file just before it went may have stored it again meanwhile.
        cache.evict(sha256: sha256)
        defer { cache.evict(sha256: sha256) }
        try base.delete(sha256: sha256)
    }
}
