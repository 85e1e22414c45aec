import DepotCore
import DepotMaven
import Foundation

@testable import DepotNPM

extension FuzzTargets {
    /// An npm publish body, split whole and in chunks (the two must agree), then parsed and normalized
    /// as `PUT /<name>` does.
    static let npmPublish = FuzzTarget(name: "npm-publish", summary: "npm publish body splitter and document") { bytes in
        let input = FuzzInput(bytes)
        let whole = split([input.rest[...]])
        let chunked = split(input.chunks)
        switch (whole, chunked) {
        case let (a?, b?):
            check(a.skeleton == b.skeleton && a.decoded == b.decoded, "chunking changed the split")
        case (nil, nil): break
        default: check(false, "chunking changed whether the body splits")
        }
        guard let (skeleton, attachments, _) = whole,
            let document = try? NpmPublishDocument.parse(skeleton: skeleton, attachments: attachments)
        else { return }
        let name = try? NpmPackageName(document.name)
        for (version, manifest) in document.versions {
            _ = SemanticVersion(version)
            let digests = MultiHasher().finalize()
            _ = try? IntegrityCheck.verify(manifest: manifest, digests: digests)
            guard let name else { continue }
            let metadata = NpmVersionMetadata.fromPublished(
                manifest: manifest, name: name, version: version, digests: digests, documentReadme: document.readme,
                documentReadmeFilename: document.readmeFilename)
            if let data = try? metadata.encoded() { _ = try? NpmVersionMetadata(data: data) }
        }
    }

    private static func split(
        _ chunks: [ArraySlice<UInt8>]
    ) -> (skeleton: [UInt8], attachments: [PublishBodySplitter.Attachment], decoded: [[UInt8]])? {
        var splitter = PublishBodySplitter(skeletonLimit: 1 << 20) { MemoryBlobWriter() }
        do {
            for chunk in chunks { try chunk.withUnsafeBytes { try splitter.consume($0) } }
            let (skeleton, attachments) = try splitter.finish()
            return (skeleton, attachments, attachments.map { ($0.writer as? MemoryBlobWriter)?.bytes ?? [] })
        } catch {
            return nil
        }
    }

    /// Semver, npm package names and Maven versions (selector 2, 3, 4 of `names`).
    static func fuzzOtherFormatNames(_ selector: UInt8, _ text: String) {
        switch selector {
        case 2:
            guard let version = SemanticVersion(text) else { return }
            check(!(version < version), "semver \(text) sorts before itself")
            _ = version < SemanticVersion("1.0.0-alpha.1")!
        case 3:
            guard let name = try? NpmPackageName(text) else { return }
            check((try? NpmPackageName(name.description)) == name, "npm name \(text) does not parse back")
        default:
            let version = MavenVersion(text)
            check(version == version && !(version < version), "Maven version \(text) is not equal to itself")
            _ = (version.canonical, version.hashValue, version < MavenVersion("1.0-SNAPSHOT"))
        }
    }

    /// A request path below `maven/`; a parsed path must parse back from its canonical spelling.
    static let mavenPath = FuzzTarget(name: "maven-path", summary: "Maven repository request paths") { bytes in
        let text = String(decoding: bytes, as: UTF8.self)
        guard let path = try? MavenPath(parsing: text) else { return }
        _ = (path.fileName, path.groupId, path.packageKey, path.groupMetadataAlternative)
        check((try? MavenPath(parsing: path.path)) == path, "Maven path \(text) -> \(path.path) does not parse back")
    }

    /// Selector: maven-metadata.xml (re-rendered and parsed again, versions sorted), a pom, or a plugin descriptor.
    static let mavenXML = FuzzTarget(name: "maven-xml", summary: "maven-metadata.xml, pom and plugin.xml") { bytes in
        let input = FuzzInput(bytes)
        let data = Data(input.rest)
        switch input.selector % 3 {
        case 0:
            guard let metadata = try? MavenMetadata.parse(data) else { return }
            let again = try? MavenMetadata.parse(metadata.xml)
            check(again == metadata, "maven-metadata.xml does not survive rendering")
            let versions = metadata.versioning?.versions ?? []
            _ = MavenMetadata.artifactLevel(groupId: "g", artifactId: "a", versions: versions, lastUpdated: Date())
        case 1:
            _ = MavenVersionInfo.fromPom(data)
        default:
            _ = MavenVersionInfo.fromPluginDescriptor(data)
        }
    }
}
