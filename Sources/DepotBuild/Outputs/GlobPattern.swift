import Foundation

/// A buildspec path pattern (`**/*`, `dist/*.js`, `target/app-?.jar`) matched against `/`-separated relative paths.
/// `**` spans directories, `*` and `?` stay within one.
public struct GlobPattern: Sendable {
    public let pattern: String
    private let regex: NSRegularExpression

    public init(_ pattern: String) {
        var text = pattern
        while text.hasPrefix("./") { text.removeFirst(2) }
        self.pattern = text
        var source = "^"
        var rest = Substring(text)
        while let c = rest.first {
            if rest.hasPrefix("**/") {
                source += "(?:.*/)?"
                rest = rest.dropFirst(3)
            } else if rest.hasPrefix("**") {
                source += ".*"
                rest = rest.dropFirst(2)
            } else {
                switch c {
                case "*": source += "[^/]*"
                case "?": source += "[^/]"
                default: source += NSRegularExpression.escapedPattern(for: String(c))
                }
                rest = rest.dropFirst()
            }
        }
        // A pattern naming a directory takes everything under it.
        source += "(?:/.*)?$"
        // The escaped pattern always compiles.
        regex = try! NSRegularExpression(pattern: source)
    }

    public func matches(_ path: String) -> Bool {
        regex.firstMatch(in: path, range: NSRange(path.startIndex..., in: path)) != nil
    }
}
