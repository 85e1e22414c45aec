/// Edits a `.netrc`: one `machine <host> login <login> password <password>` entry for the host, replacing the
/// host's earlier entries and keeping every other entry (and `macdef` bodies) as written. The entry goes before a
/// `default` entry, which must stay last.
public enum NetrcFile {
    public struct EditError: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    public static func merged(existing: String, machine host: String, login: String, password: String) throws -> String {
        for value in [host, login, password] where value.isEmpty || value.contains(where: { $0.isWhitespace || $0 == "\"" }) {
            throw EditError(description: "netrc values cannot be empty or hold spaces or quotes")
        }
        let text = Array(existing.utf8)
        let entries = Self.entries(in: text)
        var kept: [[UInt8]] = []
        var defaultEntry: [UInt8]?
        for entry in entries {
            let bytes = Array(text[entry.range])
            if entry.isDefault {
                defaultEntry = bytes
            } else if entry.machine?.lowercased() != host.lowercased() {
                kept.append(bytes)
            }
        }
        let line = Array("machine \(host) login \(login) password \(password)".utf8)
        var pieces = kept.map { trimmedTrailingNewlines($0) }
        pieces.append(line)
        if let defaultEntry { pieces.append(trimmedTrailingNewlines(defaultEntry)) }
        let leading = entries.first.map { Array(text[..<$0.range.lowerBound]) } ?? text
        let prefix = trimmedTrailingNewlines(leading)
        var output = prefix.isEmpty ? [] : prefix + [UInt8(ascii: "\n")]
        output += pieces.joined(separator: [UInt8(ascii: "\n")])
        output.append(UInt8(ascii: "\n"))
        return String(decoding: output, as: UTF8.self)
    }

    struct Entry {
        var range: Range<Int>
        var machine: String?
        var isDefault: Bool
    }

    /// The entries of a netrc: each runs from its `machine` (or `default`) token to the next one. A `macdef`
    /// body (up to an empty line) belongs to the entry before it, and its words are never read as tokens.
    static func entries(in text: [UInt8]) -> [Entry] {
        var entries: [Entry] = []
        var index = 0
        func nextToken() -> Range<Int>? {
            while index < text.count, isBlank(text[index]) { index += 1 }
            guard index < text.count else { return nil }
            let start = index
            while index < text.count, !isBlank(text[index]) { index += 1 }
            return start..<index
        }
        while let token = nextToken() {
            let word = String(decoding: text[token], as: UTF8.self)
            switch word {
            case "machine", "default":
                if let last = entries.indices.last {
                    entries[last].range = entries[last].range.lowerBound..<token.lowerBound
                }
                let name = word == "machine" ? nextToken().map { String(decoding: text[$0], as: UTF8.self) } : nil
                entries.append(Entry(range: token.lowerBound..<text.count, machine: name, isDefault: word == "default"))
            case "macdef":
                _ = nextToken()
                // The body ends at the first empty line.
                while index < text.count {
                    if text[index] == UInt8(ascii: "\n"), index + 1 < text.count, text[index + 1] == UInt8(ascii: "\n") { break }
                    index += 1
                }
            default:
                continue
            }
        }
        return entries
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }

    private static func trimmedTrailingNewlines(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        while let last = bytes.last, isBlank(last) { bytes.removeLast() }
        return bytes
    }
}
