import DepotCore

/// A crate name as crates.io accepts it: ASCII letters, digits, `-` and `_`, starting with a letter, at most 64
/// characters. Names are looked up lowercased (the index paths are), and two names that differ only in case or in
/// `-` versus `_` are the same crate for uniqueness (`canonical`).
public struct CargoCrateName: Sendable, Hashable, CustomStringConvertible {
    /// As published (the index line's `name` keeps its case).
    public let name: String

    public static let maxLength = 64

    /// Names Windows cannot create as files: a crate so named could not be unpacked or indexed on disk.
    static let reserved: Set<String> = [
        "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9",
        "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
    ]

    public init(_ name: String) throws {
        let bytes = Array(name.utf8)
        guard let first = bytes.first else { throw Self.invalid(name, "the name is empty") }
        guard bytes.count <= Self.maxLength else { throw Self.invalid(name, "it is longer than \(Self.maxLength) characters") }
        guard Self.isLetter(first) else { throw Self.invalid(name, "it must start with an ASCII letter") }
        guard bytes.allSatisfy({ Self.isLetter($0) || Self.isDigit($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }) else {
            throw Self.invalid(name, "only ASCII letters, digits, '-' and '_' are allowed")
        }
        guard !Self.reserved.contains(name.lowercased()) else { throw Self.invalid(name, "it is a reserved file name") }
        self.name = name
    }

    /// The name from a stored package key (already validated when it was stored).
    init(key: PackageKey) {
        name = key.name
    }

    /// How the index and the package key spell it.
    public var lowercased: String { name.lowercased() }

    /// crates.io's uniqueness form: lowercase, `-` as `_`.
    public var canonical: String { String(lowercased.map { $0 == "-" ? "_" : $0 }) }

    public var key: PackageKey { PackageKey(format: CargoFormat.id, name: lowercased) }

    public var description: String { name }

    static func isLetter(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) }
    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    static func invalid(_ name: String, _ why: String) -> DepotError {
        let shown = name.utf8.count > 80 ? String(name.prefix(80)) + "..." : name
        return DepotError.badRequest("invalid crate name '\(shown)': \(why)", code: "InvalidPackageName")
    }
}
