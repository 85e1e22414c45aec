/// Validation of the names users choose for domains and repositories (they appear in URLs and paths).
public enum ResourceName {
    /// First path segments the server uses itself.
    static let reserved: Set<String> = ["api", "healthz", "metrics", "-"]

    /// Lowercase letters, digits, `-`, `_` and `.`; starts with a letter or digit; 2...50 characters.
    public static func validate(_ name: String, what: String) throws {
        let allowed = name.utf8.allSatisfy { c in
            (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
                || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: ".")
        }
        guard allowed, (2...50).contains(name.utf8.count), let first = name.utf8.first,
            first != UInt8(ascii: "-"), first != UInt8(ascii: "_"), first != UInt8(ascii: "."),
            !name.contains(".."), !reserved.contains(name)
        else {
            throw DepotError.badRequest(
                "invalid \(what) name '\(name)': use 2-50 lowercase letters, digits, '-', '_' or '.', starting with a letter or digit",
                code: "InvalidName")
        }
    }
}
