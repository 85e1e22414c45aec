import DepotClientConfig
import DepotCore

/// The Maven format as the core sees it: groupId as namespace, artifactId as name, ComparableVersion order.
public struct MavenFormat: PackageFormat {
    public static let id = MavenClientConfigurator.formatID
    public var id: String { Self.id }
    public var endpointPath: String { MavenClientConfigurator.endpointPath }

    public init() {}

    /// Parses `group:artifact` (`org.example:lib`).
    public func packageKey(fromDisplayName name: String) throws -> PackageKey {
        let parts = name.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw DepotError.badRequest(
                "invalid Maven package name '\(name)': expected 'groupId:artifactId'", code: "InvalidPackageName")
        }
        let groupId = String(parts[0])
        let artifactId = String(parts[1])
        try MavenName.validateGroupId(groupId)
        try MavenName.validateArtifactId(artifactId)
        return PackageKey(format: Self.id, namespace: groupId, name: artifactId)
    }

    public func displayName(of key: PackageKey) -> String { "\(key.namespace):\(key.name)" }

    /// A version's pom, jar, sources and their checksums arrive one PUT at a time.
    public var versionPolicy: VersionPolicy { VersionPolicy(severalAssets: true) }

    public func isOlder(_ a: String, than b: String) -> Bool {
        MavenVersion(a) < MavenVersion(b)
    }
}

/// Validation of groupIds, artifactIds and versions (they become path segments).
enum MavenName {
    static func isAllowed(_ c: UInt8, plus: Bool) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: ".") || c == UInt8(ascii: "-")
            || c == UInt8(ascii: "_") || (plus && c == UInt8(ascii: "+"))
    }

    /// Non-empty, `[A-Za-z0-9._-]` (plus `+` when allowed), not starting with `.`.
    static func isValidSegment(_ s: String, plus: Bool = false) -> Bool {
        guard let first = s.utf8.first, first != UInt8(ascii: "."), s.utf8.count <= 255 else { return false }
        return s.utf8.allSatisfy { isAllowed($0, plus: plus) }
    }

    static func validateGroupId(_ groupId: String) throws {
        let parts = groupId.split(separator: ".", omittingEmptySubsequences: false)
        guard !groupId.isEmpty, groupId.utf8.count <= 255, parts.allSatisfy({ isValidSegment(String($0)) }) else {
            throw DepotError.badRequest(
                "invalid groupId '\(groupId)': use dot-separated parts of letters, digits, '-' and '_'",
                code: "InvalidPackageName")
        }
    }

    static func validateArtifactId(_ artifactId: String) throws {
        guard isValidSegment(artifactId) else {
            throw DepotError.badRequest(
                "invalid artifactId '\(artifactId)': use letters, digits, '.', '-' and '_', not starting with '.'",
                code: "InvalidPackageName")
        }
    }

    static func validateVersion(_ version: String) throws {
        guard isValidSegment(version, plus: true) else {
            throw DepotError.badRequest(
                "invalid version '\(version)': use letters, digits, '.', '-', '_' and '+', not starting with '.'",
                code: "InvalidVersion")
        }
    }
}
