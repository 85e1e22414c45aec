import Crypto
import DepotCore
import DepotHTTP
import Foundation
import Hummingbird

extension SwiftRegistryController {
    /// One release of the package as the repository sees it (its own versions, then its upstream repositories').
    struct ReleaseEntry {
        var version: SwiftReleaseVersion
        var status: VersionStatus
        var stored: PackageVersion
        var record: SwiftReleaseRecord
    }

    /// The package's releases, newest first, with the view's fingerprint; 404 when it has none here.
    func releaseEntries(_ identity: SwiftPackageIdentity, target: Target) async throws -> (entries: [ReleaseEntry], fingerprint: String) {
        let view = try await upstreams.view(of: identity.key, from: target.repository, includeLocalHidden: true)
        let entries = try view.entries.compactMap { entry -> ReleaseEntry? in
            guard case .stored(_, let stored) = entry.source, let version = SwiftReleaseVersion(entry.version) else { return nil }
            return ReleaseEntry(version: version, status: entry.status, stored: stored, record: try SwiftReleaseRecord(data: entry.metadata))
        }
        guard !entries.isEmpty else { throw DepotError.notFound("package \(identity) not found", code: "PackageNotFound") }
        return (entries.sorted { $1.version < $0.version }, view.fingerprint)
    }

    /// The release a path names; only versions whose status lets them be fetched (Published, Unlisted, Unfinished).
    func releaseEntry(_ identity: SwiftPackageIdentity, version: SwiftReleaseVersion, target: Target) async throws
        -> (entry: ReleaseEntry, all: [ReleaseEntry], fingerprint: String)
    {
        let (entries, fingerprint) = try await releaseEntries(identity, target: target)
        guard let entry = entries.first(where: { $0.version == version }), entry.status.isDownloadable else {
            throw DepotError.notFound("release \(version) of \(identity) not found", code: "VersionNotFound")
        }
        return (entry, entries, fingerprint)
    }

    // MARK: GET /{scope}/{name}

    @Sendable func releases(_ request: Request, context: DepotRequestContext) async throws -> Response {
        try RegistryAccept.require(request.headers[.accept], serving: .json)
        let target = try await open(context, request: request, permission: .read)
        let identity = try Self.identity(context, allowingJSONExtension: true)
        let (entries, fingerprint) = try await releaseEntries(identity, target: target)
        // The listing's URLs spell the identity as the request did.
        let cacheKey = "\(target.repository.id)|\(identity.key)|\(identity)|releases|\(target.registryURL)"
        return try await releaseDocument(
            cacheKey: cacheKey, fingerprint: fingerprint, entries: entries, current: nil, identity: identity, target: target,
            request: request
        ) {
            var releases: [String: Any] = [:]
            for entry in entries {
                var release: [String: Any] = ["url": target.releaseURL(identity, entry.version.description)]
                if entry.status != .published {
                    // Still fetchable by version when Unlisted, but not offered for resolution.
                    release["problem"] = ProblemDetails.object(
                        detail: "release \(entry.version) is \(entry.status.rawValue) in this repository", status: .gone)
                }
                releases[entry.version.description] = release
            }
            return ["releases": releases]
        }
    }

    /// A JSON document about the package's releases, with the `Link` header of `current` (or of the package), from
    /// the rendered cache while the package view is unchanged.
    func releaseDocument(
        cacheKey: String, fingerprint: String, entries: [ReleaseEntry], current: SwiftReleaseVersion?, identity: SwiftPackageIdentity,
        target: Target, request: Request, render: () async throws -> [String: Any]
    ) async throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-cache"
        let published = entries.filter { $0.status == .published }.map(\.version)
        if let links = RegistryLinks.releases(published: published, current: current, url: { target.releaseURL(identity, $0.description) }) {
            headers[Self.linkHeader] = links
        }
        if let hit = documents.lookup(key: cacheKey, fingerprint: fingerprint) {
            return RenderedDocumentCache.response(for: hit, headers: headers, request: request)
        }
        let body = try JSONSerialization.data(withJSONObject: try await render(), options: [.sortedKeys, .withoutEscapingSlashes])
        let document = documents.store(key: cacheKey, fingerprint: fingerprint, body: ByteBuffer(bytes: body))
        return RenderedDocumentCache.response(for: document, headers: headers, request: request)
    }

    static func jsonHeaders(_ headers: HTTPFields) -> HTTPFields {
        var headers = headers
        headers[.contentType] = "application/json"
        return headers
    }

    // MARK: GET /{scope}/{name}/{version}[.zip|.json]

    @Sendable func release(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let raw = try context.parameters.require("version")
        let identity = try Self.identity(context)
        if raw.hasSuffix(".zip"), let version = SwiftReleaseVersion(String(raw.dropLast(4))) {
            try RegistryAccept.require(request.headers[.accept], serving: .zip)
            let target = try await open(context, request: request, permission: .read)
            return try await sourceArchive(identity, version: version, request: request, target: target)
        }
        try RegistryAccept.require(request.headers[.accept], serving: .json)
        let target = try await open(context, request: request, permission: .read)
        guard let version = SwiftReleaseVersion(raw) ?? (raw.hasSuffix(".json") ? SwiftReleaseVersion(String(raw.dropLast(5))) : nil) else {
            throw DepotError.badRequest("'\(raw.prefix(64))' is not a semantic version", code: "InvalidVersion")
        }
        let (entry, all, fingerprint) = try await releaseEntry(identity, version: version, target: target)
        let cacheKey = "\(target.repository.id)|\(identity.key)|\(version)|\(target.registryURL)"
        return try await releaseDocument(
            cacheKey: cacheKey, fingerprint: fingerprint, entries: all, current: version, identity: identity, target: target,
            request: request
        ) {
            guard let archive = try await packages.assets(of: entry.stored).first(where: { $0.name == entry.record.archive }) else {
                throw DepotError.notFound("the source archive of \(identity) \(version) is missing", code: "FileNotFound")
            }
            return ReleaseDocument(identity: identity, entry: entry, checksum: archive.digests.sha256).object
        }
    }

    /// The zip through the shared file downloads (ETag, ranges, 304), with the spec's `Digest` and disposition.
    func sourceArchive(_ identity: SwiftPackageIdentity, version: SwiftReleaseVersion, request: Request, target: Target) async throws -> Response {
        let (entry, _, _) = try await releaseEntry(identity, version: version, target: target)
        guard let (_, _, asset) = try await upstreams.asset(
            named: entry.record.archive, version: version.description, of: identity.key, in: target.repository)
        else {
            throw DepotError.notFound("the source archive of \(identity) \(version) is missing", code: "FileNotFound")
        }
        var headers = StoredFileHeaders.fields(contentType: "application/zip")
        headers[.cacheControl] = "public, max-age=31536000, immutable"
        let publishedName = (try? SwiftPackageIdentity(entry.record.identity))?.name ?? identity.name
        headers[.contentDisposition] = "attachment; filename=\"\(SwiftReleaseRecord.archiveName(name: publishedName, version: version.description))\""
        if let digest = Hex.decode(asset.digests.sha256) {
            headers[Self.digestHeader] = "sha-256=" + Data(digest).base64EncodedString()
        }
        if let signature = entry.record.archiveSignature {
            headers[Self.signatureFormatHeader] = signature.format
            headers[Self.signatureHeader] = signature.base64
        }
        return try downloads.response(for: asset, request: request, headers: headers)
    }

    // MARK: GET /{scope}/{name}/{version}/Package.swift[?swift-version=]

    @Sendable func manifest(_ request: Request, context: DepotRequestContext) async throws -> Response {
        try RegistryAccept.require(request.headers[.accept], serving: .swift)
        let target = try await open(context, request: request, permission: .read)
        let identity = try Self.identity(context)
        let raw = try context.parameters.require("version")
        guard let version = SwiftReleaseVersion(raw) else {
            throw DepotError.badRequest("'\(raw.prefix(64))' is not a semantic version", code: "InvalidVersion")
        }
        let (entry, _, _) = try await releaseEntry(identity, version: version, target: target)
        let manifestURL = target.releaseURL(identity, version.description) + "/Package.swift"
        var file = PackageManifestFile(swiftVersion: nil)
        if let swiftVersion = request.uri.queryParameters["swift-version"].map(String.init) {
            guard PackageManifestFile.isSwiftVersion(swiftVersion) else {
                throw DepotError.badRequest("'\(swiftVersion.prefix(32))' is not a Swift version", code: "InvalidSwiftVersion")
            }
            file = PackageManifestFile(swiftVersion: swiftVersion)
            // No manifest for that Swift version: the spec sends the client to the unqualified one.
            guard entry.record.manifests.contains(where: { $0.filename == file.filename }) else {
                var headers = HTTPFields()
                headers[.location] = manifestURL
                return Response(status: .seeOther, headers: headers)
            }
        }
        guard let (_, _, asset) = try await upstreams.asset(
            named: file.filename, version: version.description, of: identity.key, in: target.repository)
        else {
            throw DepotError.notFound("\(file.filename) of \(identity) \(version) is missing", code: "FileNotFound")
        }
        var headers = StoredFileHeaders.fields(contentType: "text/x-swift")
        headers[.cacheControl] = "public, max-age=31536000, immutable"
        headers[.contentDisposition] = "attachment; filename=\"\(file.filename)\""
        if file.swiftVersion == nil, let links = RegistryLinks.manifests(entry.record.manifests, manifestURL: manifestURL) {
            headers[Self.linkHeader] = links
        }
        return try downloads.response(for: asset, request: request, headers: headers)
    }
}

/// The release metadata document (§4.2): identifier, version, the source archive resource with its checksum and
/// signature, the release metadata, and when it was published here.
struct ReleaseDocument {
    let identity: SwiftPackageIdentity
    let entry: SwiftRegistryController.ReleaseEntry
    let checksum: String

    var object: [String: Any] {
        var resource: [String: Any] = ["name": "source-archive", "type": "application/zip", "checksum": checksum]
        if let signature = entry.record.archiveSignature {
            resource["signing"] = ["signatureBase64Encoded": signature.base64, "signatureFormat": signature.format]
        }
        return [
            "id": (try? SwiftPackageIdentity(entry.record.identity))?.description ?? identity.description,
            "version": entry.version.description,
            "resources": [resource],
            "metadata": entry.record.metadataObject,
            "publishedAt": ReleaseMetadataDocument.formatDate(entry.stored.publishedAt),
        ]
    }
}
