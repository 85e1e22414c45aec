/// A release version: Semantic Versioning 2.0.0, strictly (what SwiftPM's `Version` parses). Ordered by SemVer
/// precedence; build metadata does not count there, but two spellings stay two releases.
public struct SwiftReleaseVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let major: Int
    public let minor: Int
    public let patch: Int
    /// Dot-separated pre-release identifiers (`beta.2`), empty for a release.
    public let prerelease: [Substring]
    public let build: [Substring]
    public let description: String

    /// Longest version accepted: SemVer sets none; this keeps URLs and records small.
    static let maxLength = 256

    public init?(_ text: String) {
        guard !text.isEmpty, text.utf8.count <= Self.maxLength else { return nil }
        var rest = Substring(text)
        var build: [Substring] = []
        if let plus = rest.firstIndex(of: "+") {
            guard let identifiers = Self.identifiers(rest[rest.index(after: plus)...], numericMayLeadWithZero: true) else { return nil }
            build = identifiers
            rest = rest[..<plus]
        }
        var prerelease: [Substring] = []
        if let hyphen = rest.firstIndex(of: "-") {
            guard let identifiers = Self.identifiers(rest[rest.index(after: hyphen)...], numericMayLeadWithZero: false) else {
                return nil
            }
            prerelease = identifiers
            rest = rest[..<hyphen]
        }
        let core = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard core.count == 3, let major = Self.number(core[0]), let minor = Self.number(core[1]), let patch = Self.number(core[2]) else {
            return nil
        }
        self.major = major
        self.minor = minor
        self.patch = patch
        self.prerelease = prerelease
        self.build = build
        description = text
    }

    /// A numeric identifier without a leading zero that fits an `Int` (SwiftPM's `Version` holds `Int`s).
    private static func number(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy(isDigit), text == "0" || text.first != "0" else { return nil }
        return Int(text)
    }

    private static func identifiers(_ text: Substring, numericMayLeadWithZero: Bool) -> [Substring]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        for part in parts {
            guard !part.isEmpty, part.utf8.allSatisfy({ isDigit($0) || isLetter($0) || $0 == UInt8(ascii: "-") }) else { return nil }
            if !numericMayLeadWithZero, part.utf8.allSatisfy(isDigit), part.count > 1, part.first == "0" { return nil }
        }
        return parts
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    public static func == (a: SwiftReleaseVersion, b: SwiftReleaseVersion) -> Bool { a.description == b.description }

    public func hash(into hasher: inout Hasher) { hasher.combine(description) }

    /// SemVer precedence; equal precedence falls back to the spelling so the order is total.
    public static func < (a: SwiftReleaseVersion, b: SwiftReleaseVersion) -> Bool {
        if let order = precedence(a, b) { return order }
        return a.description < b.description
    }

    /// True when `a` precedes `b`, false when it follows, nil when they have the same precedence.
    static func precedence(_ a: SwiftReleaseVersion, _ b: SwiftReleaseVersion) -> Bool? {
        if (a.major, a.minor, a.patch) != (b.major, b.minor, b.patch) { return (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch) }
        // A pre-release comes before its release.
        switch (a.prerelease.isEmpty, b.prerelease.isEmpty) {
        case (true, true): return nil
        case (true, false): return false
        case (false, true): return true
        case (false, false): break
        }
        for (x, y) in zip(a.prerelease, b.prerelease) where x != y {
            return identifierPrecedes(x, y)
        }
        return a.prerelease.count == b.prerelease.count ? nil : a.prerelease.count < b.prerelease.count
    }

    /// Numeric identifiers by value (compared as digit strings: no overflow), before alphanumeric ones (ASCII order).
    private static func identifierPrecedes(_ x: Substring, _ y: Substring) -> Bool {
        let xNumeric = x.utf8.allSatisfy(isDigit)
        let yNumeric = y.utf8.allSatisfy(isDigit)
        switch (xNumeric, yNumeric) {
        case (true, true): return x.count != y.count ? x.count < y.count : x < y
        case (true, false): return true
        case (false, true): return false
        case (false, false): return Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8))
        }
    }

    /// Whether this is a pre-release (`1.0.0-beta`).
    public var isPrerelease: Bool { !prerelease.isEmpty }
}
