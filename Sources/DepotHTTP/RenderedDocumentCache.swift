import CompressNIO
import Crypto
import DepotCore
import Foundation
import Hummingbird
import NIOCore

/// Rendered metadata documents (npm packuments, PyPI project pages), plain and gzipped, keyed by what was asked
/// and tagged with a fingerprint of what they were rendered from (package revisions, upstream fetch times): any
/// change gives a new fingerprint, so a stale entry is never served.
public final class RenderedDocumentCache: Sendable {
    public struct Document: Sendable {
        public var fingerprint: String
        public var etag: String
        public var body: ByteBuffer
        public var gzipped: ByteBuffer?
    }

    /// Bounded by bytes: a full packument of a popular package is tens of MB (and is kept with its gzipped form).
    private let entries: CostBoundedCache<Document>

    public init(budget: Int = 128 << 20) {
        entries = CostBoundedCache(budget: budget)
    }

    /// The cached document if it was rendered from this fingerprint.
    public func lookup(key: String, fingerprint: String) -> Document? {
        entries.value(forKey: key).flatMap { $0.fingerprint == fingerprint ? $0 : nil }
    }

    /// Stores a freshly rendered document (with its ETag and gzipped form) and returns it.
    public func store(key: String, fingerprint: String, body: ByteBuffer) -> Document {
        let document = Self.document(body: body, fingerprint: fingerprint)
        entries.set(document, forKey: key, cost: body.readableBytes + (document.gzipped?.readableBytes ?? 0) + key.utf8.count)
        return document
    }

    /// A document with its ETag and, when it is worth it, its gzipped form; not cached.
    public static func document(body: ByteBuffer, fingerprint: String = "") -> Document {
        let etag = "\"" + String(Hex.encode(SHA256.hash(data: Data(body.readableBytesView))).prefix(32)) + "\""
        var gzipped: ByteBuffer?
        if body.readableBytes > 1024 {
            var copy = body
            gzipped = try? copy.compress(with: .gzip())
        }
        return Document(fingerprint: fingerprint, etag: etag, body: body, gzipped: gzipped)
    }

    /// The document as a response: 304 when the client has it (`If-None-Match`), gzipped when it accepts that.
    /// `headers` carries the content type and caching headers; ETag and Vary are added here. `repeatable`: the
    /// document was made from this server's packages only (see `Response.repeatable`).
    public static func response(for document: Document, headers: HTTPFields, request: Request, repeatable: Bool = false) -> Response {
        var headers = headers
        headers[.eTag] = document.etag
        headers[.vary] = "Accept, Accept-Encoding"
        if EntityTag.matches(request.headers[.ifNoneMatch], document.etag) { return Response(status: .notModified, headers: headers) }
        if let gzipped = document.gzipped, (request.headers[.acceptEncoding] ?? "").includes("gzip") {
            headers[.contentEncoding] = "gzip"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: gzipped)).repeatable(repeatable)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: document.body)).repeatable(repeatable)
    }
}

/// `If-None-Match` against a response's ETag.
public enum EntityTag {
    /// True when the header lists `etag` (or is `*`): the client has these bytes, the answer is 304.
    public static func matches(_ ifNoneMatch: String?, _ etag: String) -> Bool {
        guard let ifNoneMatch else { return false }
        // What clients send back: the one tag they were given.
        if ifNoneMatch == etag { return true }
        return ifNoneMatch.split(separator: ",").contains { tag in
            let tag = tag.trimmingBlanks()
            return tag == "*" || tag == etag || (tag.hasPrefix("W/") && tag.dropFirst(2) == etag)
        }
    }
}
