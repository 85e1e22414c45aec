import DepotClientConfig
import DepotCore

/// The PyPI format as the core sees it: PEP 503 names and PEP 440 version order.
public struct PyPIFormat: PackageFormat {
    public static let id = PyPIClientConfigurator.formatID
    public var id: String { Self.id }
    public var endpointPath: String { PyPIClientConfigurator.endpointPath }

    public init() {}

    /// PyPI has no namespaces; the key is the normalized name, so `Foo_Bar` and `foo-bar` are one package.
    public func packageKey(fromDisplayName name: String) throws -> PackageKey {
        PackageKey(format: Self.id, name: try PyPIProjectName(name).normalized)
    }

    public func displayName(of key: PackageKey) -> String { key.name }

    /// A release's wheels and sdist arrive one upload at a time; their per-file metadata merge.
    public var versionPolicy: VersionPolicy { VersionPolicy(severalAssets: true, mergeMetadata: PyPIVersionMetadata.merge) }

    public func isOlder(_ a: String, than b: String) -> Bool {
        switch (PEP440Version(a), PEP440Version(b)) {
        case let (x?, y?): x < y
        default: a < b
        }
    }
}
