import DepotClientConfig

/// The CLI's profile file: `[profiles.NAME]` tables of `url`, `token` and `ca_cert` strings.
///
/// A strict reader for exactly this shape of TOML (no dependency for a file this small): comments and blank lines
/// are skipped, anything else is an error naming its line, so a typo never silently drops a setting.
struct ProfileFile: Sendable, Equatable {
    /// Profile names in file order (new ones are appended).
    private(set) var names: [String] = []
    private var profiles: [String: CLIProfile] = [:]

    subscript(name: String) -> CLIProfile? {
        get { profiles[name] }
        set {
            if newValue != nil, profiles[name] == nil { names.append(name) }
            if newValue == nil { names.removeAll { $0 == name } }
            profiles[name] = newValue
        }
    }

    init() {}

    init(parsing text: String) throws {
        var current: String?
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            let line = index + 1
            do {
                let content = Self.trimmed(raw)
                if content.isEmpty || content.hasPrefix("#") { continue }
                if content.hasPrefix("[") {
                    let name = try Self.tableName(content)
                    guard profiles[name] == nil else { throw TOMLSyntaxError("profile '\(name)' is defined twice") }
                    self[name] = CLIProfile()
                    current = name
                    continue
                }
                let (key, value) = try Self.keyValue(content)
                guard let name = current else { throw TOMLSyntaxError("'\(key)' outside a [profiles.NAME] table") }
                guard profiles[name]?[key] == nil else { throw TOMLSyntaxError("'\(key)' is set twice in [profiles.\(name)]") }
                profiles[name]?[key] = value
            } catch let error as TOMLSyntaxError {
                throw ProfileFileError(line: line, message: error.description)
            }
        }
    }

    /// The whole file, as `depot configure` writes it.
    var text: String {
        var out = """
            # Depot CLI profiles, written by `depot configure` (keep this file private: mode 0600).
            # Pick one with --profile NAME or DEPOT_PROFILE; [profiles.default] is used when neither is given.

            """
        for name in names {
            guard let profile = profiles[name] else { continue }
            out += "\n[profiles.\(name)]\n"
            for key in CLIProfile.keys {
                if let value = profile[key] { out += "\(key) = \(TOMLBasicString.quote(value))\n" }
            }
        }
        return out
    }

    /// `[profiles.NAME]`, optionally followed by a comment.
    private static func tableName(_ content: Substring) throws -> String {
        guard let close = content.firstIndex(of: "]") else { throw TOMLSyntaxError("expected [profiles.NAME]") }
        let inside = trimmed(content[content.index(after: content.startIndex)..<close])
        try expectEnd(content[content.index(after: close)...])
        guard inside.hasPrefix("profiles.") else { throw TOMLSyntaxError("expected [profiles.NAME], found [\(inside)]") }
        let name = String(inside.dropFirst("profiles.".count))
        guard CLIProfile.isValidName(name) else {
            throw TOMLSyntaxError("invalid profile name '\(name)' (letters, digits, - and _ only)")
        }
        return name
    }

    /// `key = "value"`, optionally followed by a comment.
    private static func keyValue(_ content: Substring) throws -> (String, String) {
        guard let equals = content.firstIndex(of: "=") else { throw TOMLSyntaxError("expected key = \"value\"") }
        let key = String(trimmed(content[..<equals]))
        guard CLIProfile.keys.contains(key) else {
            throw TOMLSyntaxError("unknown key '\(key)' (expected \(CLIProfile.keys.joined(separator: ", ")))")
        }
        let value = trimmed(content[content.index(after: equals)...])
        guard value.hasPrefix("\"") else { throw TOMLSyntaxError("the value of '\(key)' must be a double-quoted string") }
        let (string, rest) = try TOMLBasicString.parse(value)
        try expectEnd(rest)
        return (key, string)
    }

    /// Only blanks or a comment may follow a value or a table header.
    private static func expectEnd(_ rest: Substring) throws {
        let rest = trimmed(rest)
        guard rest.isEmpty || rest.hasPrefix("#") else { throw TOMLSyntaxError("unexpected '\(rest)' at the end of the line") }
    }

    private static func trimmed(_ text: Substring) -> Substring {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !blank($0) }), let last = text.lastIndex(where: { !blank($0) }) else { return "" }
        return text[first...last]
    }
}

/// A profile file that does not parse: where and why.
struct ProfileFileError: Error, CustomStringConvertible {
    let line: Int
    let message: String
    var description: String { "line \(line): \(message)" }
}
