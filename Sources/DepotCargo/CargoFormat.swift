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

    /// `foo-bar`, `foo_bar` and `Foo_Bar` are one crate to cargo and rustc: one package per canonical name.
    public func identity(of key: PackageKey) -> VersionProperty? {
        CargoVersionProperties.canonicalName(CargoCrateName(key: key))
    }

    public func isOlder(_ a: String, than b: String) -> Bool {
        switch (CargoVersion(a), CargoVersion(b)) {
        case let (x?, y?): x < y
        default: a < b
        }
    }
}
