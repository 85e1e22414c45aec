/// A streaming reader of a multipart/form-data body (RFC 7578, RFC 2046 §5.1.1). Bytes go in as they arrive; out
/// come the parts' headers, their bodies in slices (never gathered) and their ends. Only the bytes that may begin a
/// delimiter at the end of a chunk, and one part's header block, are held between chunks.
struct MultipartStream {
    enum Event {
        case partHeaders([(name: String, value: String)])
        case partBytes(ArraySlice<UInt8>)
        case partEnd
    }

    struct SyntaxError: Error, Equatable {
        let reason: String
    }

    /// Most bytes of one part's header block (SwiftPM sends about a hundred).
    static let maxHeaderBlock = 8 * 1024
    static let maxHeaderLines = 16

    private enum State {
        case preamble
        /// After a delimiter: CRLF opens a part, `--` closes the body.
        case afterDelimiter
        case headers
        case body
        case closed
    }

    /// `CRLF--boundary`: the first delimiter may come without its CRLF, at the very start of the body.
    private let delimiter: [UInt8]
    private var state = State.preamble
    /// Bytes not yet decided on: a possible delimiter prefix, an unfinished header block.
    private var pending: [UInt8] = []
    private var atStart = true

    /// Whether the closing delimiter has been read.
    var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    init(boundary: String) {
        delimiter = Array("\r\n--\(boundary)".utf8)
    }

    mutating func feed(_ chunk: some Collection<UInt8>, _ handle: (Event) throws -> Void) throws {
        var work = pending
        work.append(contentsOf: chunk)
        pending = []
        var position = 0
        while position < work.count {
            switch state {
            case .closed:
                return  // the epilogue is ignored
            case .preamble:
                if atStart {
                    // The body may open with the delimiter without its CRLF.
                    let opening = delimiter[2...]
                    if work.count - position < opening.count {
                        if opening.starts(with: work[position...]) {
                            pending = Array(work[position...])
                            return
                        }
                    } else if work[position..<(position + opening.count)].elementsEqual(opening) {
                        atStart = false
                        position += opening.count
                        state = .afterDelimiter
                        continue
                    }
                    atStart = false
                }
                switch find(in: work, from: position) {
                case .found(let at):
                    position = at + delimiter.count
                    state = .afterDelimiter
                case .partial(let at):
                    pending = Array(work[at...])
                    return
                case .none:
                    return
                }
            case .afterDelimiter:
                guard work.count - position >= 2 else {
                    pending = Array(work[position...])
                    return
                }
                switch (work[position], work[position + 1]) {
                case (Self.cr, Self.lf): state = .headers
                case (Self.hyphen, Self.hyphen): state = .closed
                default: throw SyntaxError(reason: "unexpected bytes after a boundary")
                }
                position += 2
            case .headers:
                let block = work[position...]
                guard let (headersEnd, bodyStart) = Self.endOfHeaders(block) else {
                    guard block.count <= Self.maxHeaderBlock else { throw SyntaxError(reason: "part headers are too large") }
                    pending = Array(block)
                    return
                }
                guard headersEnd - position <= Self.maxHeaderBlock else { throw SyntaxError(reason: "part headers are too large") }
                try handle(.partHeaders(try Self.headers(work[position..<headersEnd])))
                position = bodyStart
                state = .body
            case .body:
                switch find(in: work, from: position) {
                case .found(let at):
                    if at > position { try handle(.partBytes(work[position..<at])) }
                    try handle(.partEnd)
                    position = at + delimiter.count
                    state = .afterDelimiter
                case .partial(let at):
                    if at > position { try handle(.partBytes(work[position..<at])) }
                    pending = Array(work[at...])
                    return
                case .none:
                    try handle(.partBytes(work[position...]))
                    return
                }
            }
        }
    }

    private enum Match {
        case found(Int)
        /// The bytes from here to the end are a proper prefix of the delimiter.
        case partial(Int)
        case none
    }

    /// The next delimiter at or after `start`, found by its leading CR.
    private func find(in bytes: [UInt8], from start: Int) -> Match {
        var index = start
        while let cr = bytes[index...].firstIndex(of: Self.cr) {
            let available = bytes.count - cr
            if available >= delimiter.count {
                if bytes[cr..<(cr + delimiter.count)].elementsEqual(delimiter) { return .found(cr) }
            } else if delimiter.starts(with: bytes[cr...]) {
                return .partial(cr)
            }
            index = cr + 1
        }
        return .none
    }

    /// Where a header block ends and the part's body starts, once the empty line that ends it has arrived.
    private static func endOfHeaders(_ bytes: ArraySlice<UInt8>) -> (headersEnd: Int, bodyStart: Int)? {
        // A part without headers: the empty line comes at once.
        if bytes.starts(with: [cr, lf]) { return (bytes.startIndex, bytes.startIndex + 2) }
        var index = bytes.startIndex
        while let cr = bytes[index...].firstIndex(of: Self.cr) {
            if bytes.endIndex - cr >= 4, bytes[cr..<(cr + 4)].elementsEqual([Self.cr, lf, Self.cr, lf]) { return (cr, cr + 4) }
            index = cr + 1
        }
        return nil
    }

    /// `Name: value` lines separated by CRLF; names are RFC 9110 tokens, values are trimmed.
    private static func headers(_ block: ArraySlice<UInt8>) throws -> [(name: String, value: String)] {
        guard !block.isEmpty else { return [] }
        var result: [(name: String, value: String)] = []
        var lines: [ArraySlice<UInt8>] = []
        var start = block.startIndex
        while let cr = block[start...].firstIndex(of: Self.cr) {
            guard cr + 1 < block.endIndex, block[cr + 1] == Self.lf else { throw SyntaxError(reason: "a header line must end with CRLF") }
            lines.append(block[start..<cr])
            start = cr + 2
        }
        lines.append(block[start...])
        guard lines.count <= maxHeaderLines else { throw SyntaxError(reason: "too many part headers") }
        for line in lines {
            guard !line.contains(Self.lf), let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
                line[..<colon].allSatisfy(isTokenByte)
            else { throw SyntaxError(reason: "malformed part header") }
            let value = line[(colon + 1)...].drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            var end = value.endIndex
            while end > value.startIndex, value[end - 1] == UInt8(ascii: " ") || value[end - 1] == UInt8(ascii: "\t") { end -= 1 }
            result.append((String(decoding: line[..<colon], as: UTF8.self), String(decoding: value[..<end], as: UTF8.self)))
        }
        return result
    }

    /// RFC 9110 `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F && !"\"(),/:;<=>?@[\\]{}".utf8.contains(byte)
    }

    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")
    private static let hyphen = UInt8(ascii: "-")
}
