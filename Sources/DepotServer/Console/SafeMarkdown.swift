import Foundation

/// A small Markdown renderer for package READMEs that cannot emit active content: every piece of text (raw HTML
/// included) is escaped, and links and images keep only `http`, `https`, `mailto` and relative URLs; any other URL
/// (`javascript:`, `data:`, ...) leaves its text as plain text. Headings, paragraphs, emphasis, code spans and
/// blocks, lists, block quotes, rules, links and images. Bounded work: input is cut at `maximumLength` and every
/// search for a closing delimiter looks only a short way ahead, so hostile input cannot make it quadratic.
struct SafeMarkdown: Sendable {
    static let maximumLength = 256 * 1024
    private static let lookahead = 1000
    private static let maximumNesting = 6

    func render(_ markdown: String) -> String {
        let text = markdown.utf8.count > Self.maximumLength ? String(markdown.prefix(Self.maximumLength)) : markdown
        var lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)[...]
        var html = ""
        var paragraph: [Substring] = []
        func flushParagraph() {
            guard !paragraph.isEmpty else { return }
            html += "<p>" + inline(paragraph.map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "\n")) + "</p>\n"
            paragraph = []
        }
        while let line = lines.popFirst() {
            let trimmed = line.drop { $0 == " " }
            let indent = line.count - trimmed.count
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                flushParagraph()
                let fence = String(trimmed.prefix(3))
                var code: [Substring] = []
                while let next = lines.popFirst(), !next.drop(while: { $0 == " " }).hasPrefix(fence) { code.append(next) }
                html += "<pre><code>" + HTMLEscaping.escape(code.joined(separator: "\n")) + "</code></pre>\n"
            } else if trimmed.isEmpty {
                flushParagraph()
            } else if indent >= 4 && paragraph.isEmpty {
                var code = [line.dropFirst(4)]
                while let next = lines.first, next.hasPrefix("    ") || next.allSatisfy({ $0 == " " }) {
                    code.append(next.dropFirst(min(4, next.count)))
                    lines = lines.dropFirst()
                }
                while code.last?.allSatisfy({ $0 == " " }) == true { code.removeLast() }
                html += "<pre><code>" + HTMLEscaping.escape(code.joined(separator: "\n")) + "</code></pre>\n"
            } else if let level = headingLevel(trimmed) {
                flushParagraph()
                let content = trimmed.dropFirst(level).trimmingCharacters(in: .whitespaces)
                    .replacingOccurrences(of: #"\s#+$"#, with: "", options: .regularExpression)
                // The page has its own h1: README headings start one level down.
                let tag = "h\(min(level + 1, 6))"
                html += "<\(tag)>" + inline(content) + "</\(tag)>\n"
            } else if isRule(trimmed) {
                flushParagraph()
                html += "<hr>\n"
            } else if trimmed.hasPrefix(">") {
                flushParagraph()
                var quoted = [trimmed.dropFirst().drop { $0 == " " }]
                while let next = lines.first, next.drop(while: { $0 == " " }).hasPrefix(">") {
                    quoted.append(next.drop(while: { $0 == " " }).dropFirst().drop { $0 == " " })
                    lines = lines.dropFirst()
                }
                html += "<blockquote><p>" + inline(quoted.joined(separator: "\n")) + "</p></blockquote>\n"
            } else if let (ordered, first) = listItem(trimmed), paragraph.isEmpty {
                var items = [first]
                while let next = lines.first {
                    let nextTrimmed = next.drop { $0 == " " }
                    if let (nextOrdered, item) = listItem(nextTrimmed), nextOrdered == ordered {
                        items.append(item)
                    } else if !nextTrimmed.isEmpty, next.hasPrefix("  "), !items.isEmpty {
                        items[items.count - 1] += "\n" + nextTrimmed
                    } else {
                        break
                    }
                    lines = lines.dropFirst()
                }
                let tag = ordered ? "ol" : "ul"
                html += "<\(tag)>\n" + items.map { "<li>" + inline($0) + "</li>\n" }.joined() + "</\(tag)>\n"
            } else {
                paragraph.append(line)
            }
        }
        flushParagraph()
        return html
    }

    private func headingLevel(_ line: Substring) -> Int? {
        let hashes = line.prefix { $0 == "#" }.count
        guard (1...6).contains(hashes) else { return nil }
        let rest = line.dropFirst(hashes)
        return rest.isEmpty || rest.first == " " ? hashes : nil
    }

    private func isRule(_ line: Substring) -> Bool {
        let marks = line.filter { $0 != " " }
        guard marks.count >= 3, let first = marks.first, "-*_".contains(first) else { return false }
        return marks.allSatisfy { $0 == first }
    }

    /// `- item`, `* item`, `+ item` (unordered) or `1. item`, `1) item` (ordered).
    private func listItem(_ line: Substring) -> (ordered: Bool, text: String)? {
        if let first = line.first, "-*+".contains(first), line.dropFirst().first == " " {
            return (false, String(line.dropFirst(2)))
        }
        let digits = line.prefix { $0.isASCII && $0.isNumber }
        guard (1...9).contains(digits.count) else { return nil }
        let rest = line.dropFirst(digits.count)
        guard let mark = rest.first, mark == "." || mark == ")", rest.dropFirst().first == " " else { return nil }
        return (true, String(rest.dropFirst(2)))
    }

    // MARK: Inline

    func inline(_ text: String) -> String {
        inline(Array(text), depth: 0)
    }

    private func inline(_ chars: [Character], depth: Int) -> String {
        guard depth <= Self.maximumNesting else { return HTMLEscaping.escape(String(chars)) }
        var out = ""
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\\", i + 1 < chars.count, chars[i + 1].isPunctuation || chars[i + 1].isSymbol {
                out += HTMLEscaping.escape(String(chars[i + 1]))
                i += 2
            } else if c == "`" {
                let run = runLength(chars, from: i, of: "`")
                if let close = findRun(chars, of: "`", length: run, from: i + run) {
                    var code = String(chars[(i + run)..<close])
                    if code.count >= 2, code.first == " ", code.last == " " { code = String(code.dropFirst().dropLast()) }
                    out += "<code>" + HTMLEscaping.escape(code) + "</code>"
                    i = close + run
                } else {
                    out += String(repeating: "`", count: run)
                    i += run
                }
            } else if c == "!", i + 1 < chars.count, chars[i + 1] == "[", let link = parseLink(chars, from: i + 1) {
                let alt = String(chars[link.text])
                if let url = Self.safeURL(link.url) {
                    out += "<img src=\"\(HTMLEscaping.escape(url))\" alt=\"\(HTMLEscaping.escape(alt))\" loading=\"lazy\">"
                } else {
                    out += HTMLEscaping.escape(alt)
                }
                i = link.end
            } else if c == "[", let link = parseLink(chars, from: i) {
                let label = inline(Array(chars[link.text]), depth: depth + 1)
                if let url = Self.safeURL(link.url) {
                    out += "<a href=\"\(HTMLEscaping.escape(url))\" rel=\"nofollow noopener noreferrer\">\(label)</a>"
                } else {
                    out += label
                }
                i = link.end
            } else if c == "*" || c == "_" {
                let run = min(runLength(chars, from: i, of: c), 2)
                let opensWord = i + run < chars.count && !chars[i + run].isWhitespace
                // `snake_case_names` stay as they are: `_` emphasis only starts at a word boundary.
                let boundary = c == "*" || i == 0 || !(chars[i - 1].isLetter || chars[i - 1].isNumber)
                if opensWord, boundary, let close = findRun(chars, of: c, length: run, from: i + run), close > i + run,
                    !chars[close - 1].isWhitespace
                {
                    let tag = run == 2 ? "strong" : "em"
                    out += "<\(tag)>" + inline(Array(chars[(i + run)..<close]), depth: depth + 1) + "</\(tag)>"
                    i = close + run
                } else {
                    out += String(repeating: String(c), count: run)
                    i += run
                }
            } else if c == "\n" {
                out += "\n"
                i += 1
            } else {
                out += HTMLEscaping.escape(String(c))
                i += 1
            }
        }
        return out
    }

    private func runLength(_ chars: [Character], from start: Int, of mark: Character) -> Int {
        var end = start
        while end < chars.count, chars[end] == mark { end += 1 }
        return end - start
    }

    /// The start of the next run of exactly `length` marks within the lookahead.
    private func findRun(_ chars: [Character], of mark: Character, length: Int, from start: Int) -> Int? {
        var i = start
        let limit = min(chars.count, start + Self.lookahead)
        while i < limit {
            if chars[i] == mark {
                let run = runLength(chars, from: i, of: mark)
                if run == length { return i }
                i += run
            } else {
                i += 1
            }
        }
        return nil
    }

    /// `[text](url "title")` starting at the `[`: the text's range, the URL and the index after `)`.
    private func parseLink(_ chars: [Character], from start: Int) -> (text: Range<Int>, url: String, end: Int)? {
        var depth = 0
        var i = start
        let limit = min(chars.count, start + Self.lookahead)
        var closeBracket: Int?
        while i < limit {
            switch chars[i] {
            case "\\": i += 1
            case "[": depth += 1
            case "]":
                depth -= 1
                if depth == 0 { closeBracket = i }
            default: break
            }
            if closeBracket != nil { break }
            i += 1
        }
        guard let close = closeBracket, close + 1 < chars.count, chars[close + 1] == "(" else { return nil }
        var j = close + 2
        var parens = 1
        let urlLimit = min(chars.count, j + Self.lookahead)
        while j < urlLimit {
            if chars[j] == "(" { parens += 1 }
            if chars[j] == ")" {
                parens -= 1
                if parens == 0 { break }
            }
            j += 1
        }
        guard j < urlLimit, chars[j] == ")" else { return nil }
        var destination = String(chars[(close + 2)..<j]).trimmingCharacters(in: .whitespaces)
        if destination.hasPrefix("<"), let end = destination.firstIndex(of: ">") {
            destination = String(destination[destination.index(after: destination.startIndex)..<end])
        } else if let space = destination.firstIndex(where: { $0 == " " || $0 == "\t" || $0 == "\n" }) {
            destination = String(destination[..<space])
        }
        return ((start + 1)..<close, destination, j + 1)
    }

    /// The URL when it is http, https, mailto or relative, with no whitespace or control characters (which browsers
    /// strip, turning `java\tscript:` into a scheme); nil for anything else.
    static func safeURL(_ url: String) -> String? {
        guard !url.isEmpty, url.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F && !(0x80...0x9F).contains($0.value) })
        else { return nil }
        // Anything before the first `:` without a `/` is treated as a scheme (stricter than browsers, which also
        // end it at `?` or `#`): `&#106;avascript:` and friends never pass as relative.
        if let colon = url.firstIndex(of: ":"), !url[..<colon].contains("/") {
            let scheme = url[..<colon].lowercased()
            return ["http", "https", "mailto"].contains(scheme) ? url : nil
        }
        // `\` is a `/` to browsers: `\\evil` would be protocol-relative in disguise; refuse it.
        return url.contains("\\") ? nil : url
    }
}
