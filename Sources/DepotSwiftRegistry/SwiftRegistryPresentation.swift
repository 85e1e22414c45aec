import DepotHTTP
import Foundation

/// The Swift registry in the console: the `Package.swift` dependency line for a `scope.name` identity. A release
/// stores manifests and release metadata, no README or resolved dependency list.
struct SwiftRegistryPresentation: PackagePresentation {
    func installLine(name: String, version: String) -> String { ".package(id: \"\(name)\", exact: \"\(version)\")" }

    func details(metadata: Data) -> VersionDetails { VersionDetails() }
}
