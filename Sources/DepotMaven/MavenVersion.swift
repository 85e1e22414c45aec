/// A Maven version ordered like Maven's `ComparableVersion`: items split on `.`, `-` and digit/letter transitions;
/// qualifiers `alpha` < `beta` < `milestone` < `rc` (= `cr`) < `snapshot` < `""` (= `ga`, `final`, `release`) < `sp`,
/// unknown qualifiers after those (lexically, case-insensitive); trailing zeros and empty qualifiers are ignored,
/// so `1.0 == 1.0.0 == 1-ga`. Any string is a version.
public struct MavenVersion: Sendable, Comparable, Hashable, CustomStringConvertible {
    public static let snapshotSuffix = "-SNAPSHOT"

    /// The text as given.
    public let string: String
    private let items: [Item]

    /// Longest text parsed into items (a path segment's limit: no version Depot stores is longer).
    static let maxParsedLength = 255

    public init(_ string: String) {
        self.string = string
        // Every `-` and digit/letter switch nests a list that comparing walks recursively, so a longer text
        // (a hostile upstream document) is one opaque qualifier rather than a stack overflow.
        let lowercased = string.lowercased()
        self.items = string.utf8.count <= Self.maxParsedLength ? Self.parse(lowercased) : [.string(lowercased)]
    }

    public var description: String { string }

    /// Ends with `-SNAPSHOT`.
    public var isSnapshot: Bool { Self.isSnapshot(string) }

    public static func isSnapshot(_ version: String) -> Bool {
        version.hasSuffix(snapshotSuffix) && version.count > snapshotSuffix.count
    }

    /// The normalized form (Maven's `getCanonical()`): equal versions have equal canonical forms.
    public var canonical: String { Item.list(items).canonical(top: true) }

    public static func < (a: MavenVersion, b: MavenVersion) -> Bool {
        Item.compareLists(a.items, b.items) < 0
    }

    public static func == (a: MavenVersion, b: MavenVersion) -> Bool {
        Item.compareLists(a.items, b.items) == 0
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(canonical) }

    // MARK: - Items

    private indirect enum Item: Sendable {
        /// Digits without leading zeros ("" for zero), compared by length then lexically (no overflow).
        case int(String)
        /// A qualifier after aliasing (`ga` -> "", `cr` -> `rc`, `a1` -> `alpha`).
        case string(String)
        case list([Item])

        static let qualifiers = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"]
        static let releaseIndex = "5"

        static func comparable(_ qualifier: String) -> String {
            if let i = qualifiers.firstIndex(of: qualifier) { return String(i) }
            return "\(qualifiers.count)-\(qualifier)"
        }

        static func makeInt(_ digits: Substring) -> Item {
            .int(String(digits.drop(while: { $0 == "0" })))
        }

        static func makeString(_ value: Substring, followedByDigit: Bool) -> Item {
            var v = String(value)
            if followedByDigit, v.count == 1 {
                switch v {
                case "a": v = "alpha"
                case "b": v = "beta"
                case "m": v = "milestone"
                default: break
                }
            }
            switch v {
            case "ga", "final", "release": v = ""
            case "cr": v = "rc"
            default: break
            }
            return .string(v)
        }

        var isNull: Bool {
            switch self {
            case .int(let d): d.isEmpty
            case .string(let s): s.isEmpty
            case .list(let l): l.isEmpty
            }
        }

        /// `compareTo(null)`.
        func compareToNull() -> Int {
            switch self {
            case .int(let d): d.isEmpty ? 0 : 1
            case .string(let s): Self.compareStrings(Self.comparable(s), Self.releaseIndex)
            case .list(let l): l.first?.compareToNull() ?? 0
            }
        }

        func compare(_ other: Item?) -> Int {
            guard let other else { return compareToNull() }
            switch (self, other) {
            case (.int(let a), .int(let b)):
                if a.count != b.count { return a.count < b.count ? -1 : 1 }
                return Self.compareStrings(a, b)
            case (.int, _): return 1
            case (.string(let a), .string(let b)): return Self.compareStrings(Self.comparable(a), Self.comparable(b))
            case (.string, _): return -1
            case (.list, .int): return -1
            case (.list, .string): return 1
            case (.list(let a), .list(let b)): return Self.compareLists(a, b)
            }
        }

        static func compareLists(_ a: [Item], _ b: [Item]) -> Int {
            var i = 0
            while i < a.count || i < b.count {
                let l = i < a.count ? a[i] : nil
                let r = i < b.count ? b[i] : nil
                let result: Int
                if let l {
                    result = l.compare(r)
                } else if let r {
                    result = -r.compare(nil)
                } else {
                    result = 0
                }
                if result != 0 { return result }
                i += 1
            }
            return 0
        }

        static func compareStrings(_ a: String, _ b: String) -> Int {
            a == b ? 0 : (Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)) ? -1 : 1)
        }

        func canonical(top: Bool = false) -> String {
            switch self {
            case .int(let d): return d.isEmpty ? "0" : d
            case .string(let s): return s
            case .list(let items):
                var out = ""
                for item in items {
                    if !out.isEmpty {
                        if case .list = item { out += "-" } else { out += "." }
                    }
                    out += item.canonical()
                }
                return out
            }
        }
    }

    /// A list being built: its items and where it hangs in its parent.
    private final class Builder {
        var items: [Item] = []
        var children: [(index: Int, builder: Builder)] = []

        func addList() -> Builder {
            let child = Builder()
            children.append((items.count, child))
            items.append(.list([]))
            return child
        }

        /// Fills in the child lists, normalizing bottom-up (as Maven does when it pops its stack).
        func build() -> [Item] {
            for (index, child) in children { items[index] = .list(child.build()) }
            var i = items.count - 1
            while i >= 0 {
                if items[i].isNull {
                    items.remove(at: i)
                } else if case .list = items[i] {
                } else {
                    break
                }
                i -= 1
            }
            return items
        }
    }

    private static func parse(_ version: String) -> [Item] {
        let chars = Array(version)
        let root = Builder()
        var list = root
        var isDigit = false
        var start = 0
        func text(_ from: Int, _ to: Int) -> Substring { Substring(String(chars[from..<to])) }
        func item(_ digit: Bool, _ from: Int, _ to: Int) -> Item {
            digit ? Item.makeInt(text(from, to)) : Item.makeString(text(from, to), followedByDigit: false)
        }
        for (i, c) in chars.enumerated() {
            if c == "." {
                list.items.append(i == start ? .int("") : item(isDigit, start, i))
                start = i + 1
            } else if c == "-" {
                list.items.append(i == start ? .int("") : item(isDigit, start, i))
                start = i + 1
                list = list.addList()
            } else if c.isASCII && c.isNumber {
                if !isDigit && i > start {
                    list.items.append(Item.makeString(text(start, i), followedByDigit: true))
                    start = i
                    list = list.addList()
                }
                isDigit = true
            } else {
                if isDigit && i > start {
                    list.items.append(Item.makeInt(text(start, i)))
                    start = i
                    list = list.addList()
                }
                isDigit = false
            }
        }
        if chars.count > start {
            list.items.append(item(isDigit, start, chars.count))
        }
        return root.build()
    }
}
