import DepotCore
import Foundation

/// What Depot keeps of a release besides its assets (the version's format document): the identity as it was
/// published, the release metadata, the signatures, and which manifests the archive holds with their tools versions
/// (so manifest `Link` headers are written without reading any blob).
struct SwiftReleaseRecord: Codable, Sendable, Equatable {
    struct Manifest: Codable, Sendable, Equatable {
        /// `Package.swift` or `Package@swift-5.9.swift`: the manifest's asset name too.
        var filename: String
        var toolsVersion: String
    }

    struct Signature: Codable, Sendable, Equatable {
        var base64: String
        var format: String
    }

    /// `Mona.LinkedList`, as the publisher spelled it.
    var identity: String
    /// The asset name of the source archive (`LinkedList-1.1.1.zip`).
    var archive: String
    var manifests: [Manifest]
    /// The `metadata` JSON object (sorted keys).
    var metadata: String
    /// Canonical forms of `repositoryURLs` (`RepositoryURL`), for the identifiers lookup.
    var repositoryURLs: [String]
    var archiveSignature: Signature?
    var metadataSignature: Signature?

    init(data: Data) throws {
        do {
            self = try JSONDecoder().decode(Self.self, from: data)
        } catch {
            throw DepotError(.internalError, code: "CorruptRecord", "a stored Swift release record cannot be read")
        }
    }

    init(
        identity: String, archive: String, manifests: [Manifest], metadata: String, repositoryURLs: [String],
        archiveSignature: Signature?, metadataSignature: Signature?
    ) {
        self.identity = identity
        self.archive = archive
        self.manifests = manifests
        self.metadata = metadata
        self.repositoryURLs = repositoryURLs
        self.archiveSignature = archiveSignature
        self.metadataSignature = metadataSignature
    }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }

    /// The metadata object, parsed for embedding in a response.
    var metadataObject: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(metadata.utf8))) as? [String: Any] ?? [:]
    }

    var originalPublicationTime: Date? {
        (metadataObject["originalPublicationTime"] as? String).flatMap(ReleaseMetadataDocument.parseDate)
    }

    /// The archive's asset name for a package name and version, as `Content-Disposition` offers it.
    static func archiveName(name: String, version: String) -> String { "\(name)-\(version).zip" }
}
