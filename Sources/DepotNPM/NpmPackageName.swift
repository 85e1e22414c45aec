import DepotCore

/// An npm package name, `name` or `@scope/name`, validated like npm's validate-npm-package-name
/// (new-style names: lowercase, URL-safe, at most 214 characters).
public struct NpmPackageName: Sendable, Hashable, CustomStringConvertible {
    /// Scope without the `@`, or nil.
    public let scope: String?
    public let name: String

    public init(_ full: String) throws {
        guard !full.isEmpty, full.utf8.count <= 214 else {
            throw DepotError.badRequest("package name must be 1-214 characters", code: "InvalidPackageName")
        }
        if full.hasPrefix("@") {
            let parts = full.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw DepotError.badRequest("scoped package name must look like @scope/name: '\(full)'", code: "InvalidPackageName")
            }
            try Self.validatePart(String(parts[0]), in: full)
            try Self.validatePart(String(parts[1]), in: full)
            scope = String(parts[0])
            name = String(parts[1])
        } else {
            try Self.validatePart(full, in: full)
            scope = nil
            name = full
        }
    }

    public init(key: PackageKey) {
        scope = key.namespace.isEmpty ? nil : key.namespace
        name = key.name
    }

    public var description: String { scope.map { "@\($0)/\(name)" } ?? name }

    /// `@scope%2fname`, the form npm puts in request paths.
    public var escaped: String { scope.map { "@\($0)%2f\(name)" } ?? name }

    public var key: PackageKey { PackageKey(format: NpmFormat.id, namespace: scope ?? "", name: name) }

    /// The tarball file name npm uses: `<name>-<version>.tgz` (the unscoped part of the name).
    public func tarballName(version: String) -> String { "\(name)-\(version).tgz" }

    private static func validatePart(_ part: String, in full: String) throws {
        let allowed = part.utf8.allSatisfy { c in
            (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
                || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: ".") || c == UInt8(ascii: "~")
        }
        guard !part.isEmpty, allowed, !part.hasPrefix("."), !part.hasPrefix("_"), part != "node_modules",
            part != "favicon.ico"
        else {
            throw DepotError.badRequest(
                "invalid package name '\(full)': lowercase letters, digits, '-', '_', '.', '~' only, not starting with '.' or '_'",
                code: "InvalidPackageName")
        }
    }
}
