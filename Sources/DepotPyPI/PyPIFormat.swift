import DepotClientConfig
import DepotCore
import Foundation

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

    /// PEP 592: each file carries its own flag and reason; pip skips yanked files unless pinned with `==`.
    public var supportsYank: Bool { true }

    public func yank(_ change: YankChange, in metadata: Data) throws -> Data {
        var version = try PyPIVersionMetadata(data: metadata)
        if let file = change.file, version.files[file] == nil {
            throw DepotError.notFound("the version has no file \(file)", code: "FileNotFound")
        }
        let reason = change.reason.map { String($0.prefix(1000)) }
        for name in version.files.keys where change.file == nil || change.file == name {
            version.files[name]?.yanked = change.yanked
            version.files[name]?.yankedReason = change.yanked ? reason : nil
        }
        return try version.encoded()
    }

    public func yankedFiles(in metadata: Data) throws -> [String: Bool] {
        try PyPIVersionMetadata(data: metadata).files.mapValues(\.yanked)
    }

    public func isOlder(_ a: String, than b: String) -> Bool {
        switch (PEP440Version(a), PEP440Version(b)) {
        case let (x?, y?): x < y
        default: a < b
        }
    }
}
