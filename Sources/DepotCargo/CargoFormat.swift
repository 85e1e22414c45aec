import DepotClientConfig
import DepotCore
import Foundation

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

    /// A yanked crate stays in the index with `yanked: true`: new lockfiles avoid it, existing ones still fetch it.
    public var supportsYank: Bool { true }

    public func yank(_ change: YankChange, in metadata: Data) throws -> Data {
        var entry = try CargoIndexEntry(data: metadata)
        if let file = change.file, try yankedFiles(in: metadata)[file] == nil {
            throw DepotError.notFound("the version has no file \(file) (a crate version has one .crate)", code: "FileNotFound")
        }
        guard entry.yanked != change.yanked else { return metadata }
        entry.yanked = change.yanked
        return try entry.encoded()
    }

    public func yankedFiles(in metadata: Data) throws -> [String: Bool] {
        let entry = try CargoIndexEntry(data: metadata)
        guard let name = try? CargoCrateName(entry.name), let version = CargoVersion(entry.vers) else { return [:] }
        return [CargoIndexFile.crateFileName(name, version: version): entry.yanked]
    }

    public func isOlder(_ a: String, than b: String) -> Bool {
        switch (CargoVersion(a), CargoVersion(b)) {
        // Build metadata does not count: `1.0.0+a` and `1.0.0+b` are one version to Cargo.
        case let (x?, y?): SemanticVersion.precedence(x, y) ?? false
        default: a < b
        }
    }
}
