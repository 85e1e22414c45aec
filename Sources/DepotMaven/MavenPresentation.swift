import DepotHTTP
import Foundation

/// Maven in the console: the `<dependency>` element for a `group:artifact` name. Its versions store no metadata of
/// their own (the POM is one of the files), so there is no README or dependency list to show.
struct MavenPresentation: PackagePresentation {
    func installLine(name: String, version: String) -> String {
        let parts = name.split(separator: ":", maxSplits: 1).map(String.init)
        let group = parts.first ?? name
        let artifact = parts.count > 1 ? parts[1] : name
        return "<dependency><groupId>\(group)</groupId><artifactId>\(artifact)</artifactId><version>\(version)</version></dependency>"
    }

    func details(metadata: Data) -> VersionDetails { VersionDetails() }
}
