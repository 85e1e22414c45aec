import DepotCore
import Foundation

/// The multipart body of a publish (§4.6): `source-archive` streamed into a blob writer (hashed as it is written,
/// never whole in memory), the small parts (`metadata`, `source-archive-signature`, `metadata-signature`) kept.
/// Each part may come once; any other part, or a body that ends before its closing delimiter, is refused.
/// Used by one task only.
final class PublishForm {
    enum Part: String, CaseIterable {
        case sourceArchive = "source-archive"
        case sourceArchiveSignature = "source-archive-signature"
        case metadata
        case metadataSignature = "metadata-signature"
    }

    struct Result {
        var archive: BlobDigests
        var metadata: Data?
        var archiveSignature: Data?
        var metadataSignature: Data?
    }

    /// Signatures are CMS blobs of a few KiB.
    static let maxSignatureSize = 64 * 1024

    let writer: any BlobWriter
    private var stream: MultipartStream
    private let limit: Int
    private let maxMetadataSize: Int
    private var received = 0
    private var current: Part?
    private var currentIsBase64 = false
    private var currentBytes: [UInt8] = []
    private var seen: Set<Part> = []
    private var small: [Part: Data] = [:]
    private var archiveComplete = false

    init(boundary: String, writer: any BlobWriter, limit: Int, maxMetadataSize: Int) {
        self.writer = writer
        self.limit = limit
        self.maxMetadataSize = maxMetadataSize
        stream = MultipartStream(boundary: boundary)
    }

    func feed(_ chunk: some Collection<UInt8>) throws {
        received += chunk.count
        guard received <= limit else { throw DepotError.tooLarge("the request body is larger than the limit of \(limit) bytes") }
        do {
            try stream.feed(chunk) { try handle($0) }
        } catch let error as MultipartStream.SyntaxError {
            throw DepotError.badRequest("malformed multipart body: \(error.reason)", code: "MalformedBody")
        }
    }

    /// The form once the whole body has been fed; the archive's writer is finished (not committed).
    func finish() throws -> Result {
        guard stream.isClosed else {
            throw DepotError.badRequest("malformed multipart body: it ends before its closing boundary", code: "MalformedBody")
        }
        guard archiveComplete else {
            throw DepotError.badRequest("the request has no source-archive part", code: "MissingSourceArchive")
        }
        return Result(
            archive: try writer.finish(), metadata: small[.metadata], archiveSignature: small[.sourceArchiveSignature],
            metadataSignature: small[.metadataSignature])
    }

    private func handle(_ event: MultipartStream.Event) throws {
        switch event {
        case .partHeaders(let headers):
            try begin(headers)
        case .partBytes(let bytes):
            guard let current else { return }
            if current == .sourceArchive {
                try bytes.withUnsafeBytes { try writer.write($0) }
            } else {
                let cap = current == .metadata ? maxMetadataSize : Self.maxSignatureSize
                // Base64 text is a third longer than the bytes it stands for.
                guard currentBytes.count + bytes.count <= (currentIsBase64 ? cap / 3 * 4 + 4 : cap) else {
                    throw DepotError.tooLarge("the \(current.rawValue) part is larger than \(cap) bytes")
                }
                currentBytes.append(contentsOf: bytes)
            }
        case .partEnd:
            guard let part = current else { return }
            if part == .sourceArchive {
                archiveComplete = true
            } else if currentIsBase64 {
                let text = String(decoding: currentBytes, as: UTF8.self).filter { !$0.isWhitespace }
                guard let decoded = Data(base64Encoded: text) else {
                    throw DepotError.badRequest("the \(part.rawValue) part is not valid base64", code: "MalformedBody")
                }
                small[part] = decoded
            } else {
                small[part] = Data(currentBytes)
            }
            current = nil
            currentBytes = []
        }
    }

    private func begin(_ headers: [(name: String, value: String)]) throws {
        guard let disposition = headers.first(where: { $0.name.lowercased() == "content-disposition" })?.value,
            let name = Self.parameter("name", of: disposition)
        else {
            throw DepotError.badRequest("a multipart part has no Content-Disposition name", code: "MalformedBody")
        }
        guard let part = Part(rawValue: name) else {
            throw DepotError.badRequest("unexpected multipart part '\(name.prefix(64))'", code: "UnexpectedPart")
        }
        guard seen.insert(part).inserted else {
            throw DepotError.badRequest("the \(name) part comes more than once", code: "DuplicatePart")
        }
        let encoding = headers.first(where: { $0.name.lowercased() == "content-transfer-encoding" })?.value.lowercased()
        switch encoding {
        case nil, "binary", "8bit", "7bit":
            currentIsBase64 = false
        case "quoted-printable" where part == .metadata:
            // SwiftPM labels its metadata so but sends the JSON as it is (an `=` in a URL would not survive decoding).
            currentIsBase64 = false
        case "base64" where part != .sourceArchive:
            currentIsBase64 = true
        default:
            throw DepotError.badRequest(
                "Content-Transfer-Encoding '\(encoding?.prefix(32) ?? "")' is not supported for \(name) (send binary)",
                code: "UnsupportedTransferEncoding")
        }
        current = part
        currentBytes = []
    }

    /// A parameter of a header value (`name="source-archive"`), unquoted; nil when absent.
    static func parameter(_ key: String, of value: String) -> String? {
        for piece in value.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingBlanks().lowercased() == key else { continue }
            var text = pair[1].trimmingBlanks()
            if text.count >= 2, text.first == "\"", text.last == "\"" { text = text.dropFirst().dropLast() }
            return String(text)
        }
        return nil
    }

    /// The boundary of a `multipart/form-data` Content-Type (quoted or not, 1 to 200 characters); nil otherwise.
    static func boundary(ofContentType contentType: String?) -> String? {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        guard let boundary = parameter("boundary", of: contentType), (1...200).contains(boundary.utf8.count),
            !boundary.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F })
        else { return nil }
        return boundary
    }
}
