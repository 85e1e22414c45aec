/// Edits the configuration files of pip, uv and twine for `depot login`, keeping everything else in them.
public enum PyPIClientConfig {
    /// pip.conf: `[global] index-url = <index with credentials>`.
    public static func pipConf(existing: String, indexURL: String) -> String {
        INIFile(existing).setting(section: "global", values: [("index-url", indexURL)]).text
    }

    /// ~/.pypirc: a section for Depot, listed in `[distutils] index-servers`.
    public static func pypirc(existing: String, section: String, repositoryURL: String, token: String) -> String {
        var file = INIFile(existing)
        let servers = (file.value(section: "distutils", key: "index-servers") ?? "")
            .split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init)
        let list = servers.contains(section) ? servers : servers + [section]
        file = file.setting(section: "distutils", values: [("index-servers", "\n    " + list.joined(separator: "\n    "))])
        return file.setting(section: section, values: [("repository", repositoryURL), ("username", "depot"), ("password", token)]).text
    }

    /// uv.toml: one `[[index]]` named `name`, the default index, replacing an earlier one of that name.
    public static func uvToml(existing: String, name: String, indexURL: String) -> String {
        var blocks: [[String]] = [[]]
        for line in existing.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("[") { blocks.append([]) }
            blocks[blocks.count - 1].append(line)
        }
        let kept = blocks.filter { block in
            !(block.first?.trimmingCharacters(in: .whitespaces) == "[[index]]"
                && block.contains { $0.replacingOccurrences(of: " ", with: "") == "name=\"\(name)\"" })
        }
        var text = kept.flatMap { $0 }.joined(separator: "\n").trimmingCharacters(in: .newlines)
        if !text.isEmpty { text += "\n\n" }
        return text + "[[index]]\nname = \"\(name)\"\nurl = \"\(indexURL)\"\ndefault = true\n"
    }

    /// `https://depot:TOKEN@host/...`: the credentials pip and uv read from an index URL.
    public static func withCredentials(_ url: String, token: String) -> String {
        guard let range = url.range(of: "://") else { return url }
        return url.replacingCharacters(in: range, with: "://depot:\(token)@")
    }
}

/// A minimal INI editor: sets keys in a section (adding it when missing) and keeps other lines as they are.
struct INIFile {
    private(set) var lines: [String]

    init(_ text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
    }

    var text: String { lines.joined(separator: "\n") + "\n" }

    private func sectionName(_ line: String) -> String? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("["), trimmed.hasSuffix("]") else { return nil }
        return String(trimmed.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
    }

    private func key(_ line: String) -> String? {
        guard let first = line.first, !first.isWhitespace, let equals = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else { return nil }
        return line[..<equals].trimmingCharacters(in: .whitespaces)
    }

    /// The line range of a section's body (after its header), or nil.
    private func body(of section: String) -> Range<Int>? {
        guard let header = lines.firstIndex(where: { sectionName($0) == section }) else { return nil }
        let end = lines[(header + 1)...].firstIndex(where: { sectionName($0) != nil }) ?? lines.count
        return (header + 1)..<end
    }

    func value(section: String, key wanted: String) -> String? {
        guard let range = body(of: section), let index = range.first(where: { key(lines[$0]) == wanted }) else { return nil }
        let line = lines[index]
        let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" })!
        var value = line[line.index(after: separator)...].trimmingCharacters(in: .whitespaces)
        var next = index + 1
        while next < range.upperBound, let first = lines[next].first, first.isWhitespace, !lines[next].trimmingCharacters(in: .whitespaces).isEmpty {
            value += "\n" + lines[next]
            next += 1
        }
        return value
    }

    func setting(section: String, values: [(String, String)]) -> INIFile {
        var copy = self
        if copy.body(of: section) == nil {
            if let last = copy.lines.last, !last.trimmingCharacters(in: .whitespaces).isEmpty { copy.lines.append("") }
            copy.lines.append("[\(section)]")
        }
        for (name, value) in values {
            let range = copy.body(of: section)!
            let rendered = "\(name) = \(value)"
            if let index = range.first(where: { copy.key(copy.lines[$0]) == name }) {
                var end = index + 1
                while end < range.upperBound, let first = copy.lines[end].first, first.isWhitespace,
                    !copy.lines[end].trimmingCharacters(in: .whitespaces).isEmpty
                {
                    end += 1
                }
                copy.lines.replaceSubrange(index..<end, with: [rendered])
            } else {
                var insertAt = range.upperBound
                while insertAt > range.lowerBound, copy.lines[insertAt - 1].trimmingCharacters(in: .whitespaces).isEmpty { insertAt -= 1 }
                copy.lines.insert(rendered, at: insertAt)
            }
        }
        return copy
    }
}
