import NIOCore

/// Streams a multipart/form-data body (RFC 7578, RFC 2046 §5.1): each part's headers are handed over as they
/// complete, its body in slices as they arrive, never buffered. Depot's own because MultipartKit 4's parser traps
/// (array index out of range) on a part header name with a byte over 0x7F, which any uploader could send.
final class MultipartFormParser {
    struct SyntaxError: Error {
        let reason: String
    }

    var onHeader: (_ name: String, _ value: String) -> Void = { _, _ in }
    var onBody: (ByteBuffer) -> Void = { _ in }
    var onPartComplete: () -> Void = {}

    /// Most header bytes of one part (twine's are under 200): headers are kept until their line ends.
    static let maxHeaderSize = 16 * 1024

    private enum State {
        /// Before the first delimiter, `matched` bytes of it seen.
        case preamble(matched: Int)
        /// After a delimiter: `\r\n` starts a part, `--` ends the body; `first` is the first of those two bytes.
        case afterDelimiter(first: UInt8?)
        case headers
        case body
        /// A CR in a body may start the delimiter that ends it; `matched` bytes of it seen.
        case delimiter(matched: Int)
        case epilogue
    }

    /// `\r\n--boundary`: what ends a part's body.
    private let delimiter: [UInt8]
    /// The body may open with the delimiter without its CRLF, as if that were already matched.
    private var state = State.preamble(matched: 2)
    private var line: [UInt8] = []
    private var headerBytes = 0

    init(boundary: String) {
        delimiter = Array("\r\n--\(boundary)".utf8)
    }

    func execute(_ buffer: ByteBuffer) throws {
        var buffer = buffer
        while buffer.readableBytes > 0 {
            switch state {
            case .body:
                // Everything up to the next CR is body, handed over as one slice.
                let view = buffer.readableBytesView
                let length = view.firstIndex(of: Self.cr).map { $0 - view.startIndex } ?? view.count
                if length > 0, let slice = buffer.readSlice(length: length) { onBody(slice) }
                if buffer.readableBytes > 0 { state = .delimiter(matched: 0) }
            case .epilogue:
                return
            default:
                guard let byte = buffer.readInteger(as: UInt8.self) else { return }
                try consume(byte)
            }
        }
    }

    private func consume(_ byte: UInt8) throws {
        switch state {
        case .preamble(let matched):
            let next = advance(matched, with: byte)
            state = next == delimiter.count ? .afterDelimiter(first: nil) : .preamble(matched: next)
        case .delimiter(let matched):
            if byte == delimiter[matched] {
                if matched + 1 < delimiter.count {
                    state = .delimiter(matched: matched + 1)
                } else {
                    onPartComplete()
                    state = .afterDelimiter(first: nil)
                }
            } else {
                // Not the delimiter after all: what looked like it is body, and this byte may start it again.
                var text = ByteBuffer(bytes: delimiter[0..<matched])
                if byte == Self.cr {
                    state = .delimiter(matched: 1)
                } else {
                    text.writeInteger(byte)
                    state = .body
                }
                if text.readableBytes > 0 { onBody(text) }
            }
        case .afterDelimiter(nil):
            guard byte == Self.cr || byte == Self.hyphen else { throw SyntaxError(reason: "junk after a boundary") }
            state = .afterDelimiter(first: byte)
        case .afterDelimiter(let first?):
            switch (first, byte) {
            case (Self.cr, Self.lf):
                line.removeAll(keepingCapacity: true)
                headerBytes = 0
                state = .headers
            case (Self.hyphen, Self.hyphen):
                state = .epilogue
            default:
                throw SyntaxError(reason: "junk after a boundary")
            }
        case .headers:
            headerBytes += 1
            guard headerBytes <= Self.maxHeaderSize else { throw SyntaxError(reason: "part headers too large") }
            if byte == Self.lf {
                try endHeaderLine()
            } else {
                line.append(byte)
            }
        case .body, .epilogue:
            break  // handled in bulk by `execute`
        }
    }

    /// The length of the delimiter prefix matched once `byte` follows `matched` bytes of it.
    private func advance(_ matched: Int, with byte: UInt8) -> Int {
        if byte == delimiter[matched] { return matched + 1 }
        // The boundary holds no CR (HTTP header values cannot), so only a CR can restart a match.
        return byte == Self.cr ? 1 : 0
    }

    /// `Name: value` (CRLF-terminated); an empty line ends the headers.
    private func endHeaderLine() throws {
        guard line.last == Self.cr, line.firstIndex(of: Self.cr) == line.count - 1 else {
            throw SyntaxError(reason: "a header line must end with CRLF")
        }
        line.removeLast()
        if line.isEmpty {
            state = .body
            return
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0, line[..<colon].allSatisfy(Self.isTokenByte) else {
            throw SyntaxError(reason: "malformed part header")
        }
        let isBlank = { (c: UInt8) in c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") }
        let value = line[(colon + 1)...].drop(while: isBlank)
        let end = value.lastIndex { !isBlank($0) }.map { $0 + 1 } ?? value.startIndex
        onHeader(String(decoding: line[..<colon], as: UTF8.self), String(decoding: value[..<end], as: UTF8.self))
        line.removeAll(keepingCapacity: true)
    }

    /// RFC 9110 `tchar`: visible ASCII except separators.
    private static func isTokenByte(_ c: UInt8) -> Bool {
        c > 0x20 && c < 0x7F && !separators.contains(c)
    }

    private static let separators = Set("\"(),/:;<=>?@[\\]{}".utf8)

    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")
    private static let hyphen = UInt8(ascii: "-")
}
