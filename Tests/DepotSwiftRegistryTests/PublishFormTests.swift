import DepotCore
import Foundation
import Testing

@testable import DepotSwiftRegistry

@Suite("Publish form (multipart/form-data)")
struct PublishFormTests {
    static let boundary = "6A2B1B1C-1E2F-4A5B-8C9D-0E1F2A3B4C5D"

    /// A body shaped as SwiftPM 6.3's `RegistryClient.publish` writes it (the metadata labelled quoted-printable, sent raw).
    static func body(archive: [UInt8], metadata: String?, signature: [UInt8]? = nil, metadataSignature: [UInt8]? = nil) -> [UInt8] {
        var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"source-archive\"\r\nContent-Type: application/zip\r\nContent-Transfer-Encoding: binary\r\n\r\n".utf8)
        body += archive
        if let signature {
            body += Array("\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"source-archive-signature\"\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n".utf8)
            body += signature
        }
        if let metadata {
            body += Array("\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"metadata\"\r\nContent-Type: application/json\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\(metadata)".utf8)
        }
        if let metadataSignature {
            body += Array("\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"metadata-signature\"\r\n\r\n".utf8)
            body += metadataSignature
        }
        body += Array("\r\n--\(boundary)--\r\n".utf8)
        return body
    }

    static func parse(_ body: [UInt8], chunkSize: Int, limit: Int = 1 << 20) throws -> (PublishForm.Result, [UInt8]) {
        let writer = InMemoryBlobWriter()
        let form = PublishForm(boundary: boundary, writer: writer, limit: limit, maxMetadataSize: 4096)
        var offset = 0
        while offset < body.count {
            let end = min(offset + chunkSize, body.count)
            try form.feed(body[offset..<end])
            offset = end
        }
        return (try form.finish(), writer.bytes)
    }

    /// Archive bytes that look like the delimiter's beginnings, which must come out as bytes.
    static let trickyArchive: [UInt8] = Array("PK\u{3}\u{4}\r\n--\(boundary.prefix(8))\r\r\n-\r\n--\r".utf8) + (0...255).map(UInt8.init) + [13]

    @Test("SwiftPM's body gives the same parts whatever the chunk boundaries", arguments: [1, 2, 3, 7, 64, 4096])
    func chunked(_ size: Int) throws {
        let body = Self.body(archive: Self.trickyArchive, metadata: "{\"repositoryURLs\": [\"https://x/?a=3D\"]}")
        let (result, archive) = try Self.parse(body, chunkSize: size)
        #expect(archive == Self.trickyArchive)
        #expect(result.archive.size == Int64(Self.trickyArchive.count))
        #expect(result.metadata == Data("{\"repositoryURLs\": [\"https://x/?a=3D\"]}".utf8))
        #expect(result.archiveSignature == nil && result.metadataSignature == nil)
    }

    @Test("Signatures are kept as sent; base64 parts are decoded")
    func signatures() throws {
        let (result, _) = try Self.parse(
            Self.body(archive: [1, 2, 3], metadata: "{}", signature: [9, 8, 7], metadataSignature: Array("AQID".utf8)), chunkSize: 5)
        #expect(result.archiveSignature == Data([9, 8, 7]))
        #expect(result.metadataSignature == Data("AQID".utf8))
        var body = Array("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"source-archive\"\r\n\r\nzip".utf8)
        body += Array("\r\n--\(Self.boundary)\r\nContent-Disposition: form-data; name=metadata-signature\r\nContent-Transfer-Encoding: base64\r\n\r\nAQID\r\n--\(Self.boundary)--".utf8)
        let (decoded, _) = try Self.parse(body, chunkSize: 3)
        #expect(decoded.metadataSignature == Data([1, 2, 3]))
    }

    @Test("Malformed bodies are 400s", arguments: [
        "no boundary at all",
        "--B\r\nContent-Disposition: form-data; name=\"source-archive\"\r\n\r\nzip",
        "--B\r\nContent-Disposition: form-data; name=\"source-archive\"\r\n\r\nzip\r\n--B",
        "--B\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\r\n{}\r\n--B--",
        "--B\r\nContent-Disposition: form-data; name=\"source-archive\"\r\n\r\na\r\n--B\r\nContent-Disposition: form-data; name=\"source-archive\"\r\n\r\nb\r\n--B--",
        "--B\r\nContent-Disposition: form-data; name=\"../../etc/passwd\"\r\n\r\na\r\n--B--",
        "--B\r\nContent-Type: application/zip\r\n\r\na\r\n--B--",
        "--B\r\nBad Header\r\n\r\na\r\n--B--",
        "--B\r\nContent-Disposition: form-data; name=\"source-archive\"\nX: y\r\n\r\na\r\n--B--",
        "--Bjunk\r\nContent-Disposition: form-data; name=\"source-archive\"\r\n\r\na\r\n--B--",
        "--B\r\nContent-Disposition: form-data; name=\"source-archive\"\r\nContent-Transfer-Encoding: base64\r\n\r\nYQ==\r\n--B--",
    ])
    func malformed(_ text: String) {
        let form = PublishForm(boundary: "B", writer: InMemoryBlobWriter(), limit: 1 << 20, maxMetadataSize: 4096)
        #expect(throws: DepotError.self) {
            try form.feed(Array(text.utf8))
            _ = try form.finish()
        }
    }

    @Test("Sizes are bounded while the body streams: the whole body, the metadata, a signature, the headers")
    func limits() throws {
        let large = Self.body(archive: Array(repeating: 7, count: 10_000), metadata: nil)
        #expect(throws: DepotError.self) { _ = try Self.parse(large, chunkSize: 1000, limit: 5_000) }
        let metadata = Self.body(archive: [1], metadata: "{\"description\": \"\(String(repeating: "x", count: 5000))\"}")
        let metadataError = try #require(throws: DepotError.self) { _ = try Self.parse(metadata, chunkSize: 512) }
        #expect(metadataError.kind == .payloadTooLarge)
        let signature = Self.body(archive: [1], metadata: "{}", signature: Array(repeating: 1, count: PublishForm.maxSignatureSize + 1))
        #expect(throws: DepotError.self) { _ = try Self.parse(signature, chunkSize: 4096) }
        let headers = Array("--B\r\nX: \(String(repeating: "h", count: 9000))\r\n\r\n".utf8)
        let form = PublishForm(boundary: "B", writer: InMemoryBlobWriter(), limit: 1 << 20, maxMetadataSize: 4096)
        #expect(throws: DepotError.self) {
            for byte in headers { try form.feed([byte]) }
        }
    }

    @Test("The boundary comes from the Content-Type, quoted or not")
    func boundary() {
        #expect(PublishForm.boundary(ofContentType: "multipart/form-data;boundary=\"abc-1\"") == "abc-1")
        #expect(PublishForm.boundary(ofContentType: "multipart/form-data; charset=utf-8; boundary=xyz") == "xyz")
        #expect(PublishForm.boundary(ofContentType: "application/json; boundary=xyz") == nil)
        #expect(PublishForm.boundary(ofContentType: "multipart/form-data") == nil)
        #expect(PublishForm.boundary(ofContentType: "multipart/form-data; boundary=\"\"") == nil)
        #expect(PublishForm.boundary(ofContentType: nil) == nil)
    }
}
