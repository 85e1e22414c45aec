import DepotCore
import Foundation
import Testing

@testable import DepotNPM

@Suite("Base64StreamDecoder")
struct Base64StreamDecoderTests {
    func decode(_ text: String, into writer: RecordingBlobWriter) throws -> Int64 {
        try Array(text.utf8).withUnsafeBytes { try Base64StreamDecoder.decode($0, into: writer) }
    }

    @Test("decodes a payload larger than 1 MB exactly, in bounded chunks")
    func largePayload() throws {
        let payload = Fixtures.bytes(count: 1_572_864 + 7)  // 1.5 MiB plus a ragged tail (padding)
        let text = Data(payload).base64EncodedString()
        let writer = RecordingBlobWriter()
        let written = try decode(text, into: writer)
        #expect(written == Int64(payload.count))
        #expect(writer.bytes.count == payload.count)
        let identical = writer.bytes == payload
        #expect(identical, "decoded bytes differ from the payload")
        #expect(try writer.finish() == Fixtures.digests(of: payload))
        // Streamed: several writes, none larger than one chunk of decoded text.
        #expect(writer.writeSizes.count > 1)
        #expect(writer.writeSizes.allSatisfy { $0 <= Base64StreamDecoder.chunkCharacters / 4 * 3 })
    }

    @Test("ignores JSON-escaped slashes and line breaks across chunk boundaries")
    func escapedSlashesAndNewlines() throws {
        let payload = Fixtures.bytes(count: 700_001, seed: 7)
        let plain = Data(payload).base64EncodedString()
        #expect(plain.contains("/"))
        let escaped = plain.replacingOccurrences(of: "/", with: "\\/")
        let wrapped = Data(payload).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        for text in [escaped, wrapped] {
            let writer = RecordingBlobWriter()
            #expect(try decode(text, into: writer) == Int64(payload.count))
            #expect(Fixtures.digests(of: writer.bytes) == Fixtures.digests(of: payload), "decoded bytes differ from the payload")
        }
    }

    @Test("JSON escapes for line breaks inside the base64 string are ignored like the line breaks they stand for")
    func escapedLineBreaks() throws {
        // A JSON string may carry MIME-wrapped base64 (`\r\n` every 76 characters) written as escapes;
        // the decoder sees the raw JSON text, so `\r\n` arrives as the four characters '\\', 'r', '\\', 'n'.
        let payload = Fixtures.bytes(count: 1000, seed: 11)
        let wrapped = Data(payload).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        let jsonText = wrapped.replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n")
        #expect(jsonText.contains("\\r\\n"))
        // The escaped text is what a JSON parser would turn back into `wrapped`.
        let viaJSON = try JSONSerialization.jsonObject(with: Data("\"\(jsonText)\"".utf8), options: .fragmentsAllowed) as? String
        #expect(viaJSON == wrapped)
        let writer = RecordingBlobWriter()
        #expect(try decode(jsonText, into: writer) == Int64(payload.count))
        #expect(Fixtures.digests(of: writer.bytes) == Fixtures.digests(of: payload), "decoded bytes differ from the payload")
    }

    @Test("decodes small payloads with every padding length", arguments: [1, 2, 3, 4, 5, 6, 100])
    func small(_ count: Int) throws {
        let payload = Fixtures.bytes(count: count, seed: UInt64(count) &* 31 &+ 1)
        let writer = RecordingBlobWriter()
        #expect(try decode(Data(payload).base64EncodedString(), into: writer) == Int64(count))
        #expect(writer.bytes == payload)
    }

    @Test("empty text decodes to nothing")
    func empty() throws {
        let writer = RecordingBlobWriter()
        #expect(try decode("", into: writer) == 0)
        #expect(writer.bytes.isEmpty)
    }

    @Test("invalid base64 is refused with 400", arguments: ["!!!!", "QUFB*", "Q", "QUFBQ", "QUE", "Q\u{e9}FB", "QUFB\u{0}"])
    func invalid(_ text: String) {
        let writer = RecordingBlobWriter()
        let error = depotError { _ = try decode(text, into: writer) }
        #expect(error?.kind == .badRequest, "\(text)")
        #expect(error?.code == "MalformedAttachment")
    }

    @Test("invalid characters deep inside a large payload are refused")
    func invalidInLargePayload() {
        var text = Array(Data(Fixtures.bytes(count: 600_000)).base64EncodedString().utf8)
        text[400_000] = UInt8(ascii: "#")
        let writer = RecordingBlobWriter()
        let error = depotError { _ = try text.withUnsafeBytes { try Base64StreamDecoder.decode($0, into: writer) } }
        #expect(error?.kind == .badRequest)
    }
}

@Suite("IntegrityCheck")
struct IntegrityCheckTests {
    let tarball = Fixtures.bytes(count: 4096, seed: 99)
    var digests: BlobDigests { Fixtures.digests(of: tarball) }

    @Test("accepts the correct sha512 integrity and sha1 shasum")
    func accepts() throws {
        let manifest: [String: Any] = ["dist": ["integrity": Fixtures.integrity(of: tarball), "shasum": digests.sha1]]
        try IntegrityCheck.verify(manifest: manifest, digests: digests)
        // Uppercase hex shasum and SRI options are tolerated; other algorithms beside sha512 are ignored.
        let variants: [[String: Any]] = [
            ["shasum": digests.sha1.uppercased()],
            ["integrity": Fixtures.integrity(of: tarball) + "?foo"],
            ["integrity": "sha1-AAAA " + Fixtures.integrity(of: tarball)],
            ["integrity": "sha512-wrongwrong " + Fixtures.integrity(of: tarball)],
            ["integrity": "sha1-onlysha1"],
            [:],
        ]
        for dist in variants {
            try IntegrityCheck.verify(manifest: ["dist": dist], digests: digests)
        }
        try IntegrityCheck.verify(manifest: [:], digests: digests)
    }

    @Test("rejects a wrong integrity or shasum with 400 IntegrityMismatch")
    func rejects() {
        let other = Fixtures.bytes(count: 4096, seed: 100)
        let cases: [[String: Any]] = [
            ["integrity": Fixtures.integrity(of: other), "shasum": digests.sha1],
            ["integrity": Fixtures.integrity(of: tarball), "shasum": Fixtures.digests(of: other).sha1],
            ["integrity": Fixtures.integrity(of: other)],
            ["shasum": Fixtures.digests(of: other).sha1],
            ["shasum": ""],
            ["integrity": "sha512-"],
            ["integrity": "sha512-" + Data(Hex.decode(digests.sha256)!).base64EncodedString()],
        ]
        for dist in cases {
            let error = depotError { try IntegrityCheck.verify(manifest: ["dist": dist], digests: digests) }
            #expect(error?.kind == .badRequest, "\(dist)")
            #expect(error?.code == "IntegrityMismatch")
        }
    }

    @Test("sriSHA512 turns a hex digest into the npm integrity form")
    func sri() {
        #expect(IntegrityCheck.sriSHA512(hex: digests.sha512) == Fixtures.integrity(of: tarball))
        // sha512 of the empty string, a known vector.
        let empty = Fixtures.digests(of: [])
        #expect(
            IntegrityCheck.sriSHA512(hex: empty.sha512)
                == "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==")
        #expect(empty.sha1 == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
    }
}
