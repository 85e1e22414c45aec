import Foundation

/// Documents that crash Foundation's XMLParser on Linux instead of failing to parse (found by fuzzing): it
/// force-unwraps element, attribute and comment names decoded as UTF-8, which libxml2 hands over unchecked in a
/// UTF-8 document, and it runs `strlen` on the null data pointer of a processing instruction without data (`<?x?>`).
/// Untrusted XML is checked with these before it is parsed.
public enum XMLParserHazards {
    /// Not valid UTF-8 (only a hazard when the document is UTF-8 or ASCII; libxml2 converts declared 8-bit encodings).
    public static func isInvalidUTF8(_ data: Data) -> Bool {
        String(data: data, encoding: .utf8) == nil
    }

    /// `<?target?>`: a processing instruction with nothing between its target and `?>`. Over-approximated (also
    /// inside comments and CDATA), which costs nothing real: no pom, metadata file or JUnit report has one.
    public static func hasEmptyProcessingInstruction(_ data: Data) -> Bool {
        let bytes = [UInt8](data)
        var index = 0
        while index + 1 < bytes.count {
            guard bytes[index] == UInt8(ascii: "<"), bytes[index + 1] == UInt8(ascii: "?") else {
                index += 1
                continue
            }
            var end = index + 2
            while end < bytes.count, !isSpace(bytes[end]), bytes[end] != UInt8(ascii: "?") { end += 1 }
            if end + 1 < bytes.count, bytes[end] == UInt8(ascii: "?"), bytes[end + 1] == UInt8(ascii: ">") { return true }
            index += 2
        }
        return false
    }

    private static func isSpace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D
    }
}
