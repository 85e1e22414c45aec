import DepotClientConfig
import DepotCore

/// The Cargo format as the core sees it: crate names (keys are lowercase) and SemVer order.
public struct CargoFormat: PackageFormat {
    public static let id = CargoClientConfigurator.formatID
    public var id: String { Self.id }
    public var endpointPath: String { CargoClientConfigurator.endpointPath }

    public init() {}

    public func packageKey(fromDisplayName name: String) throws -> PackageKey {
        try CargoCrateName(name).key
    }

    public func displayName(of key: PackageKey) -> String { key.name }

    public func isOlder(_ a: String, than b: String) -> Bool {
        switch (CargoVersion(a), CargoVersion(b)) {
        case let (x?, y?): x < y
        default: a < b
        }
    }
}
