import Foundation

/// `Link` header values of the registry's responses (RFC 8288). SwiftPM splits a `Link` value at every comma and
/// each link at every semicolon, so no URL written here may hold either.
enum RegistryLinks {
    /// `latest-version`, and around `current` (when given) the `successor-version` and `predecessor-version`
    /// among `published` releases ordered by precedence.
    static func releases(
        published: [SwiftReleaseVersion], current: SwiftReleaseVersion?, url: (SwiftReleaseVersion) -> String
    ) -> String? {
        let ordered = published.sorted()
        var links: [String] = []
        if let latest = ordered.last { links.append(link(url(latest), rel: "latest-version")) }
        if let current {
            if let successor = ordered.first(where: { current < $0 }) { links.append(link(url(successor), rel: "successor-version")) }
            if let predecessor = ordered.last(where: { $0 < current }) { links.append(link(url(predecessor), rel: "predecessor-version")) }
        }
        return links.isEmpty ? nil : links.joined(separator: ", ")
    }

    /// One `alternate` link per version-specific manifest, with its file name and tools version (§4.3).
    static func manifests(_ manifests: [SwiftReleaseRecord.Manifest], manifestURL: String) -> String? {
        let links = manifests.compactMap { manifest -> String? in
            guard let swiftVersion = PackageManifestFile(filename: manifest.filename)?.swiftVersion else { return nil }
            return link(manifestURL + "?swift-version=" + swiftVersion, rel: "alternate")
                + "; filename=\"\(manifest.filename)\"; swift-tools-version=\"\(manifest.toolsVersion)\""
        }
        return links.isEmpty ? nil : links.joined(separator: ", ")
    }

    static func link(_ url: String, rel: String) -> String {
        "<\(url)>; rel=\"\(rel)\""
    }
}
