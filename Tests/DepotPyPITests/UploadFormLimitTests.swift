import DepotCore
import Foundation
import NIOCore
import Testing

@testable import DepotPyPI

@Suite("twine upload form limits")
struct UploadFormLimitTests {
    static let boundary = UploadFormTests.boundary

    static func field(_ name: String, _ value: String) -> String {
        "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
    }

    /// Feeds `body` in 4 KiB chunks, as the network would; returns the error that stopped it.
    func feed(_ body: [UInt8], maxFields: Int = 1000, maxFieldsSize: Int = 1 << 20) throws -> UploadForm.Result {
        let form = try UploadForm(
            boundary: Self.boundary, writer: MemoryBlobWriter(), limit: 64 << 20, maxFields: maxFields, maxFieldsSize: maxFieldsSize)
        var offset = 0
        while offset < body.count {
            let end = min(offset + 4096, body.count)
            try form.feed(ByteBuffer(bytes: body[offset..<end]))
            offset = end
        }
        return try form.finish()
    }

    @Test("thousands of junk fields: 400 TooManyFields")
    func tooManyFields() throws {
        let junk = (0..<5000).map { Self.field("junk\($0)", "x") }.joined()
        let body = Array(junk.utf8) + UploadFormTests.body(fileBytes: [1, 2, 3])
        #expect {
            _ = try feed(body, maxFields: 100)
        } throws: { ($0 as? DepotError)?.code == "TooManyFields" && ($0 as? DepotError)?.kind == .badRequest }
        // The same form with its five real parts is fine under that limit.
        #expect(try feed(UploadFormTests.body(fileBytes: [1, 2, 3]), maxFields: 100).fields["name"] == "pkg")
    }

    @Test("non-file fields larger together than the limit: 413, the file part not counted")
    func fieldsTooLarge() throws {
        let big = String(repeating: "a", count: 300_000)
        let body = Array((Self.field("description", big) + Self.field("summary", big)).utf8) + UploadFormTests.body(fileBytes: [1])
        #expect {
            _ = try feed(body, maxFieldsSize: 500_000)
        } throws: { ($0 as? DepotError)?.kind == .payloadTooLarge }
        #expect(try feed(body, maxFieldsSize: 700_000).fields["description"]?.count == 300_000)
        // A file far larger than the field limit is streamed, not counted.
        #expect(try feed(UploadFormTests.body(fileBytes: [UInt8](repeating: 7, count: 2 << 20)), maxFieldsSize: 1024).digests.size == 2 << 20)
    }
}
