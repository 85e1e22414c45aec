import DepotHTTP
import Foundation

/// npm in the console: `npm install name@version`; the README and the dependency maps of the stored manifest.
struct NpmPresentation: PackagePresentation {
    static let dependencyKeys = ["dependencies", "peerDependencies", "optionalDependencies"]

    func installLine(name: String, version: String) -> String { "npm install \(name)@\(version)" }

    func details(metadata: Data) -> VersionDetails {
        guard let stored = try? NpmVersionMetadata(data: metadata) else { return VersionDetails() }
        let dependencies = Self.dependencyKeys.flatMap { key in
            let map = stored.manifest[key] as? [String: Any] ?? [:]
            return map.keys.sorted().map { VersionDetails.Dependency(name: $0, requirement: map[$0] as? String ?? "") }
        }
        return VersionDetails(readme: stored.readme ?? stored.manifest["readme"] as? String, dependencies: dependencies)
    }
}
