import DepotClientConfig
import DepotCore

/// A registry package identifier, `scope.name` (the registry spec, §3.6). Both parts are ASCII letters and digits
/// with single inner separators: hyphens in a scope (at most 39 characters, GitHub's rule), hyphens and underscores
/// in a name (at most 100). Both compare case-insensitively, so the key stores them lowercased while the identity
/// keeps the spelling it was written with.
public struct SwiftPackageIdentity: Sendable, Hashable, CustomStringConvertible {
    public let scope: String
    public let name: String

    public init(scope: String, name: String) throws {
        guard Self.isValid(scope, maxLength: 39, separators: [UInt8(ascii: "-")]) else {
            throw DepotError.badRequest("'\(scope.prefix(64))' is not a valid package scope", code: "InvalidScope")
        }
        guard Self.isValid(name, maxLength: 100, separators: [UInt8(ascii: "-"), UInt8(ascii: "_")]) else {
            throw DepotError.badRequest("'\(name.prefix(128))' is not a valid package name", code: "InvalidName")
        }
        self.scope = scope
        self.name = name
    }

    /// `scope.name`, split at the first dot (neither part may hold one).
    public init(_ identifier: String) throws {
        guard let dot = identifier.firstIndex(of: ".") else {
            throw DepotError.badRequest(
                "'\(identifier.prefix(160))' is not a package identifier (scope.name)", code: "InvalidPackageIdentifier")
        }
        try self.init(scope: String(identifier[..<dot]), name: String(identifier[identifier.index(after: dot)...]))
    }

    /// A stored key back as an identity (lowercase: the key keeps no other spelling).
    public init(key: PackageKey) {
        scope = key.namespace
        name = key.name
    }

    public var key: PackageKey {
        PackageKey(format: SwiftRegistryClientConfigurator.formatID, namespace: scope.lowercased(), name: name.lowercased())
    }

    public var description: String { "\(scope).\(name)" }

    /// Same package, whatever the case.
    public func matches(_ other: SwiftPackageIdentity) -> Bool { key == other.key }

    public static func == (a: SwiftPackageIdentity, b: SwiftPackageIdentity) -> Bool { a.key == b.key }

    public func hash(into hasher: inout Hasher) { hasher.combine(key) }

    /// Starts with a letter or digit; a separator only between two letters or digits.
    static func isValid(_ text: String, maxLength: Int, separators: Set<UInt8>) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= maxLength else { return false }
        for (index, byte) in bytes.enumerated() {
            if isAlphanumeric(byte) { continue }
            guard separators.contains(byte), index > 0, index + 1 < bytes.count, isAlphanumeric(bytes[index + 1]) else { return false }
        }
        return isAlphanumeric(bytes[0])
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
