import DepotCore
import Foundation

/// Renders the full and abbreviated packument documents from stored versions.
struct PackumentRenderer {
    struct Entry {
        var version: PackageVersion
        var metadata: NpmVersionMetadata
    }

    /// Fields the abbreviated ("corgi") document keeps per version.
    static let abbreviatedFields: Set<String> = [
        "name", "version", "dependencies", "optionalDependencies", "devDependencies", "peerDependencies",
        "peerDependenciesMeta", "bundleDependencies", "bundledDependencies", "bin", "directories", "dist", "engines",
        "deprecated", "_hasShrinkwrap", "os", "cpu", "funding", "license", "hasInstallScript", "acceptDependencies",
    ]

    let name: NpmPackageName
    let package: Package
    /// Listed versions only.
    let entries: [Entry]
    let tags: [String: String]
    /// Absolute URL of this repository's npm registry, without trailing slash.
    let registryURL: String

    func tarballURL(version: String) -> String {
        "\(registryURL)/\(name)/-/\(name.tarballName(version: version))"
    }

    /// dist-tags restricted to listed versions, always with a `latest`.
    var distTags: [String: String] {
        let listed = Set(entries.map(\.version.version))
        var result = tags.filter { listed.contains($0.value) }
        if result["latest"] == nil, let latest = Self.highest(listed) { result["latest"] = latest }
        return result
    }

    /// The highest stable version, or the highest prerelease when there is no stable one.
    static func highest(_ versions: Set<String>) -> String? {
        let parsed = versions.compactMap(SemanticVersion.init)
        return (parsed.filter { !$0.isPrerelease }.max() ?? parsed.max())?.description ?? versions.sorted().last
    }

    var revision: String { "\(package.revision)-\(String(package.id, radix: 16))" }

    func manifest(_ entry: Entry) -> [String: Any] {
        var manifest = entry.metadata.manifest
        var dist = manifest["dist"] as? [String: Any] ?? [:]
        dist["tarball"] = tarballURL(version: entry.version.version)
        manifest["dist"] = dist
        return manifest
    }

    func full() -> [String: Any] {
        let tags = distTags
        var versions: [String: Any] = [:]
        var time: [String: Any] = [
            "created": ISO8601.string(package.createdAt), "modified": ISO8601.string(package.modifiedAt),
        ]
        for entry in entries {
            versions[entry.version.version] = manifest(entry)
            time[entry.version.version] = ISO8601.string(entry.version.publishedAt)
        }
        let latest = entries.first { $0.version.version == tags["latest"] }
        var document: [String: Any] = [
            "_id": name.description, "_rev": revision, "name": name.description, "dist-tags": tags, "versions": versions,
            "time": time, "maintainers": [[String: Any]](),
        ]
        if let description = latest?.metadata.manifest["description"] { document["description"] = description }
        document["readme"] = latest?.metadata.readme ?? ""
        if let file = latest?.metadata.readmeFilename { document["readmeFilename"] = file }
        return document
    }

    func abbreviated() -> [String: Any] {
        var versions: [String: Any] = [:]
        for entry in entries {
            let manifest = manifest(entry)
            versions[entry.version.version] = manifest.filter { Self.abbreviatedFields.contains($0.key) }
        }
        return [
            "name": name.description, "modified": ISO8601.string(package.modifiedAt), "dist-tags": distTags, "versions": versions,
        ]
    }
}
