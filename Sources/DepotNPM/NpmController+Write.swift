import DepotCore
import DepotHTTP
import Foundation
import Hummingbird

extension NpmController {
    /// `PUT /<name>`: a publish when the body carries an attachment, else a metadata change
    /// (deprecate, dist-tags; with `/-rev/<rev>` also the removal of versions left out of the body).
    func put(_ name: NpmPackageName, request: Request, target: Target, removesMissingVersions: Bool) async throws -> Response {
        // The tarball is decoded into a blob writer while the body arrives; only the rest of the document is kept.
        let files = uploads.files()
        var splitter = PublishBodySplitter(
            skeletonLimit: min(maxUploadSize, limits.maxJSONSize), maxDepth: limits.maxJSONDepth, maxAttachments: limits.maxNpmAttachments
        ) { try files.makeWriter() }
        try await uploads.receive(request, limit: maxUploadSize) { chunk in
            try chunk.withUnsafeReadableBytes { try splitter.consume($0) }
        }
        let split = try splitter.finish()
        // The splitter bounded depth and size while streaming; the value count is checked before the parser runs.
        try split.skeleton.withUnsafeBytes { try JSONNesting.check($0, limits: limits) }
        let document = try NpmPublishDocument.parse(skeleton: split.skeleton, attachments: split.attachments)
        guard document.name == name.description else {
            throw DepotError.badRequest("the body names \(document.name) but the URL names \(name)", code: "NameMismatch")
        }
        if document.attachments.isEmpty {
            return try await update(name, with: document, target: target, removesMissingVersions: removesMissingVersions)
        }
        let new = try preparePublish(name, document: document, target: target)
        try await uploads.publish(new, files: files, to: target.repository)
        return Self.json(["ok": true, "id": name.description, "success": true], status: .created)
    }

    /// Validates a publish whose tarball was decoded into a blob writer, and finishes that writer (uncommitted).
    private func preparePublish(
        _ name: NpmPackageName, document: NpmPublishDocument, target: Target
    ) throws -> NewVersion {
        guard document.versions.count == 1, document.attachments.count == 1,
            let (version, manifest) = document.versions.first, let attachment = document.attachments.first
        else {
            throw DepotError.badRequest("a publish carries exactly one version and one tarball", code: "MalformedBody")
        }
        guard SemanticVersion(version) != nil else {
            throw DepotError.badRequest("'\(version)' is not a valid semver version", code: "InvalidVersion")
        }
        if let manifestVersion = manifest["version"] as? String, manifestVersion != version {
            throw DepotError.badRequest("versions[\"\(version)\"] declares version \(manifestVersion)", code: "MalformedBody")
        }
        let fileName = name.tarballName(version: version)
        guard attachment.fileName == fileName || attachment.fileName == "\(name)-\(version).tgz" else {
            throw DepotError.badRequest("the attachment must be named \(fileName)", code: "MalformedBody")
        }

        let writer = attachment.writer
        let decodedSize = attachment.decodedSize
        let digests = try writer.finish()
        guard decodedSize > 0 else { throw DepotError.badRequest("the tarball is empty", code: "MalformedAttachment") }
        if let declared = attachment.declaredLength, declared != decodedSize {
            throw DepotError.badRequest(
                "the attachment declares length \(declared) but decodes to \(decodedSize) bytes", code: "MalformedAttachment")
        }
        try IntegrityCheck.verify(manifest: manifest, digests: digests)

        let metadata = NpmVersionMetadata.fromPublished(
            manifest: manifest, name: name, version: version, digests: digests, documentReadme: document.readme,
            documentReadmeFilename: document.readmeFilename)
        let tags = document.distTags.map { $0.filter { $0.value == version }.map(\.key) } ?? ["latest"]
        let new = NewVersion(
            key: name.key, version: version, origin: VersionOrigin(type: .internal, repository: target.repository.name),
            publishedAt: Date(), summary: manifest["description"] as? String, metadata: try metadata.encoded(),
            assets: [Asset(name: fileName, digests: digests)], tags: tags.isEmpty ? ["latest"] : tags)
        return new
    }

    /// Applies deprecations, dist-tags and (on `-rev` writes) version removals from a full packument.
    private func update(
        _ name: NpmPackageName, with document: NpmPublishDocument, target: Target, removesMissingVersions: Bool
    ) async throws -> Response {
        let package = try await requirePackage(name, in: target)
        let stored = try await packages.versions(of: package).filter { $0.status != .disposed }
        for version in stored {
            guard let sent = document.versions[version.version] else {
                if removesMissingVersions { try await packages.deleteVersion(version.version, of: package) }
                continue
            }
            var metadata = try NpmVersionMetadata(data: version.metadata)
            let current = metadata.manifest["deprecated"] as? String
            let wanted = (sent["deprecated"] as? String).flatMap { $0.isEmpty ? nil : $0 }
            if current != wanted {
                metadata.manifest["deprecated"] = wanted
                try await packages.updateMetadata(try metadata.encoded(), of: version.version, in: package)
            }
        }
        if let wantedTags = document.distTags, let current = try await packages.package(in: target.repository, key: name.key) {
            let remaining = Set(try await packages.versions(of: current).map(\.version))
            let existing = try await packages.tags(of: current)
            for (tag, version) in wantedTags where remaining.contains(version) && existing[tag] != version {
                try await packages.setTag(tag, to: version, in: current)
            }
            for tag in existing.keys where wantedTags[tag] == nil && tag != "latest" {
                try await packages.removeTag(tag, from: current)
            }
        }
        return Self.json(["ok": true, "id": name.description])
    }

    /// `DELETE /<name>/-rev/<rev>`: the whole package.
    func unpublishAll(_ name: NpmPackageName, target: Target) async throws -> Response {
        let package = try await requirePackage(name, in: target)
        try await packages.deletePackage(package)
        return Self.json(["ok": true])
    }

    /// `DELETE /<name>/-/<file>/-rev/<rev>`: npm sends it after removing the version; removes the version if still there.
    func deleteTarball(_ name: NpmPackageName, file: String, target: Target) async throws -> Response {
        let package = try await requirePackage(name, in: target)
        if let (version, _) = try? await locateTarball(name, file: file, in: package) {
            try await packages.deleteVersion(version.version, of: package)
        }
        return Self.json(["ok": true])
    }

    func setDistTag(_ name: NpmPackageName, tag: String, request: Request, target: Target) async throws -> Response {
        try Self.validate(tag: tag)
        let body = try await BodyStreaming.collectJSON(request, limit: 4096, limits: limits)
        guard let version = try? JSONSerialization.jsonObject(with: body, options: .fragmentsAllowed) as? String
        else {
            throw DepotError.badRequest("the body must be a JSON string naming a version", code: "MalformedBody")
        }
        let package = try await requirePackage(name, in: target)
        try await packages.setTag(tag, to: version, in: package)
        return Self.json(["ok": true], status: .created)
    }

    func removeDistTag(_ name: NpmPackageName, tag: String, target: Target) async throws -> Response {
        guard tag != "latest" else { throw DepotError.badRequest("the latest tag cannot be removed", code: "InvalidTag") }
        let package = try await requirePackage(name, in: target)
        guard try await packages.tags(of: package)[tag] != nil else {
            throw DepotError.notFound("\(name) has no dist-tag \(tag)", code: "TagNotFound")
        }
        try await packages.removeTag(tag, from: package)
        return Self.json(["ok": true])
    }

    /// Tags may not look like versions (npm resolves `pkg@1.0.0` as a version) and stay URL-safe.
    static func validate(tag: String) throws {
        guard !tag.isEmpty, tag.count <= 64, SemanticVersion(tag) == nil,
            tag.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) })
        else {
            throw DepotError.badRequest("invalid dist-tag '\(tag)'", code: "InvalidTag")
        }
    }

    /// Legacy `npm login` (`PUT /-/user/org.couchdb.user:<name>`): the password must be a Depot token;
    /// it is handed back as the session token, so `npm login` can store it.
    func login(user: String, request: Request) async throws -> Response {
        let body = try await BodyStreaming.collectJSON(request, limit: 64 * 1024, limits: limits)
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
            let password = object["password"] as? String
        else {
            throw DepotError.badRequest("the body must be {\"name\", \"password\"}", code: "MalformedBody")
        }
        _ = try await access.authenticate(secret: password)
        return Self.json(["ok": true, "id": "org.couchdb.user:\(user)", "token": password], status: .created)
    }
}
