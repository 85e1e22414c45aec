import DepotCore
import Foundation

/// A `PUT /<name>` body: a publish (with one attachment) or a metadata change (deprecate, unpublish, dist-tags).
struct NpmPublishDocument {
    struct Attachment {
        var fileName: String
        /// Holds the decoded tarball (not finished yet).
        var writer: any BlobWriter
        var decodedSize: Int64
        var declaredLength: Int?
    }

    var name: String
    var versions: [String: [String: Any]]
    var distTags: [String: String]?
    var attachments: [Attachment]
    var readme: String?
    var readmeFilename: String?

    /// Parses what a `PublishBodySplitter` made of a body: the skeleton and the decoded attachments.
    static func parse(skeleton: [UInt8], attachments decoded: [PublishBodySplitter.Attachment]) throws -> NpmPublishDocument {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(skeleton))
        } catch {
            throw PublishBodySplitter.malformed("invalid JSON")
        }
        guard let root = object as? [String: Any] else { throw PublishBodySplitter.malformed("the body is not a JSON object") }
        guard let name = root["name"] as? String ?? root["_id"] as? String else {
            throw PublishBodySplitter.malformed("missing \"name\"")
        }
        guard let versions = (root["versions"] ?? [String: Any]()) as? [String: Any] else {
            throw PublishBodySplitter.malformed("\"versions\" must be an object")
        }
        var manifests: [String: [String: Any]] = [:]
        for (version, manifest) in versions {
            guard let manifest = manifest as? [String: Any] else {
                throw PublishBodySplitter.malformed("versions[\"\(version)\"] must be an object")
            }
            manifests[version] = manifest
        }
        var distTags: [String: String]?
        if let tags = root["dist-tags"] {
            guard let tags = tags as? [String: Any] else { throw PublishBodySplitter.malformed("\"dist-tags\" must be an object") }
            distTags = try tags.mapValues { value in
                guard let version = value as? String else { throw PublishBodySplitter.malformed("dist-tags values must be strings") }
                return version
            }
        }
        let described = (root["_attachments"] as? [String: Any]) ?? [:]
        let attachments = decoded.map { attachment in
            let length = (described[attachment.fileName] as? [String: Any])?["length"] as? Int
            return Attachment(
                fileName: attachment.fileName, writer: attachment.writer, decodedSize: attachment.decodedSize, declaredLength: length)
        }
        if described.count != attachments.count {
            throw PublishBodySplitter.malformed("every attachment needs a base64 \"data\" string")
        }
        return NpmPublishDocument(
            name: name, versions: manifests, distTags: distTags, attachments: attachments,
            readme: root["readme"] as? String, readmeFilename: root["readmeFilename"] as? String)
    }
}

/// Checks `dist.integrity` (any sha512 entry of the SRI string) and `dist.shasum` against the decoded bytes.
enum IntegrityCheck {
    static func verify(manifest: [String: Any], digests: BlobDigests) throws {
        let dist = manifest["dist"] as? [String: Any] ?? [:]
        if let shasum = dist["shasum"] as? String, shasum.lowercased() != digests.sha1 {
            throw DepotError.badRequest(
                "dist.shasum \(shasum) does not match the tarball (sha1 \(digests.sha1))", code: "IntegrityMismatch")
        }
        if let integrity = dist["integrity"] as? String {
            let expected = sriSHA512(hex: digests.sha512)
            let sha512Entries = integrity.split(separator: " ").map(String.init).filter { $0.hasPrefix("sha512-") }
            if !sha512Entries.isEmpty, !sha512Entries.contains(where: { $0.split(separator: "?").first.map(String.init) == expected }) {
                throw DepotError.badRequest("dist.integrity does not match the tarball", code: "IntegrityMismatch")
            }
        }
    }

    /// `sha512-<base64>` from a hex digest.
    static func sriSHA512(hex: String) -> String {
        "sha512-" + Data(Hex.decode(hex) ?? []).base64EncodedString()
    }
}
