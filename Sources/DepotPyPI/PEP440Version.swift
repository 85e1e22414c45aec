/// A version as PEP 440 defines it, parsed with the same leniency as `packaging.version.Version`
/// (alternate spellings, optional separators, a leading `v`), so that what pip accepts we accept.
/// Equality and ordering follow PEP 440: `1.0 == 1.0.0`, `1.0.dev0 < 1.0a1 < 1.0 < 1.0.post1`.
public struct PEP440Version: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum PreReleaseKind: String, Sendable, Comparable {
        // Raw values sort the way PEP 440 orders them: a < b < rc.
        case alpha = "a", beta = "b", releaseCandidate = "rc"

        public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    }

    public let epoch: Int
    public let release: [Int]
    public let pre: (kind: PreReleaseKind, number: Int)?
    public let post: Int?
    public let dev: Int?
    /// Local version label, normalized (lowercase, `.`-separated), without the `+`.
    public let local: String?

    /// Longest text accepted, so that a hostile string costs nothing to reject.
    static let maxLength = 256
    /// Numbers beyond this many digits are refused rather than overflowing `Int`.
    static let maxDigits = 18

    public init?(_ text: String) {
        let trimmed = text.utf8.count <= Self.maxLength ? text.trimmingWhitespace() : ""
        var scanner = Scanner(Array(trimmed.lowercased().utf8))
        guard !scanner.atEnd else { return nil }
        _ = scanner.consume("v")

        // Epoch, or the first release number.
        guard let first = scanner.number() else { return nil }
        var epoch = 0
        var release: [Int] = []
        if scanner.consume("!") {
            epoch = first
            guard let n = scanner.number() else { return nil }
            release = [n]
        } else {
            release = [first]
        }
        while scanner.peek(UInt8(ascii: "."), thenDigit: true) {
            scanner.advance()
            guard let n = scanner.number() else { return nil }
            release.append(n)
        }

        // Pre-release: [sep] label [sep] [number].
        var pre: (PreReleaseKind, Int)?
        let beforePre = scanner.position
        _ = scanner.consumeSeparator()
        if let label = scanner.consumeOne(of: ["alpha", "a", "beta", "b", "preview", "pre", "rc", "c"]) {
            let kind: PreReleaseKind = switch label {
            case "alpha", "a": .alpha
            case "beta", "b": .beta
            default: .releaseCandidate
            }
            guard let n = scanner.optionalNumber() else { return nil }
            pre = (kind, n ?? 0)
        } else {
            scanner.position = beforePre
        }

        // Post-release: `-N` (implicit), or [sep] post|rev|r [sep] [number].
        var post: Int?
        let beforePost = scanner.position
        if scanner.peek(UInt8(ascii: "-"), thenDigit: true) {
            scanner.advance()
            post = scanner.number()
        } else {
            _ = scanner.consumeSeparator()
            if scanner.consumeOne(of: ["post", "rev", "r"]) != nil {
                guard let n = scanner.optionalNumber() else { return nil }
                post = n ?? 0
            } else {
                scanner.position = beforePost
            }
        }

        // Development release: [sep] dev [sep] [number].
        var dev: Int?
        let beforeDev = scanner.position
        _ = scanner.consumeSeparator()
        if scanner.consumeOne(of: ["dev"]) != nil {
            guard let n = scanner.optionalNumber() else { return nil }
            dev = n ?? 0
        } else {
            scanner.position = beforeDev
        }

        // Local label: `+` alphanumeric runs joined by `-`, `_` or `.`.
        var local: String?
        if scanner.consume("+") {
            var parts: [String] = []
            repeat {
                let part = scanner.alphanumerics()
                guard !part.isEmpty else { return nil }
                parts.append(part)
            } while scanner.consumeSeparator()
            local = parts.joined(separator: ".")
        }

        guard scanner.atEnd else { return nil }
        self.epoch = epoch
        self.release = release
        self.pre = pre
        self.post = post
        self.dev = dev
        self.local = local
    }

    /// The canonical spelling (`1.0a1.post2.dev3+ubuntu.1`), as `packaging` prints it.
    public var description: String {
        var s = epoch != 0 ? "\(epoch)!" : ""
        s += release.map(String.init).joined(separator: ".")
        if let pre { s += "\(pre.kind.rawValue)\(pre.number)" }
        if let post { s += ".post\(post)" }
        if let dev { s += ".dev\(dev)" }
        if let local { s += "+\(local)" }
        return s
    }

    /// The canonical spelling; the same as `description`.
    public var normalized: String { description }

    /// True for alpha, beta, release candidate and development releases (pip skips them by default).
    public var isPrerelease: Bool { pre != nil || dev != nil }

    /// Release numbers without trailing zeros: what equality and ordering look at.
    private var significantRelease: ArraySlice<Int> {
        var end = release.count
        while end > 1, release[end - 1] == 0 { end -= 1 }
        return release[..<end]
    }

    public static func == (a: Self, b: Self) -> Bool { compare(a, b) == 0 }

    public static func < (a: Self, b: Self) -> Bool { compare(a, b) < 0 }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(epoch)
        hasher.combine(Array(significantRelease))
        hasher.combine(pre?.kind)
        hasher.combine(pre?.number)
        hasher.combine(post)
        hasher.combine(dev)
        hasher.combine(local)
    }

    /// The comparison key of `packaging.version._cmpkey`, written out: -1, 0 or 1.
    static func compare(_ a: Self, _ b: Self) -> Int {
        if a.epoch != b.epoch { return a.epoch < b.epoch ? -1 : 1 }
        let ra = a.significantRelease, rb = b.significantRelease
        for (x, y) in zip(ra, rb) where x != y { return x < y ? -1 : 1 }
        if ra.count != rb.count { return ra.count < rb.count ? -1 : 1 }
        if let c = ordering(a.preKey, b.preKey) { return c }
        if let c = ordering(a.post.map { Bound.value($0) } ?? .below, b.post.map { Bound.value($0) } ?? .below) { return c }
        if let c = ordering(a.dev.map { Bound.value($0) } ?? .above, b.dev.map { Bound.value($0) } ?? .above) { return c }
        return compareLocal(a.local, b.local)
    }

    /// `.below` and `.above` stand for packaging's -Infinity and +Infinity.
    private enum Bound<T: Comparable>: Comparable {
        case below
        case value(T)
        case above
    }

    private struct PreKey: Comparable {
        var kind: PreReleaseKind
        var number: Int
        static func < (a: Self, b: Self) -> Bool { (a.kind, a.number) < (b.kind, b.number) }
    }

    /// A dev release without pre or post sorts before every pre-release (1.0.dev0 < 1.0a1);
    /// otherwise no pre-release sorts after all of them (1.0rc1 < 1.0).
    private var preKey: Bound<PreKey> {
        if let pre { return .value(PreKey(kind: pre.kind, number: pre.number)) }
        if post == nil, dev != nil { return .below }
        return .above
    }

    private static func ordering<T: Comparable>(_ x: T, _ y: T) -> Int? {
        x == y ? nil : (x < y ? -1 : 1)
    }

    /// No local label sorts first; numeric segments compare as numbers and sort after alphanumeric ones.
    private static func compareLocal(_ a: String?, _ b: String?) -> Int {
        switch (a, b) {
        case (nil, nil): return 0
        case (nil, _): return -1
        case (_, nil): return 1
        case let (a?, b?):
            let sa = a.split(separator: "."), sb = b.split(separator: ".")
            for (x, y) in zip(sa, sb) where x != y {
                switch (Int(x), Int(y)) {
                case let (i?, j?): if i != j { return i < j ? -1 : 1 }
                case (.some, nil): return 1
                case (nil, .some): return -1
                case (nil, nil): return x < y ? -1 : 1
                }
            }
            return sa.count == sb.count ? 0 : (sa.count < sb.count ? -1 : 1)
        }
    }
}

/// A cursor over the lowercased bytes of a version string.
private struct Scanner {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { position == bytes.count }

    mutating func advance() { position += 1 }

    mutating func consume(_ literal: Unicode.Scalar) -> Bool {
        guard position < bytes.count, bytes[position] == UInt8(ascii: literal) else { return false }
        position += 1
        return true
    }

    func isDigit(at index: Int) -> Bool {
        index < bytes.count && bytes[index] >= UInt8(ascii: "0") && bytes[index] <= UInt8(ascii: "9")
    }

    /// True when the next byte is `byte` and (if asked) the one after it a digit.
    func peek(_ byte: UInt8, thenDigit: Bool) -> Bool {
        position < bytes.count && bytes[position] == byte && (!thenDigit || isDigit(at: position + 1))
    }

    mutating func consumeSeparator() -> Bool {
        guard position < bytes.count, [UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: ".")].contains(bytes[position])
        else { return false }
        position += 1
        return true
    }

    /// Decimal digits as a number (leading zeros allowed, as PEP 440 does); nil when none or too many.
    mutating func number() -> Int? {
        let start = position
        while isDigit(at: position) { position += 1 }
        let count = position - start
        guard count > 0, count <= PEP440Version.maxDigits else { return nil }
        return bytes[start..<position].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }

    /// The `[sep] [number]` tail of a pre, post or dev label: `.some(nil)` when no number follows,
    /// nil when the number is unusable. A separator not followed by digits is left for the next part.
    mutating func optionalNumber() -> Int?? {
        if isDigit(at: position) { return number().map { .some($0) } }
        let save = position
        if consumeSeparator(), isDigit(at: position) { return number().map { .some($0) } }
        position = save
        return .some(nil)
    }

    /// The first literal of `options` that the input continues with (list longer spellings first).
    mutating func consumeOne(of options: [String]) -> String? {
        for option in options {
            let literal = Array(option.utf8)
            if position + literal.count <= bytes.count, Array(bytes[position..<position + literal.count]) == literal {
                position += literal.count
                return option
            }
        }
        return nil
    }

    mutating func alphanumerics() -> String {
        let start = position
        while position < bytes.count, PyPIProjectName.isAlphanumeric(bytes[position]) { position += 1 }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }
}

extension String {
    /// Strips ASCII whitespace at both ends, as `packaging` does before matching.
    func trimmingWhitespace() -> String {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || ($0 >= 0x09 && $0 <= 0x0d) }
        let bytes = Array(utf8)
        guard let start = bytes.firstIndex(where: { !isSpace($0) }), let end = bytes.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(decoding: bytes[start...end], as: UTF8.self)
    }
}
