import DepotCore
import DepotHTTP
import Foundation
import Hummingbird

extension SwiftRegistryController {
    /// Signature formats SwiftPM signs with.
    static let signatureFormats: Set<String> = ["cms-1.0.0"]

    /// `PUT /{scope}/{name}/{version}` (§4.6): the multipart body streamed part by part, the archive into a blob
    /// writer; then the archive checked and its manifests stored as assets of their own, all in one publish through
    /// the shared write entry point (`Uploads`: size limit, writers discarded on every path, origin controls).
    @Sendable func publish(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let target = try await open(context, request: request, permission: .publish)
        try RegistryAccept.require(request.headers[.accept], serving: .json)
        let identity = try Self.identity(context)
        let raw = try context.parameters.require("version")
        guard let version = SwiftReleaseVersion(raw) else {
            throw DepotError.badRequest("'\(raw.prefix(64))' is not a semantic version", code: "InvalidVersion")
        }
        guard let boundary = PublishForm.boundary(ofContentType: request.headers[.contentType]) else {
            throw ProblemDetails.unsupportedMediaType("a release is published as multipart/form-data with a boundary")
        }
        let signatureFormat = request.headers[Self.signatureFormatHeader]
        if let signatureFormat, !Self.signatureFormats.contains(signatureFormat.lowercased()) {
            throw ProblemDetails.unprocessable("unknown signature format '\(signatureFormat.prefix(32))' (known: cms-1.0.0)")
        }

        let files = uploads.files()
        let form = PublishForm(
            boundary: boundary, writer: try files.makeWriter(), limit: maxUploadSize,
            maxMetadataSize: min(limits.maxJSONSize, limits.maxFormFieldsSize))
        try await uploads.receive(request, limit: maxUploadSize, what: "the release") { try form.feed($0.readableBytesView) }
        let upload = try form.finish()
        guard upload.archive.size > 0 else { throw DepotError.badRequest("the source archive is empty", code: "MalformedBody") }

        let signatures = try Self.signatures(of: upload, format: signatureFormat?.lowercased())
        let metadata = try upload.metadata.map { try ReleaseMetadataDocument(data: $0, limits: limits) } ?? .empty
        guard let local = form.writer.localFile else {
            throw DepotError(.internalError, code: "NoLocalFile", "the blob store cannot expose uploads for inspection")
        }
        let inspection = try inspector.inspect(fileAt: local)

        let archiveName = SwiftReleaseRecord.archiveName(name: identity.key.name, version: version.description)
        var assets = [Asset(name: archiveName, digests: upload.archive)]
        for manifest in inspection.manifests {
            let writer = try files.makeWriter()
            try manifest.contents.withUnsafeBytes { try writer.write($0) }
            assets.append(Asset(name: manifest.file.filename, digests: try writer.finish()))
        }
        let record = SwiftReleaseRecord(
            identity: identity.description, archive: archiveName,
            manifests: inspection.manifests.map { .init(filename: $0.file.filename, toolsVersion: $0.toolsVersion) },
            metadata: String(decoding: metadata.json, as: UTF8.self),
            repositoryURLs: Array(Set(metadata.repositoryURLs.map(RepositoryURL.canonical))).sorted(),
            archiveSignature: signatures.archive, metadataSignature: signatures.metadata)
        var new = NewVersion(
            key: identity.key, version: version.description,
            origin: VersionOrigin(type: .internal, repository: target.repository.name), publishedAt: Date(),
            summary: metadata.description.map { String($0.prefix(1024)) }, metadata: try record.encoded(), assets: assets)
        // The identifiers lookup finds packages by these, through the core's index.
        new.properties = record.repositoryURLs.map { VersionProperty(Self.repositoryURLProperty, $0) }
        do {
            try await uploads.publish(new, files: files, to: target.repository)
        } catch let error as DepotError where error.code == "VersionExists" {
            throw DepotError.conflict("a release with version \(version) of \(identity) already exists", code: "VersionExists")
        }
        var headers = HTTPFields()
        headers[.location] = target.releaseURL(identity, version.description)
        return Response(status: .created, headers: headers)
    }

    /// The signatures, stored as sent (base64) once their format is known: the archive's needs the
    /// `X-Swift-Package-Signature-Format` header, and the metadata's comes only with the archive's.
    static func signatures(of upload: PublishForm.Result, format: String?) throws
        -> (archive: SwiftReleaseRecord.Signature?, metadata: SwiftReleaseRecord.Signature?)
    {
        guard let archive = upload.archiveSignature else {
            guard upload.metadataSignature == nil else {
                throw ProblemDetails.unprocessable("a metadata signature needs a signed source archive")
            }
            return (nil, nil)
        }
        guard let format else {
            throw DepotError.badRequest("a signed release needs the X-Swift-Package-Signature-Format header", code: "MissingSignatureFormat")
        }
        guard !archive.isEmpty, upload.metadataSignature.map({ !$0.isEmpty }) ?? true else {
            throw ProblemDetails.unprocessable("a signature is empty")
        }
        return (
            .init(base64: archive.base64EncodedString(), format: format),
            upload.metadataSignature.map { .init(base64: $0.base64EncodedString(), format: format) }
        )
    }

    // MARK: GET /identifiers?url=

    /// The version property holding each canonical repository URL (`RepositoryURL`) of a release.
    static let repositoryURLProperty = "swift.repositoryURL"

    /// Most identifiers one lookup answers with.
    static let maxLookupPackages = 1000

    @Sendable func identifiers(_ request: Request, context: DepotRequestContext) async throws -> Response {
        try RegistryAccept.require(request.headers[.accept], serving: .json)
        let target = try await open(context, request: request, permission: .read)
        guard let url = request.uri.queryParameters["url"].map(String.init), !url.isEmpty, url.utf8.count <= 2048 else {
            throw DepotError.badRequest("the url query parameter is required", code: "MissingURL")
        }
        let wanted = RepositoryURL.canonical(url)
        let cacheKey = "\(target.repository.id)|identifiers|\(wanted)"
        // Read before the index: a change after this moves it on, so the next lookup reads again.
        let fingerprint = String(changes.value)
        var hit = documents.lookup(key: cacheKey, fingerprint: fingerprint)
        if hit == nil {
            let found = try await lookUp(wanted, in: target.repository)
            let body = found.isEmpty ? ByteBuffer() : ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: ["identifiers": found]))
            hit = documents.store(key: cacheKey, fingerprint: fingerprint, body: body)
        }
        guard let document = hit, document.body.readableBytes > 0 else {
            throw DepotError.notFound("no package identifiers are registered for \(url.prefix(256))", code: "PackageNotFound")
        }
        var headers = HTTPFields()
        headers[.cacheControl] = "no-cache"
        return RenderedDocumentCache.response(for: document, headers: Self.jsonHeaders(headers), request: request)
    }

    /// Identifiers of the repository's packages with a live release naming `canonicalURL` (one index read), each
    /// spelled as its newest such release was published.
    func lookUp(_ canonicalURL: String, in repository: Repository) async throws -> [String] {
        let property = VersionProperty(Self.repositoryURLProperty, canonicalURL)
        var found: [String] = []
        for package in try await packages.packages(in: repository, withProperty: property, limit: Self.maxLookupPackages) {
            let records = try await packages.versions(of: package).filter { $0.status != .disposed }.compactMap { try? SwiftReleaseRecord(data: $0.metadata) }
            let spelling = records.last(where: { $0.repositoryURLs.contains(canonicalURL) }).flatMap { try? SwiftPackageIdentity($0.identity) }
            found.append((spelling ?? SwiftPackageIdentity(key: package.key)).description)
        }
        return found.sorted()
    }
}
