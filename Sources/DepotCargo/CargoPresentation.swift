import DepotHTTP
import Foundation

/// Cargo in the console: `cargo add` from the `depot` registry that `depot login --tool cargo` configures; the
/// dependencies of the stored index entry (with their kind when not a normal one).
struct CargoPresentation: PackagePresentation {
    func installLine(name: String, version: String) -> String { "cargo add \(name)@\(version) --registry depot" }

    func details(metadata: Data) -> VersionDetails {
        guard let entry = try? CargoIndexEntry(data: metadata) else { return VersionDetails() }
        return VersionDetails(
            dependencies: entry.deps.map { dependency in
                let kind = dependency.kind.flatMap { $0 == "normal" ? nil : " (\($0))" } ?? ""
                return VersionDetails.Dependency(name: dependency.package ?? dependency.name, requirement: dependency.req + kind)
            })
    }
}
