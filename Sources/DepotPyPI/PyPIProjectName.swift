import DepotCore

/// A PyPI project name as uploaded (`Friendly_Bar`) and its PEP 503 normalized form (`friendly-bar`).
/// The normalized form is the package key, so `Foo.Bar` and `foo-bar` are one project, as on PyPI.
public struct PyPIProjectName: Sendable, Hashable, CustomStringConvertible {
    /// The name as the publisher wrote it.
    public let original: String
    /// Lowercase, every run of `-`, `_` and `.` replaced by one `-`.
    public let normalized: String

    /// Longest name accepted; PyPI has no hard limit but nothing real comes close, and names land in URLs.
    public static let maxLength = 200

    /// Validates `name` against the core metadata rule
    /// `^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$` (case-insensitive).
    public init(_ name: String) throws {
        guard Self.isValid(name) else {
            throw DepotError.badRequest(
                "invalid project name '\(name.prefix(Self.maxLength))': use ASCII letters, digits, '.', '_' and '-', "
                    + "starting and ending with a letter or digit (at most \(Self.maxLength) characters)",
                code: "InvalidPackageName")
        }
        original = name
        normalized = Self.normalize(name)
    }

    public var description: String { original }

    /// True when the name is already in PEP 503 form (the form used in `/simple/<name>/` URLs).
    public var isNormalized: Bool { original == normalized }

    /// PEP 503: `re.sub(r"[-_.]+", "-", name).lower()`. Applied to any string, valid or not.
    public static func normalize(_ name: String) -> String {
        var out = [UInt8]()
        out.reserveCapacity(name.utf8.count)
        var inSeparatorRun = false
        for c in name.utf8 {
            if c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: ".") {
                if !inSeparatorRun { out.append(UInt8(ascii: "-")) }
                inSeparatorRun = true
            } else {
                out.append(c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") ? c + 32 : c)
                inSeparatorRun = false
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// True when `name` is already normalized (lowercase, single `-` separators).
    public static func isNormalized(_ name: String) -> Bool { normalize(name) == name }

    /// The core metadata `Name` rule.
    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, let last = bytes.last, bytes.count <= maxLength,
            isAlphanumeric(first), isAlphanumeric(last)
        else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    static func isAlphanumeric(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
    }
}
