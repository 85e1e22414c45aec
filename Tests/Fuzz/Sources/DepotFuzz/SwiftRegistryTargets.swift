import DepotCore
import Foundation

@testable import DepotSwiftRegistry

extension FuzzTargets {
    /// A Swift registry publish body: the first line is the Content-Type header, the rest the multipart body fed in
    /// chunks to `PublishForm`, then its metadata part through `ReleaseMetadataDocument`.
    static let swiftPublish = FuzzTarget(name: "swift-publish", summary: "Swift registry multipart publish and release metadata") { bytes in
        let input = FuzzInput(bytes)
        let newline = input.rest.firstIndex(of: UInt8(ascii: "\n")) ?? input.rest.endIndex
        let header = String(decoding: input.rest[..<newline], as: UTF8.self)
        let body = FuzzInput([input.selector] + input.rest[min(newline + 1, input.rest.endIndex)...])
        let form = PublishForm(
            boundary: PublishForm.boundary(ofContentType: header) ?? "boundary", writer: MemoryBlobWriter(), limit: 1 << 20,
            maxMetadataSize: 1 << 16)
        for chunk in body.chunks {
            guard (try? form.feed(chunk)) != nil else { return }
        }
        guard let result = try? form.finish() else { return }
        if let metadata = result.metadata, let document = try? ReleaseMetadataDocument(data: metadata, limits: InputLimits()) {
            _ = document.repositoryURLs.map(RepositoryURL.canonical)
        }
    }

    /// Selector bit 0 clear: a source archive (zip) through `SourceArchiveInspector`; set: identities, versions,
    /// Accept headers, manifest names and tools-version comments, which must survive their own spelling.
    static let swiftArchive = FuzzTarget(name: "swift-archive", summary: "Swift source archive (zip), identities, versions, Accept") { bytes in
        let input = FuzzInput(bytes)
        guard input.selector & 1 == 1 else {
            let path = "\(FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory())/depot-fuzz-\(getpid())-source.zip"
            guard FileManager.default.createFile(atPath: path, contents: Data(input.rest)) else { return }
            _ = try? SourceArchiveInspector(maxEntries: 1000, maxExpandedSize: 4 << 20).inspect(fileAt: URL(fileURLWithPath: path))
            return
        }
        let text = input.text
        if let identity = try? SwiftPackageIdentity(text) {
            check((try? SwiftPackageIdentity(identity.description)) == identity, "identity '\(text)' does not parse back")
        }
        if let version = SwiftReleaseVersion(text) {
            check(SwiftReleaseVersion(version.description) == version, "version '\(text)' does not parse back")
            _ = version < SwiftReleaseVersion("1.0.0")!
        }
        _ = RegistryAccept.evaluate(text, serving: .json)
        _ = PackageManifestFile(filename: text)
        _ = ManifestToolsVersion.parse(text)
        _ = RepositoryURL.canonical(text)
    }
}
