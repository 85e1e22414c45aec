import DepotCore
import Foundation

/// The check every XML document passes before a parser sees it: its encoding must be one where ASCII characters are
/// their ASCII bytes (UTF-8, US-ASCII, ISO-8859-*, windows-125*), and then it must not contain a DTD. A byte search
/// for `<!DOCTYPE` alone is blind to a UTF-16 document, which the parser decodes and obeys; refusing every
/// ASCII-incompatible encoding makes the search see what the parser sees.
enum XMLDocumentGuard {
    enum Problem: Error, Equatable {
        case encoding(String)
        case dtd
        case emptyProcessingInstruction
    }

    /// The problem with `data`, or nil when it may be parsed.
    static func problem(in data: Data) -> Problem? {
        let head = Array(data.prefix(4))
        let boms: [([UInt8], String)] = [
            ([0x00, 0x00, 0xFE, 0xFF], "UTF-32"), ([0xFF, 0xFE, 0x00, 0x00], "UTF-32"), ([0xFE, 0xFF], "UTF-16"),
            ([0xFF, 0xFE], "UTF-16"), ([0x2B, 0x2F, 0x76], "UTF-7"), ([0xDD, 0x73, 0x66, 0x73], "UTF-EBCDIC"),
            ([0x4C, 0x6F, 0xA7, 0x94], "EBCDIC"),
        ]
        for (bom, name) in boms where head.starts(with: bom) { return .encoding(name) }
        // UTF-16 and UTF-32 without a byte order mark put NULs next to ASCII characters; XML forbids U+0000 anyway.
        if data.contains(0) { return .encoding("UTF-16 or UTF-32") }
        let declared = declaredEncoding(data)
        if let declared, !isASCIICompatible(declared) { return .encoding(declared) }
        // Inputs that crash Foundation's XMLParser (see XMLParserHazards); declared 8-bit encodings are converted first.
        if ["utf-8", "utf8", "us-ascii", "ascii"].contains(declared?.lowercased() ?? "utf-8"), XMLParserHazards.isInvalidUTF8(data) {
            return .encoding("invalid UTF-8")
        }
        if XMLParserHazards.hasEmptyProcessingInstruction(data) { return .emptyProcessingInstruction }
        if data.range(of: Data("<!DOCTYPE".utf8)) != nil || data.range(of: Data("<!ENTITY".utf8)) != nil { return .dtd }
        return nil
    }

    /// `encoding="..."` of the XML declaration at the start of the document (after a UTF-8 BOM).
    static func declaredEncoding(_ data: Data) -> String? {
        var bytes = data.prefix(512)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.hasPrefix("<?xml"), let end = text.range(of: "?>") else { return nil }
        let declaration = text[..<end.lowerBound]
        guard let match = declaration.firstMatch(of: /encoding\s*=\s*["']([^"']*)["']/) else { return nil }
        return String(match.1)
    }

    static func isASCIICompatible(_ encoding: String) -> Bool {
        let name = encoding.lowercased()
        return ["utf-8", "utf8", "us-ascii", "ascii", "latin1"].contains(name) || name.hasPrefix("iso-8859-")
            || name.hasPrefix("iso8859-") || name.hasPrefix("windows-125") || name.hasPrefix("cp125")
    }
}
