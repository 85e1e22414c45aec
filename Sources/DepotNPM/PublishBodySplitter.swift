import DepotCore
import Foundation

/// Splits an npm publish body while it arrives: the base64 `data` strings under `_attachments` are decoded
/// straight into blob writers, everything else is kept as the "skeleton" (the document with those strings
/// emptied, small enough to parse normally). Memory stays flat whatever the tarball's size.
///
/// It is a JSON lexer, not a parser: it tracks strings, escapes, containers and object keys, which is enough
/// to know where the attachment data is. Anything it lets through that is not JSON fails when the skeleton is
/// parsed.
struct PublishBodySplitter {
    struct Attachment {
        var fileName: String
        var writer: any BlobWriter
        var decodedSize: Int64
    }

    private struct Container {
        var isObject: Bool
        /// Objects: the current member's key, once read.
        var key: String?
        var expectingKey: Bool
    }

    private enum State {
        case value
        case string(isKey: Bool)
        case stringEscape(isKey: Bool)
        case attachmentData
        case end
    }

    private let makeWriter: () throws -> any BlobWriter
    private let skeletonLimit: Int
    /// Deepest nesting of the document (the parser of the skeleton recurses and allocates per level).
    private let maxDepth: Int
    /// Attachments with data accepted: each is an open blob writer until the request ends.
    private let maxAttachments: Int
    private(set) var skeleton: [UInt8] = []
    private var stack: [Container] = []
    private var state = State.value
    private var keyBytes: [UInt8] = []
    private var started = false
    private var currentFile: String?
    private var decoder: Base64StreamDecoder?
    private var dataEscape = false
    /// Writers made so far, finished or not: the caller discards them whatever happens.
    private(set) var writers: [any BlobWriter] = []
    private(set) var attachments: [Attachment] = []

    static let maxKeyLength = 4096

    init(
        skeletonLimit: Int, maxDepth: Int = InputLimits().maxJSONDepth, maxAttachments: Int = InputLimits().maxNpmAttachments,
        makeWriter: @escaping () throws -> any BlobWriter
    ) {
        self.skeletonLimit = skeletonLimit
        self.maxDepth = maxDepth
        self.maxAttachments = maxAttachments
        self.makeWriter = makeWriter
    }

    static func malformed(_ why: String) -> DepotError {
        DepotError.badRequest("malformed publish body: \(why)", code: "MalformedBody")
    }

    mutating func consume(_ bytes: UnsafeRawBufferPointer) throws {
        var i = 0
        while i < bytes.count {
            if case .attachmentData = state {
                i = try consumeData(bytes, from: i)
                continue
            }
            try consume(byte: bytes[i])
            i += 1
        }
        guard skeleton.count <= skeletonLimit else {
            throw DepotError.tooLarge("the publish document (without its tarball) is larger than \(skeletonLimit) bytes")
        }
    }

    /// Checks that the document ended; returns the skeleton and the decoded attachments.
    mutating func finish() throws -> (skeleton: [UInt8], attachments: [Attachment]) {
        guard case .end = state else { throw Self.malformed(started ? "the body ends inside the document" : "the body is empty") }
        return (skeleton, attachments)
    }

    /// Attachment data up to its closing quote goes to the decoder in one slice; the quote returns to the lexer.
    private mutating func consumeData(_ bytes: UnsafeRawBufferPointer, from start: Int) throws -> Int {
        var i = start
        while i < bytes.count {
            let c = bytes[i]
            if dataEscape {
                dataEscape = false
            } else if c == UInt8(ascii: "\\") {
                dataEscape = true
            } else if c == UInt8(ascii: "\"") {
                break
            } else if c < 0x20 {
                throw Self.malformed("control character in a string")
            }
            i += 1
        }
        try decoder?.feed(UnsafeRawBufferPointer(rebasing: bytes[start..<i]))
        if i < bytes.count {
            try endAttachmentData()
            skeleton.append(UInt8(ascii: "\""))
            i += 1
        }
        return i
    }

    private mutating func endAttachmentData() throws {
        guard var decoder, let currentFile else { return }
        let size = try decoder.finish()
        attachments.append(Attachment(fileName: currentFile, writer: decoder.writer, decodedSize: size))
        self.decoder = nil
        self.currentFile = nil
        state = .value
    }

    private mutating func consume(byte c: UInt8) throws {
        switch state {
        case .string(let isKey):
            skeleton.append(c)
            if c == UInt8(ascii: "\\") {
                state = .stringEscape(isKey: isKey)
                if isKey { try appendKey(c) }
            } else if c == UInt8(ascii: "\"") {
                state = .value
                if isKey { try endKey() }
            } else {
                guard c >= 0x20 else { throw Self.malformed("control character in a string") }
                if isKey { try appendKey(c) }
            }
        case .stringEscape(let isKey):
            skeleton.append(c)
            state = .string(isKey: isKey)
            if isKey { try appendKey(c) }
        case .end:
            guard Self.isWhitespace(c) else { throw Self.malformed("unexpected bytes after the JSON object") }
        case .value:
            try consumeStructural(c)
        case .attachmentData:
            // Unreachable: `consume` hands attachment data over in slices. Refuse rather than trap should that change.
            throw Self.malformed("unexpected attachment data")
        }
    }

    private mutating func consumeStructural(_ c: UInt8) throws {
        if Self.isWhitespace(c) {
            skeleton.append(c)
            return
        }
        guard started || c == UInt8(ascii: "{") else { throw Self.malformed("the body is not a JSON object") }
        started = true
        skeleton.append(c)
        switch c {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard stack.count < maxDepth else { throw JSONNesting.tooDeep(maxDepth) }
            let isObject = c == UInt8(ascii: "{")
            stack.append(Container(isObject: isObject, key: nil, expectingKey: isObject))
        case UInt8(ascii: "}"), UInt8(ascii: "]"):
            guard let top = stack.popLast(), top.isObject == (c == UInt8(ascii: "}")) else {
                throw Self.malformed("mismatched '\(Character(UnicodeScalar(c)))'")
            }
            if stack.isEmpty { state = .end }
        case UInt8(ascii: ":"):
            guard let top = stack.last, top.isObject, top.key != nil else { throw Self.malformed("unexpected ':'") }
        case UInt8(ascii: ","):
            guard !stack.isEmpty else { throw Self.malformed("unexpected ','") }
            if stack[stack.count - 1].isObject {
                stack[stack.count - 1].expectingKey = true
                stack[stack.count - 1].key = nil
            }
        case UInt8(ascii: "\""):
            if let top = stack.last, top.isObject, top.expectingKey {
                keyBytes.removeAll(keepingCapacity: true)
                state = .string(isKey: true)
            } else if let file = attachmentFileForData() {
                try startAttachmentData(file: file)
            } else {
                state = .string(isKey: false)
            }
        default:
            if let top = stack.last, top.isObject, top.expectingKey { throw Self.malformed("object keys must be strings") }
        }
    }

    /// The file name when the string starting now is `_attachments.<file>.data` of the root object.
    private func attachmentFileForData() -> String? {
        guard stack.count == 3, stack.allSatisfy(\.isObject), stack[0].key == "_attachments", stack[2].key == "data" else {
            return nil
        }
        return stack[1].key
    }

    private mutating func startAttachmentData(file: String) throws {
        guard writers.count < maxAttachments else {
            throw DepotError.badRequest(
                "a publish carries at most \(maxAttachments) attachment\(maxAttachments == 1 ? "" : "s")", code: "TooManyAttachments")
        }
        let writer = try makeWriter()
        writers.append(writer)
        decoder = Base64StreamDecoder(into: writer)
        currentFile = file
        dataEscape = false
        state = .attachmentData
    }

    private mutating func appendKey(_ c: UInt8) throws {
        guard keyBytes.count < Self.maxKeyLength else { throw Self.malformed("an object key is too long") }
        keyBytes.append(c)
    }

    private mutating func endKey() throws {
        stack[stack.count - 1].key = try Self.decodeString(keyBytes)
        stack[stack.count - 1].expectingKey = false
    }

    /// A JSON string's raw contents as a value; escapes (`\/`, `\u0040`) are decoded by Foundation.
    private static func decodeString(_ raw: [UInt8]) throws -> String {
        guard raw.contains(UInt8(ascii: "\\")) else { return String(decoding: raw, as: UTF8.self) }
        let quoted = Data([UInt8(ascii: "\"")] + raw + [UInt8(ascii: "\"")])
        guard let value = try? JSONSerialization.jsonObject(with: quoted, options: .fragmentsAllowed) as? String else {
            throw malformed("invalid escape in a key")
        }
        return value
    }

    private static func isWhitespace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09
    }
}
