import DepotCore
import Foundation
import NIOCore
import Testing

@testable import DepotPyPI

/// A blob writer that keeps the bytes in memory (the form only needs write/finish).
final class MemoryBlobWriter: BlobWriter {
    private(set) var bytes: [UInt8] = []
    private var hasher = MultiHasher()
    var localFile: URL? { nil }

    func write(_ chunk: UnsafeRawBufferPointer) throws {
        bytes.append(contentsOf: chunk)
        hasher.update(chunk)
    }

    func finish() throws -> BlobDigests { hasher.finalize() }
    func commit() throws -> Bool { true }
    func discard() {}
}

@Suite("twine upload form")
struct UploadFormTests {
    static let boundary = "----depot-test-boundary"

    static func body(fileBytes: [UInt8], filename: String = "pkg-1.0.tar.gz") -> [UInt8] {
        var text = ""
        for (name, value) in [(":action", "file_upload"), ("name", "pkg"), ("version", "1.0"), ("filetype", "sdist")] {
            text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
        }
        text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"content\"; filename=\"\(filename)\"\r\n"
        text += "Content-Type: application/octet-stream\r\n\r\n"
        return Array(text.utf8) + fileBytes + Array("\r\n--\(boundary)--\r\n".utf8)
    }

    @Test("fields and the streamed file part, fed in small chunks")
    func parses() throws {
        let file = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let writer = MemoryBlobWriter()
        let form = try UploadForm(boundary: Self.boundary, writer: writer, limit: 1 << 20)
        let body = Self.body(fileBytes: file)
        var offset = 0
        while offset < body.count {
            let end = min(offset + 777, body.count)
            try form.feed(ByteBuffer(bytes: body[offset..<end]))
            offset = end
        }
        let result = try form.finish()
        #expect(result.filename == "pkg-1.0.tar.gz")
        #expect(result.fields["name"] == "pkg" && result.fields[":action"] == "file_upload" && result.fields["filetype"] == "sdist")
        #expect(writer.bytes == file)
        #expect(result.digests.size == Int64(file.count))
    }

    @Test("a body cut off inside the file part is refused")
    func truncated() throws {
        let body = Self.body(fileBytes: Array(repeating: 1, count: 5000))
        let form = try UploadForm(boundary: Self.boundary, writer: MemoryBlobWriter(), limit: 1 << 20)
        try form.feed(ByteBuffer(bytes: body[0..<(body.count - 2500)]))
        #expect(throws: DepotError.self) { try form.finish() }
    }

    @Test("bodies over the limit are refused with 413")
    func tooLarge() throws {
        let form = try UploadForm(boundary: Self.boundary, writer: MemoryBlobWriter(), limit: 1000)
        let error = #expect(throws: DepotError.self) {
            try form.feed(ByteBuffer(bytes: Self.body(fileBytes: Array(repeating: 0, count: 5000))))
        }
        #expect(error?.kind == .payloadTooLarge)
    }

    @Test("boundary parameter from Content-Type")
    func boundary() {
        #expect(PyPIController.boundary("multipart/form-data; boundary=abc") == "abc")
        #expect(PyPIController.boundary("multipart/form-data; charset=utf-8; boundary=\"q r\"") == "q r")
        #expect(PyPIController.boundary("application/json") == nil)
        #expect(PyPIController.boundary("multipart/form-data") == nil)
    }

    @Test("sha256 and md5 digests are checked; one of them is required")
    func digests() throws {
        var hasher = MultiHasher()
        Array("hello".utf8).withUnsafeBytes { hasher.update($0) }
        let digests = hasher.finalize()
        try PyPIController.verifyDigests(["sha256_digest": digests.sha256.uppercased()], against: digests)
        try PyPIController.verifyDigests(["md5_digest": digests.md5], against: digests)
        #expect(throws: DepotError.self) { try PyPIController.verifyDigests([:], against: digests) }
        #expect(throws: DepotError.self) {
            try PyPIController.verifyDigests(["sha256_digest": String(repeating: "0", count: 64)], against: digests)
        }
    }

    @Test("file metadata merges across uploads of one version")
    func merge() throws {
        let first = PyPIVersionMetadata(
            files: ["a-1.0.tar.gz": .init(requiresPython: ">=3.8", uploadTime: Date(timeIntervalSince1970: 1), hasMetadata: false)],
            summary: "A", requiresDist: [])
        let second = PyPIVersionMetadata(
            files: ["a-1.0-py3-none-any.whl": .init(requiresPython: ">=3.8", uploadTime: Date(timeIntervalSince1970: 2), hasMetadata: true)],
            summary: "A", requiresDist: [])
        let merged = try PyPIVersionMetadata(data: try PyPIVersionMetadata.merge(stored: try first.encoded(), new: try second.encoded()))
        #expect(Set(merged.files.keys) == ["a-1.0.tar.gz", "a-1.0-py3-none-any.whl"])
        #expect(merged.files["a-1.0-py3-none-any.whl"]?.hasMetadata == true)
    }
}
