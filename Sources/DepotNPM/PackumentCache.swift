import Crypto
import DepotCore
import Foundation
import NIOCore
import CompressNIO

/// Rendered packuments (plain and gzipped), keyed by package, variant and registry URL and tagged with the
/// package revision: any change bumps the revision, so a stale entry is never served.
final class PackumentCache: Sendable {
    struct Document: Sendable {
        var revision: String
        var etag: String
        var body: ByteBuffer
        var gzipped: ByteBuffer?
    }

    /// Bounded by bytes: a full packument of a popular package is tens of MB (and is kept with its gzipped form).
    private let entries: CostBoundedCache<Document>

    init(budget: Int = 128 << 20) {
        entries = CostBoundedCache(budget: budget)
    }

    /// The cached document if it was rendered at this revision.
    func lookup(key: String, revision: String) -> Document? {
        entries.value(forKey: key).flatMap { $0.revision == revision ? $0 : nil }
    }

    /// Stores a freshly rendered document (with its ETag and gzipped form) and returns it.
    func store(key: String, revision: String, body: ByteBuffer) -> Document {
        let etag = "\"" + String(Hex.encode(SHA256.hash(data: Data(body.readableBytesView))).prefix(32)) + "\""
        var gzipped: ByteBuffer?
        if body.readableBytes > 1024 {
            var copy = body
            gzipped = try? copy.compress(with: .gzip())
        }
        let document = Document(revision: revision, etag: etag, body: body, gzipped: gzipped)
        entries.set(document, forKey: key, cost: body.readableBytes + (gzipped?.readableBytes ?? 0) + key.utf8.count)
        return document
    }
}
