import DepotCore

/// A SemVer 2.0 version as Cargo writes it (`1.2.3`, `1.0.0-beta.2`, `0.1.0+build.5`). Build metadata does not
/// count for identity or order, so Depot records a version under `identity` (without it) and keeps the full
/// string in the index line.
public struct CargoVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let major: UInt64
    public let minor: UInt64
    public let patch: UInt64
    /// Dot-separated identifiers after `-`; empty for a release.
    public let prerelease: [Substring]
    /// After `+`, nil when absent.
    public let build: Substring?
    /// The text as given.
    public let text: String

    public static let maxLength = 128

    public init?(_ text: String) {
        guard !text.isEmpty, text.utf8.count <= Self.maxLength else { return nil }
        var rest = Substring(text)
        var build: Substring?
        if let plus = rest.firstIndex(of: "+") {
            let value = rest[rest.index(after: plus)...]
            guard Self.identifiers(value, numericRule: false) != nil else { return nil }
            build = value
            rest = rest[..<plus]
        }
        var prerelease: [Substring] = []
        if let dash = rest.firstIndex(of: "-") {
            guard let ids = Self.identifiers(rest[rest.index(after: dash)...], numericRule: true) else { return nil }
            prerelease = ids
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
        self.text = text
    }

    /// The version without build metadata: what identifies it (`1.0.0+a` and `1.0.0+b` are one version).
    public var identity: String { build.map { String(text.dropLast($0.count + 1)) } ?? text }

    public var description: String { text }

    public static func == (a: CargoVersion, b: CargoVersion) -> Bool { a.identity == b.identity }
    public func hash(into hasher: inout Hasher) { hasher.combine(identity) }

    public static func < (a: CargoVersion, b: CargoVersion) -> Bool {
        if a.major != b.major { return a.major < b.major }
        if a.minor != b.minor { return a.minor < b.minor }
        if a.patch != b.patch { return a.patch < b.patch }
        // A pre-release sorts before its release.
        switch (a.prerelease.isEmpty, b.prerelease.isEmpty) {
        case (true, true): return false
        case (true, false): return false
        case (false, true): return true
        case (false, false): break
        }
        for (x, y) in zip(a.prerelease, b.prerelease) where x != y {
            switch (UInt64(x), UInt64(y)) {
            case let (m?, n?): return m < n
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return x < y
            }
        }
        return a.prerelease.count < b.prerelease.count
    }

    /// A numeric part: digits, no leading zero, within UInt64 (parsing reports overflow as nil, never traps).
    private static func number(_ text: Substring) -> UInt64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        guard text.count == 1 || text.first != "0" else { return nil }
        return UInt64(text)
    }

    /// Non-empty dot-separated identifiers of ASCII alphanumerics and `-`; pre-release numbers have no leading zero.
    private static func identifiers(_ text: Substring, numericRule: Bool) -> [Substring]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        for part in parts {
            guard !part.isEmpty,
                part.utf8.allSatisfy({ CargoCrateName.isLetter($0) || CargoCrateName.isDigit($0) || $0 == UInt8(ascii: "-") })
            else { return nil }
            if numericRule, part.utf8.allSatisfy(CargoCrateName.isDigit), part.count > 1, part.first == "0" { return nil }
        }
        return parts
    }

    static func invalid(_ text: String) -> DepotError {
        let shown = text.utf8.count > 80 ? String(text.prefix(80)) + "..." : text
        return DepotError.badRequest("invalid version '\(shown)': not a SemVer version such as 1.2.3", code: "InvalidVersion")
    }
}
