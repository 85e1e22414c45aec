/// A semantic version (semver 2.0.0) for validation and ordering; build metadata is ignored in comparisons.
public struct SemanticVersion: Sendable, Comparable, CustomStringConvertible {
    public let major: Int
    public let minor: Int
    public let patch: Int
    public let prerelease: [String]
    public let build: String?
    public let description: String

    public init?(_ text: String) {
        guard !text.isEmpty, text.utf8.count <= 256 else { return nil }
        var rest = Substring(text)
        var build: String?
        if let plus = rest.firstIndex(of: "+") {
            build = String(rest[rest.index(after: plus)...])
            rest = rest[..<plus]
            guard let build, Self.validIdentifiers(build, numericLeadingZeroAllowed: true) else { return nil }
        }
        var prerelease: [String] = []
        if let dash = rest.firstIndex(of: "-") {
            let pre = String(rest[rest.index(after: dash)...])
            guard Self.validIdentifiers(pre, numericLeadingZeroAllowed: false) else { return nil }
            prerelease = pre.split(separator: ".").map(String.init)
            rest = rest[..<dash]
        }
        let core = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard core.count == 3, let major = Self.number(core[0]), let minor = Self.number(core[1]), let patch = Self.number(core[2])
        else { return nil }
        self.major = major
        self.minor = minor
        self.patch = patch
        self.prerelease = prerelease
        self.build = build
        self.description = text
    }

    public var isPrerelease: Bool { !prerelease.isEmpty }

    public static func < (a: SemanticVersion, b: SemanticVersion) -> Bool {
        if a.major != b.major { return a.major < b.major }
        if a.minor != b.minor { return a.minor < b.minor }
        if a.patch != b.patch { return a.patch < b.patch }
        switch (a.prerelease.isEmpty, b.prerelease.isEmpty) {
        case (true, true): return false
        case (true, false): return false
        case (false, true): return true
        case (false, false): break
        }
        // Identifiers of digits only compare numerically (by length, then text: no overflow) and sort first.
        func isNumeric(_ s: String) -> Bool { !s.isEmpty && s.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }
        for (x, y) in zip(a.prerelease, b.prerelease) where x != y {
            switch (isNumeric(x), isNumeric(y)) {
            case (true, true): return x.count != y.count ? x.count < y.count : x < y
            case (true, false): return true
            case (false, true): return false
            case (false, false): return x < y
            }
        }
        return a.prerelease.count < b.prerelease.count
    }

    public static func == (a: SemanticVersion, b: SemanticVersion) -> Bool {
        a.major == b.major && a.minor == b.minor && a.patch == b.patch && a.prerelease == b.prerelease
    }

    private static func number(_ s: Substring) -> Int? {
        guard !s.isEmpty, s.count <= 15, s.allSatisfy(\.isASCII), s.allSatisfy(\.isNumber), s == "0" || !s.hasPrefix("0") else {
            return nil
        }
        return Int(s)
    }

    private static func validIdentifiers(_ s: String, numericLeadingZeroAllowed: Bool) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        return parts.allSatisfy { part in
            guard !part.isEmpty, part.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else { return false }
            if !numericLeadingZeroAllowed, part.allSatisfy(\.isNumber), part.count > 1, part.hasPrefix("0") { return false }
            return true
        }
    }
}
