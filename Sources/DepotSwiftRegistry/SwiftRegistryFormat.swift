import DepotClientConfig
import DepotCore

/// The Swift registry format as the core sees it: `scope.name` identities (scope as the namespace, both lowercased)
/// and SemVer precedence.
public struct SwiftRegistryFormat: PackageFormat {
    public static let id = SwiftRegistryClientConfigurator.formatID
    public var id: String { Self.id }
    public var endpointPath: String { SwiftRegistryClientConfigurator.endpointPath }

    public init() {}

    public func packageKey(fromDisplayName name: String) throws -> PackageKey {
        try SwiftPackageIdentity(name).key
    }

    public func displayName(of key: PackageKey) -> String {
        SwiftPackageIdentity(key: key).description
    }

    public func isOlder(_ a: String, than b: String) -> Bool {
        switch (SwiftReleaseVersion(a), SwiftReleaseVersion(b)) {
        case let (x?, y?): x < y
        default: a < b
        }
    }
}
