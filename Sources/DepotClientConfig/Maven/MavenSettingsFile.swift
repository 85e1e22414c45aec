import DepotCore
import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Edits `~/.m2/settings.xml` for `depot login --tool maven`: a `<server>` with the token as password, a
/// `<profile>` declaring Depot as repository and plugin repository (releases and snapshots), activated in
/// `<activeProfiles>`. An earlier server, profile and activation with the same id are replaced; everything
/// else in the file (other servers, mirrors, comments, formatting) is kept byte for byte.
public struct MavenSettingsFile: Sendable {
    /// The repository URL: `https://host/{domain}/{repo}/maven/`.
    public var repositoryURL: String
    public var token: String
    /// The id of the server, profile and repositories; `<distributionManagement>` must use the same one.
    public var id: String
    public var username: String

    public init(repositoryURL: String, token: String, id: String = "depot", username: String = "depot") {
        self.repositoryURL = repositoryURL
        self.token = token
        self.id = id
        self.username = username
    }

    static let emptySettings = """
        <?xml version="1.0" encoding="UTF-8"?>
        <settings xmlns="http://maven.apache.org/SETTINGS/1.0.0"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  xsi:schemaLocation="http://maven.apache.org/SETTINGS/1.0.0 https://maven.apache.org/xsd/settings-1.0.0.xsd">
        </settings>

        """

    /// The new text of settings.xml given the current one (empty or only whitespace: a fresh file).
    /// A file that is not well-formed XML with a `<settings>` root throws `badRequest` (and is left alone).
    public func merged(into existing: String) throws -> String {
        var text = existing.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? Self.emptySettings : existing
        try Self.checkWellFormed(text)
        let escapedID = XMLEscape.escape(id)

        // Remove earlier entries with our id.
        text = try Self.removeChildren(in: text, container: "servers", element: "server", whereID: id)
        text = try Self.removeChildren(in: text, container: "profiles", element: "profile", whereID: id)
        text = try Self.removeChildren(in: text, container: "activeProfiles", element: "activeProfile", whereText: id)

        // Insert the new ones.
        let repository = { (element: String) in
            """
            <\(element)>
              <id>\(escapedID)</id>
              <url>\(XMLEscape.escape(repositoryURL))</url>
              <releases><enabled>true</enabled></releases>
              <snapshots><enabled>true</enabled></snapshots>
            </\(element)>
            """
        }
        let server = """
            <server>
              <id>\(escapedID)</id>
              <username>\(XMLEscape.escape(username))</username>
              <password>\(XMLEscape.escape(token))</password>
            </server>
            """
        let profile = """
            <profile>
              <id>\(escapedID)</id>
              <repositories>
            \(Self.indent(repository("repository"), by: 4))
              </repositories>
              <pluginRepositories>
            \(Self.indent(repository("pluginRepository"), by: 4))
              </pluginRepositories>
            </profile>
            """
        text = try Self.insert(server, into: "servers", in: text)
        text = try Self.insert(profile, into: "profiles", in: text)
        text = try Self.insert("<activeProfile>\(escapedID)</activeProfile>", into: "activeProfiles", in: text)
        try Self.checkWellFormed(text)
        return text
    }

    /// The `<distributionManagement>` block for a pom, deploying releases and snapshots to `url`.
    public static func distributionManagementSnippet(url: String, id: String = "depot") -> String {
        let u = XMLEscape.escape(url)
        let i = XMLEscape.escape(id)
        return """
            <distributionManagement>
              <repository>
                <id>\(i)</id>
                <url>\(u)</url>
              </repository>
              <snapshotRepository>
                <id>\(i)</id>
                <url>\(u)</url>
              </snapshotRepository>
            </distributionManagement>
            """
    }

    // MARK: - Editing

    private static func indent(_ s: String, by n: Int) -> String {
        let pad = String(repeating: " ", count: n)
        return s.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : pad + $0 }
            .joined(separator: "\n")
    }

    private static func unparsable(_ reason: String) -> DepotError {
        DepotError.badRequest(
            "the existing settings.xml cannot be edited safely (\(reason)); fix or move it and log in again",
            code: "InvalidSettings")
    }

    private static func checkWellFormed(_ text: String) throws {
        let parser = XMLParser(data: Data(text.utf8))
        parser.shouldResolveExternalEntities = false
        // On Linux, parse() can return true after an error (e.g. an unclosed element); check parserError as well.
        guard parser.parse(), parser.parserError == nil else {
            throw unparsable(parser.parserError.map { "\($0.localizedDescription)" } ?? "not well-formed XML")
        }
    }

    private static func root(_ bytes: [UInt8]) throws -> XMLElementRange {
        let roots = try XMLElementRange.parse(bytes)
        guard roots.count == 1, let root = roots.first, root.name == "settings" else {
            throw unparsable("the root element is not <settings>")
        }
        return root
    }

    private static func removeChildren(
        in text: String, container: String, element: String, whereID id: String? = nil, whereText: String? = nil
    ) throws -> String {
        var bytes = Array(text.utf8)
        let masked = XMLElementRange.masked(bytes)
        let settings = try root(bytes)
        var removals: [Range<Int>] = []
        for c in settings.children where c.name == container {
            for e in c.children where e.name == element {
                let matches: Bool
                if let id {
                    matches = e.children.contains { $0.name == "id" && $0.text(masked) == id }
                } else {
                    matches = e.text(masked) == whereText
                }
                if matches { removals.append(lineRange(of: e.outer, in: bytes)) }
            }
        }
        for r in removals.sorted(by: { $0.lowerBound > $1.lowerBound }) { bytes.removeSubrange(r) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Extends an element's range to whole lines when it stands alone on its lines.
    private static func lineRange(of r: Range<Int>, in b: [UInt8]) -> Range<Int> {
        var s = r.lowerBound
        while s > 0, b[s - 1] == UInt8(ascii: " ") || b[s - 1] == UInt8(ascii: "\t") { s -= 1 }
        var e = r.upperBound
        while e < b.count, b[e] == UInt8(ascii: " ") || b[e] == UInt8(ascii: "\t") || b[e] == UInt8(ascii: "\r") {
            e += 1
        }
        guard s == 0 || b[s - 1] == UInt8(ascii: "\n"), e == b.count || b[e] == UInt8(ascii: "\n") else { return r }
        return s..<(e < b.count ? e + 1 : e)
    }

    /// The whitespace before position `p` on its line, if only whitespace precedes it there.
    private static func lineIndent(before p: Int, in b: [UInt8]) -> (indent: String, lineStart: Int)? {
        var s = p
        while s > 0, b[s - 1] == UInt8(ascii: " ") || b[s - 1] == UInt8(ascii: "\t") { s -= 1 }
        guard s == 0 || b[s - 1] == UInt8(ascii: "\n") else { return nil }
        return (String(decoding: b[s..<p], as: UTF8.self), s)
    }

    /// Appends `snippet` as the last child of the root's `container`, creating the container when missing.
    private static func insert(_ snippet: String, into container: String, in text: String) throws -> String {
        var bytes = Array(text.utf8)
        let settings = try root(bytes)
        if let c = settings.children.first(where: { $0.name == container }) {
            bytes = appendChild(snippet, to: c, in: bytes, containerName: container)
        } else {
            bytes = appendChild("<\(container)>\n\(indent(snippet, by: 2))\n</\(container)>", to: settings, in: bytes,
                containerName: "settings")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func appendChild(_ snippet: String, to e: XMLElementRange, in b: [UInt8], containerName: String)
        -> [UInt8]
    {
        var bytes = b
        guard let end = e.endTag else {
            // Self-closing `<servers/>`: replace by an open/close pair around the child.
            let base = lineIndent(before: e.startTag.lowerBound, in: b)?.indent ?? ""
            let open = String(decoding: b[e.startTag.lowerBound..<(e.startTag.upperBound - 2)], as: UTF8.self)
                .trimmingCharacters(in: .whitespaces)
            let replacement = "\(open)>\n" + indent(snippet, by: base.count + 2) + "\n\(base)</\(containerName)>"
            bytes.replaceSubrange(e.startTag, with: Array(replacement.utf8))
            return bytes
        }
        if let (base, lineStart) = lineIndent(before: end.lowerBound, in: b) {
            let insertion = indent(snippet, by: base.count + 2) + "\n"
            bytes.insert(contentsOf: Array(insertion.utf8), at: lineStart)
        } else {
            let base = lineIndent(before: e.startTag.lowerBound, in: b)?.indent ?? ""
            let insertion = "\n" + indent(snippet, by: base.count + 2) + "\n" + base
            bytes.insert(contentsOf: Array(insertion.utf8), at: end.lowerBound)
        }
        return bytes
    }
}

/// An element's position in an XML text: enough structure for careful text-level edits.
/// Comments, processing instructions and CDATA are masked first, so commented-out elements are not seen.
struct XMLElementRange {
    var name: String
    var startTag: Range<Int>
    /// nil for a self-closing element.
    var endTag: Range<Int>?
    var children: [XMLElementRange] = []

    var outer: Range<Int> { startTag.lowerBound..<(endTag?.upperBound ?? startTag.upperBound) }

    /// The trimmed text content (children and masked parts included as they appear in `masked`).
    func text(_ masked: [UInt8]) -> String {
        guard let endTag else { return "" }
        return String(decoding: masked[startTag.upperBound..<endTag.lowerBound], as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `bytes` with comments, processing instructions and CDATA sections replaced by spaces (newlines kept).
    static func masked(_ bytes: [UInt8]) -> [UInt8] {
        var out = bytes
        var i = 0
        func starts(_ s: String, at i: Int) -> Bool {
            let u = Array(s.utf8)
            return i + u.count <= bytes.count && Array(bytes[i..<(i + u.count)]) == u
        }
        func find(_ s: String, from i: Int) -> Int? {
            let u = Array(s.utf8)
            var j = i
            while j + u.count <= bytes.count {
                if bytes[j] == u[0], Array(bytes[j..<(j + u.count)]) == u { return j + u.count }
                j += 1
            }
            return nil
        }
        while i < bytes.count {
            var end: Int?
            if starts("<!--", at: i) {
                end = find("-->", from: i + 4) ?? bytes.count
            } else if starts("<![CDATA[", at: i) {
                end = find("]]>", from: i + 9) ?? bytes.count
            } else if starts("<?", at: i) {
                end = find("?>", from: i + 2) ?? bytes.count
            } else if starts("<!", at: i) {
                end = find(">", from: i + 2) ?? bytes.count
            }
            if let end {
                for j in i..<end where out[j] != UInt8(ascii: "\n") { out[j] = UInt8(ascii: " ") }
                i = end
            } else {
                i += 1
            }
        }
        return out
    }

    /// The top-level elements of `bytes` (a well-formed document has one).
    static func parse(_ bytes: [UInt8]) throws -> [XMLElementRange] {
        let m = masked(bytes)
        var stack: [XMLElementRange] = []
        var roots: [XMLElementRange] = []
        var i = 0
        func isNameEnd(_ c: UInt8) -> Bool {
            c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r")
                || c == UInt8(ascii: ">") || c == UInt8(ascii: "/")
        }
        func localName(_ raw: ArraySlice<UInt8>) -> String {
            let s = String(decoding: raw, as: UTF8.self)
            return s.split(separator: ":").last.map(String.init) ?? s
        }
        func malformed() -> DepotError {
            DepotError.badRequest("the existing settings.xml has unbalanced tags", code: "InvalidSettings")
        }
        while i < m.count {
            guard m[i] == UInt8(ascii: "<") else {
                i += 1
                continue
            }
            let start = i
            let closing = i + 1 < m.count && m[i + 1] == UInt8(ascii: "/")
            var j = closing ? i + 2 : i + 1
            let nameStart = j
            while j < m.count, !isNameEnd(m[j]) { j += 1 }
            let name = localName(m[nameStart..<j])
            // Find the end of the tag, skipping quoted attribute values.
            var quote: UInt8?
            while j < m.count {
                let c = m[j]
                if let q = quote {
                    if c == q { quote = nil }
                } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                    quote = c
                } else if c == UInt8(ascii: ">") {
                    break
                }
                j += 1
            }
            guard j < m.count, !name.isEmpty else { throw malformed() }
            let tag = start..<(j + 1)
            i = j + 1
            if closing {
                guard var element = stack.popLast(), element.name == name else { throw malformed() }
                element.endTag = tag
                if stack.isEmpty { roots.append(element) } else { stack[stack.count - 1].children.append(element) }
            } else if m[j - 1] == UInt8(ascii: "/") {
                let element = XMLElementRange(name: name, startTag: tag, endTag: nil)
                if stack.isEmpty { roots.append(element) } else { stack[stack.count - 1].children.append(element) }
            } else {
                stack.append(XMLElementRange(name: name, startTag: tag, endTag: nil))
            }
        }
        guard stack.isEmpty else { throw malformed() }
        return roots
    }
}
