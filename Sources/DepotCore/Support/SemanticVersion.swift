/// A Semantic Versioning 2.0.0 version, parsed strictly: `MAJOR.MINOR.PATCH[-prerelease][+build]`, numbers without
/// leading zeros that fit an `Int`, identifiers of ASCII letters, digits and `-`. The one parser behind npm, Cargo
/// and Swift registry versions. Ordered by SemVer precedence (build metadata does not count), ties broken by the
/// spelling so the order is total; equal only when spelled alike.
public struct SemanticVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let major: Int
    public let minor: Int
    public let patch: Int
    /// Dot-separated identifiers after `-` (`beta.2`); empty for a release.
    public let prerelease: [Substring]
    /// Dot-separated identifiers after `+`; empty when absent.
    public let build: [Substring]
    /// The text as given.
    public let description: String

    /// Longest version accepted: SemVer sets none; this keeps URLs, keys and records small.
    public static let maxLength = 256

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

    /// Whether this is a pre-release (`1.0.0-beta`).
    public var isPrerelease: Bool { !prerelease.isEmpty }

    /// The version without its build metadata: `1.0.0+a` and `1.0.0+b` are one version where a registry says so
    /// (Cargo, npm).
    public var identity: String {
        guard let plus = description.firstIndex(of: "+") else { return description }
        return String(description[..<plus])
    }

    public static func < (a: SemanticVersion, b: SemanticVersion) -> Bool {
        if let order = precedence(a, b) { return order }
        return a.description < b.description
    }

    /// True when `a` precedes `b`, false when it follows, nil when they have the same precedence.
    public static func precedence(_ a: SemanticVersion, _ b: SemanticVersion) -> Bool? {
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

    /// A numeric part without a leading zero; nil when it does not fit (parsing never traps).
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

    /// Numeric identifiers by value (compared as digit strings: no overflow), before alphanumeric ones (ASCII order).
    private static func identifierPrecedes(_ x: Substring, _ y: Substring) -> Bool {
        switch (x.utf8.allSatisfy(isDigit), y.utf8.allSatisfy(isDigit)) {
        case (true, true): return x.count != y.count ? x.count < y.count : x < y
        case (true, false): return true
        case (false, true): return false
        case (false, false): return Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8))
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }
}
