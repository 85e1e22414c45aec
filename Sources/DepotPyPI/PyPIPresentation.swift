import DepotHTTP
import Foundation

/// PyPI in the console: `pip install name==version`; the `Requires-Dist` lines of its core metadata.
struct PyPIPresentation: PackagePresentation {
    func installLine(name: String, version: String) -> String { "pip install \(name)==\(version)" }

    func details(metadata: Data) -> VersionDetails {
        guard let stored = try? PyPIVersionMetadata(data: metadata) else { return VersionDetails() }
        return VersionDetails(dependencies: stored.requiresDist.map { VersionDetails.Dependency(name: $0) })
    }
}
