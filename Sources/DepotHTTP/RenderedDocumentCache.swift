import CompressNIO
import Crypto
import DepotCore
import Foundation
import HTTPTypes
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
        if request.isNotModified(etag: document.etag, repeatable: repeatable) { return .notModified(headers) }
        if let gzipped = document.gzipped, (request.headers[.acceptEncoding] ?? "").includes("gzip") {
            headers[.contentEncoding] = "gzip"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: gzipped)).repeatable(repeatable)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: document.body)).repeatable(repeatable)
    }
}

extension Response {
    /// A 304 carrying, of the 200's `headers`, only what RFC 9110 §15.4.5 asks for (the validators and the caching
    /// fields): the client keeps the rest from the answer it has, and every byte less counts on the hottest request.
    /// No `Content-Length` either: Hummingbird would add `0`, which RFC 9110 §8.6 forbids on a 304 (it would have to
    /// be the 200's length).
    public static func notModified(_ headers: HTTPFields) -> Response {
        var response = Response(status: .notModified, headers: headers.notModifiedFields)
        response.headers[.contentLength] = nil
        return response
    }
}

extension HTTPFields {
    /// The fields a 304 repeats from its 200 (RFC 9110 §15.4.5), plus `Last-Modified` (it guides caches too).
    static let notModifiedNames: Set<HTTPField.Name> = [.eTag, .cacheControl, .expires, .vary, .contentLocation, .date, .lastModified]

    public var notModifiedFields: HTTPFields {
        HTTPFields(filter { Self.notModifiedNames.contains($0.name) })
    }
}

extension HTTPResponse {
    /// The 304 that answers a revalidation of this 200 (its RFC 9110 fields only).
    var notModified: HTTPResponse { HTTPResponse(status: .notModified, headerFields: headerFields.notModifiedFields) }
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
