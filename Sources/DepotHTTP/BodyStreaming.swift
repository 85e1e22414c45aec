import DepotCore
import Hummingbird
import NIOCore

/// Helpers that move bodies between the network and the blob store without holding whole artifacts.
public enum BodyStreaming {
    /// Collects a body that must be held (JSON documents), refusing more than `limit` bytes with 413.
    public static func collect(_ request: Request, limit: Int) async throws -> ByteBuffer {
        let declared = request.headers[.contentLength].flatMap(Int.init)
        if let declared, declared > limit {
            throw DepotError.tooLarge("the request body is larger than the limit of \(limit) bytes")
        }
        // Sized once from Content-Length so a large body is not copied while the buffer grows.
        var buffer = ByteBufferAllocator().buffer(capacity: declared ?? 16 * 1024)
        for try await chunk in request.body {
            guard buffer.readableBytes + chunk.readableBytes <= limit else {
                throw DepotError.tooLarge("the request body is larger than the limit of \(limit) bytes")
            }
            var chunk = chunk
            buffer.writeBuffer(&chunk)
        }
        return buffer
    }

    /// Streams a blob to the client in 64 KiB chunks.
    public static func response(for reader: any BlobReader, headers: HTTPFields, status: HTTPResponse.Status = .ok) -> Response {
        let size = Int(reader.size)
        let box = ReaderBox(reader)
        let body = ResponseBody(contentLength: size) { writer in
            defer { box.reader.close() }
            try await copy(box.reader, to: &writer)
            try await writer.finish(nil)
        }
        return Response(status: status, headers: headers, body: body)
    }
}

extension BodyStreaming {
    /// Writes what `reader` has left to a response body in 64 KiB chunks (the caller closes and finishes).
    public static func copy(_ reader: any BlobReader, to writer: inout any ResponseBodyWriter) async throws {
        while true {
            let chunk = try reader.read(maxLength: 64 * 1024)
            if chunk.isEmpty { return }
            try await writer.write(ByteBuffer(bytes: chunk))
        }
    }
}

/// Carries a reader into the response body's writer task; only that task uses it.
final class ReaderBox: @unchecked Sendable {
    let reader: any BlobReader
    init(_ reader: any BlobReader) { self.reader = reader }
}
