import Crypto
import DepotCore
import Foundation
import NIOCore
import CompressNIO
import Synchronization

/// Rendered packuments (plain and gzipped), keyed by package, variant and registry URL and tagged with the
/// package revision: any change bumps the revision, so a stale entry is never served.
final class PackumentCache: Sendable {
    struct Document: Sendable {
        var revision: Int64
        var etag: String
        var body: ByteBuffer
        var gzipped: ByteBuffer?
    }

    private let entries = Mutex<[String: Document]>([:])
    private let capacity: Int

    init(capacity: Int = 2000) {
        self.capacity = capacity
    }

    func document(key: String, revision: Int64, render: () throws -> ByteBuffer) rethrows -> Document {
        if let hit = entries.withLock({ $0[key] }), hit.revision == revision { return hit }
        let body = try render()
        let etag = "\"" + String(Hex.encode(SHA256.hash(data: Data(body.readableBytesView))).prefix(32)) + "\""
        var gzipped: ByteBuffer?
        if body.readableBytes > 1024 {
            var copy = body
            gzipped = try? copy.compress(with: .gzip())
        }
        let document = Document(revision: revision, etag: etag, body: body, gzipped: gzipped)
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = document
        }
        return document
    }
}
