import DepotCore
import Foundation

/// What Depot stores per npm version (the core keeps it opaque): the manifest as published, minus the
/// README, which is kept beside it, and minus `dist.tarball`, which is rendered from the request's base URL.
struct NpmVersionMetadata {
    var manifest: [String: Any]
    var readme: String?
    var readmeFilename: String?

    init(manifest: [String: Any], readme: String?, readmeFilename: String?) {
        self.manifest = manifest
        self.readme = readme
        self.readmeFilename = readmeFilename
    }

    init(data: Data) throws {
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let manifest = object["manifest"] as? [String: Any]
        else { throw DepotError(.internalError, code: "CorruptMetadata", "stored npm metadata is unreadable") }
        self.manifest = manifest
        readme = object["readme"] as? String
        readmeFilename = object["readmeFilename"] as? String
    }

    func encoded() throws -> Data {
        var object: [String: Any] = ["manifest": manifest]
        if let readme { object["readme"] = readme }
        if let readmeFilename { object["readmeFilename"] = readmeFilename }
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    /// Normalizes a published manifest: identity fields from the URL's name, the server's own digests in `dist`.
    static func fromPublished(
        manifest: [String: Any], name: NpmPackageName, version: String, digests: BlobDigests,
        documentReadme: String?, documentReadmeFilename: String?
    ) -> NpmVersionMetadata {
        var manifest = manifest
        let readme = (manifest.removeValue(forKey: "readme") as? String) ?? documentReadme
        let readmeFilename = (manifest.removeValue(forKey: "readmeFilename") as? String) ?? documentReadmeFilename
        manifest["name"] = name.description
        manifest["version"] = version
        manifest["_id"] = "\(name)@\(version)"
        var dist = manifest["dist"] as? [String: Any] ?? [:]
        dist.removeValue(forKey: "tarball")
        dist["shasum"] = digests.sha1
        dist["integrity"] = IntegrityCheck.sriSHA512(hex: digests.sha512)
        manifest["dist"] = dist
        return NpmVersionMetadata(manifest: manifest, readme: readme?.isEmpty == true ? nil : readme, readmeFilename: readmeFilename)
    }
}
