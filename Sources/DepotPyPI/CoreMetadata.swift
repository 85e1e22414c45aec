import DepotCore
import Foundation

/// Core metadata of a distribution (a wheel's `METADATA`, an sdist's `PKG-INFO`): email-header style
/// `Key: value` lines, continuation lines starting with whitespace, repeated keys, then an optional
/// blank line and the long description as the body.
public struct CoreMetadata: Sendable, Hashable {
    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Every header in file order, keys as written (`Requires-Dist` may appear many times).
    public let fields: [Field]
    /// The text after the headers, nil when there is none.
    public let body: String?

    /// Real METADATA files are kilobytes; a README of megabytes is the most anyone ships.
    public static let maxSize = 5 * 1024 * 1024

    public init(_ data: Data) throws {
        guard data.count <= Self.maxSize else {
            throw DepotError.badRequest(
                "core metadata is \(data.count) bytes, more than the \(Self.maxSize) allowed", code: "MetadataTooLarge")
        }
        var text = String(decoding: data, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        try self.init(parsing: text)
    }

    public init(_ text: String) throws {
        guard text.utf8.count <= Self.maxSize else {
            throw DepotError.badRequest(
                "core metadata is \(text.utf8.count) bytes, more than the \(Self.maxSize) allowed", code: "MetadataTooLarge")
        }
        try self.init(parsing: text)
    }

    private init(parsing text: String) throws {
        var fields: [Field] = []
        var body: String?
        // Swift treats CRLF as one Character, so fold it to LF before splitting lines.
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        var index = 0
        while index < lines.count {
            let line = lines[index]
            if line.isEmpty {
                index += 1
                break
            }
            if let first = line.first, first == " " || first == "\t" {
                guard !fields.isEmpty else {
                    throw DepotError.badRequest("core metadata starts with a continuation line", code: "InvalidMetadata")
                }
                fields[fields.count - 1].value += "\n" + Self.unfold(line)
            } else if let colon = line.firstIndex(of: ":"), colon != line.startIndex,
                line[..<colon].allSatisfy({ $0.isASCII && !$0.isWhitespace })
            {
                var value = line[line.index(after: colon)...]
                while let f = value.first, f == " " || f == "\t" { value = value.dropFirst() }
                fields.append(Field(name: String(line[..<colon]), value: String(value)))
            } else {
                // Like Python's email parser: a line that is not a header starts the body.
                break
            }
            index += 1
        }
        if index < lines.count {
            var rest = lines[index...].joined(separator: "\n")
            while rest.hasSuffix("\n") { rest.removeLast() }
            if !rest.isEmpty { body = rest }
        }
        self.fields = fields
        self.body = body
        for required in ["Metadata-Version", "Name", "Version"] where self[required] == nil {
            throw DepotError.badRequest("core metadata has no \(required) field", code: "InvalidMetadata")
        }
    }

    /// Continuation lines as setuptools writes them (`rfc822_escape`): eight spaces, or seven and `|`
    /// in old releases; other indentation is dropped.
    private static func unfold(_ line: Substring) -> Substring {
        if line.hasPrefix("        ") || line.hasPrefix("       |") { return line.dropFirst(8) }
        return line.drop(while: { $0 == " " || $0 == "\t" })
    }

    /// The first value of a header; names compare case-insensitively, as email headers do.
    public subscript(name: String) -> String? {
        fields.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// Every value of a repeatable header, in file order.
    public func values(_ name: String) -> [String] {
        fields.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }

    public var metadataVersion: String { self["Metadata-Version"] ?? "" }
    public var name: String { self["Name"] ?? "" }
    public var version: String { self["Version"] ?? "" }
    public var summary: String? { self["Summary"] }
    public var requiresPython: String? { self["Requires-Python"].map { $0.trimmingWhitespace() }.flatMap { $0.isEmpty ? nil : $0 } }
    public var requiresDist: [String] { values("Requires-Dist") }
    public var providesExtra: [String] { values("Provides-Extra") }
    public var classifiers: [String] { values("Classifier") }
    public var descriptionContentType: String? { self["Description-Content-Type"] }

    /// The long description: the body (metadata 2.1+) when present, else the older `Description` header.
    public var description: String? { body ?? self["Description"] }
}
