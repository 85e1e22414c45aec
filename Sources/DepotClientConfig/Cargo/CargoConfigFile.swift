import Foundation

/// Edits Cargo's TOML files (`config.toml`, `credentials.toml`) line by line: the keys of one table are set and
/// everything else is kept as it was. A file that defines the table in a form this edit cannot see safely
/// (an inline table, dotted keys elsewhere) is refused rather than duplicated.
public enum CargoConfigFile {
    public struct Unsafe: Error, CustomStringConvertible {
        public let description: String
    }

    /// `existing` with `[table]` holding `values` (strings), added at the end when the table is missing.
    public static func merged(existing: String, table: String, values: [String: String]) throws -> String {
        var lines = existing.isEmpty ? [] : existing.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        let parent = table.split(separator: ".").dropLast().joined(separator: ".")
        let leaf = String(table.split(separator: ".").last ?? "")
        var current = ""
        var start: Int?
        var end = lines.count
        for (index, line) in lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if let header = Self.header(trimmed) {
                if current == table, start != nil, end == lines.count { end = index }
                current = header
                if header == table {
                    guard start == nil else { throw Unsafe(description: "[\(table)] appears twice") }
                    start = index
                }
                continue
            }
            guard let key = Self.key(trimmed) else { continue }
            // `depot = { index = ... }` under [registries], or `registries.depot.index = ...` at the top.
            let inParent = current == parent && (key == leaf || key.hasPrefix(leaf + "."))
            let atTop = current.isEmpty && (key == table || key.hasPrefix(table + "."))
            if inParent || atTop {
                throw Unsafe(description: "\(table) is defined outside a [\(table)] table; edit it by hand")
            }
        }
        let rendered = values.keys.sorted().map { "\($0) = \(TOMLBasicString.quote(values[$0]!))" }
        guard let start else {
            if !lines.isEmpty, lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == false { lines.append("") }
            lines.append("[\(table)]")
            lines += rendered
            return lines.joined(separator: "\n") + "\n"
        }
        var section = Array(lines[(start + 1)..<end])
        var missing = values.keys.sorted()
        for (index, line) in section.enumerated() {
            guard let key = Self.key(line.trimmingCharacters(in: .whitespaces)), let value = values[key] else { continue }
            section[index] = "\(key) = \(TOMLBasicString.quote(value))"
            missing.removeAll { $0 == key }
        }
        // New keys go right after the header, before any blank lines that end the section.
        section.insert(contentsOf: missing.map { "\($0) = \(TOMLBasicString.quote(values[$0]!))" }, at: 0)
        lines.replaceSubrange((start + 1)..<end, with: section)
        return lines.joined(separator: "\n") + "\n"
    }

    /// `registries.depot` of `[registries.depot]` (spaces and quotes around parts dropped); nil for other lines.
    static func header(_ line: String) -> String? {
        guard line.hasPrefix("["), !line.hasPrefix("[["), let close = line.firstIndex(of: "]") else { return nil }
        let inside = line[line.index(after: line.startIndex)..<close]
        return inside.split(separator: ".").map { $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'")) }
            .joined(separator: ".")
    }

    /// The key of a `key = value` line (dotted keys joined), nil for comments and other lines.
    static func key(_ line: String) -> String? {
        guard !line.hasPrefix("#"), !line.hasPrefix("["), let equals = line.firstIndex(of: "=") else { return nil }
        let key = line[..<equals].split(separator: ".").map {
            $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        }.joined(separator: ".")
        return key.isEmpty ? nil : key
    }
}
