import DepotClientConfig
import DepotCore

/// The npm format as the core sees it: names and version order.
public struct NpmFormat: PackageFormat {
    public static let id = NpmClientConfigurator.formatID
    public var id: String { Self.id }
    public var endpointPath: String { NpmClientConfigurator.endpointPath }

    public init() {}

    public func packageKey(fromDisplayName name: String) throws -> PackageKey {
        try NpmPackageName(name).key
    }

    public func displayName(of key: PackageKey) -> String {
        NpmPackageName(key: key).description
    }

    public func isOlder(_ a: String, than b: String) -> Bool {
        switch (SemanticVersion(a), SemanticVersion(b)) {
        case let (x?, y?): x < y
        default: a < b
        }
    }
}
