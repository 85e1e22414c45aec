import DepotCore
import NIOCore
import Testing

@testable import DepotPyPI

@Suite("MultipartFormParser")
struct MultipartFormParserTests {
    struct Part: Equatable {
        var headers: [String] = []
        var body: [UInt8] = []
    }

    /// The parts of `body`, fed in pieces of `piece` bytes.
    func parse(_ body: [UInt8], boundary: String = "b0undary", piece: Int) throws -> [Part] {
        let parser = MultipartFormParser(boundary: boundary)
        var parts: [Part] = []
        var current = Part()
        parser.onHeader = { current.headers.append("\($0)=\($1)") }
        parser.onBody = { current.body += $0.readableBytesView }
        parser.onPartComplete = {
            parts.append(current)
            current = Part()
        }
        var offset = 0
        while offset < body.count {
            let end = min(offset + piece, body.count)
            try parser.execute(ByteBuffer(bytes: body[offset..<end]))
            offset = end
        }
        return parts
    }

    @Test("headers and bodies, whatever the chunking; boundary look-alikes stay in the body", arguments: [1, 2, 5, 4096])
    func parts(piece: Int) throws {
        let tricky: [UInt8] = Array("a\r\n--b0undar\r\r\n--b0undarY\r\n-".utf8) + [0, 0xff, 13]
        let body = Array("preamble\r\n--b0undary\r\nContent-Disposition: form-data; name=\"x\"  \r\n\r\nvalue\r\n".utf8)
            + Array("--b0undary\r\ncontent-type:\tapplication/octet-stream\r\n\r\n".utf8) + tricky
            + Array("\r\n--b0undary--\r\nepilogue".utf8)
        let parts = try parse(body, piece: piece)
        #expect(parts.map(\.headers) == [["Content-Disposition=form-data; name=\"x\""], ["content-type=application/octet-stream"]])
        #expect(parts.map(\.body) == [Array("value".utf8), tricky])
    }

    @Test("a body may open with the delimiter; an empty form ends at once")
    func openings() throws {
        #expect(try parse(Array("--b0undary\r\nA: 1\r\n\r\nx\r\n--b0undary--".utf8), piece: 3) == [Part(headers: ["A=1"], body: [120])])
        #expect(try parse(Array("--b0undary--\r\n".utf8), piece: 1).isEmpty)
    }

    /// MultipartKit 4 trapped (index out of range) on a header name byte over 0x7F: one upload stopped the server.
    @Test("malformed headers are syntax errors, not traps", arguments: [
        [0xC3, 0xA9] + Array(": x\r\n\r\n".utf8), Array("Na me: x\r\n\r\n".utf8), Array(": x\r\n\r\n".utf8), Array("A: x\nB: y\r\n\r\n".utf8),
        Array("A: x\r\r\n\r\n".utf8),
    ] as [[UInt8]])
    func badHeaders(header: [UInt8]) throws {
        let body = Array("--b0undary\r\n".utf8) + header + Array("v\r\n--b0undary--".utf8)
        #expect(throws: MultipartFormParser.SyntaxError.self) { try parse(body, piece: 7) }
    }

    @Test("part headers over the limit are refused while they arrive")
    func headersTooLarge() {
        let body = Array("--b0undary\r\nA: ".utf8) + [UInt8](repeating: 65, count: MultipartFormParser.maxHeaderSize)
        #expect(throws: MultipartFormParser.SyntaxError.self) { try parse(body, piece: 4096) }
    }

    @Test("junk after a boundary is a syntax error")
    func junkAfterBoundary() {
        #expect(throws: MultipartFormParser.SyntaxError.self) { try parse(Array("--b0undaryX\r\n".utf8), piece: 1) }
        #expect(throws: MultipartFormParser.SyntaxError.self) { try parse(Array("--b0undary-x".utf8), piece: 1) }
    }

    @Test("a non-ASCII header name in an upload is a 400")
    func uploadFormRefusesNonASCIIHeaderName() throws {
        let form = try UploadForm(boundary: "b0undary", writer: MemoryBlobWriter(), limit: 1 << 20)
        let body = Array("--b0undary\r\n".utf8) + [0xC3, 0xA9] + Array(": form-data; name=\"content\"\r\n\r\nx\r\n--b0undary--\r\n".utf8)
        let error = #expect(throws: DepotError.self) { try form.feed(ByteBuffer(bytes: body)) }
        #expect(error?.kind == .badRequest && error?.code == "MalformedBody")
    }
}
