import Crypto
import DepotCore
import DepotHTTP
import Foundation
import Hummingbird

#if canImport(FoundationXML)
import FoundationXML
#endif

/// The Maven repository layout at `/{domain}/{repo}/maven/`: GET/HEAD/PUT of artifact files, checksums
/// served from stored digests and verified on upload, and `maven-metadata.xml` generated from what is stored.
/// A release version stays Unfinished until its G/A metadata is uploaded (as in CodeArtifact).
public struct MavenController: Sendable {
    let repositories: RepositoryAccess
    let packages: PackageService
    let upstreams: UpstreamService
    let maxUploadSize: Int
    let limits: InputLimits
    /// Artifact GET and HEAD (ETag, Range, 304, the memory cache of small blobs).
    let downloads: BlobDownloads
    /// Generated maven-metadata.xml with its digests, tagged with what it was generated from.
    let rendered = CostBoundedCache<MavenRenderedMetadata>(budget: 32 << 20)
    /// Moves with every change: group-level metadata is generated from a listing, which is not cached.
    let changes: ChangeCounter
    /// Artifact PUTs: the body streamed under the size limit, origin control, the version policy.
    let uploads: Uploads

    public init(
        repositories: RepositoryAccess, packages: PackageService, upstreams: UpstreamService, maxUploadSize: Int, limits: InputLimits,
        downloads: BlobDownloads, changes: ChangeCounter
    ) {
        self.changes = changes
        uploads = Uploads(packages: packages, upstreams: upstreams)
        self.downloads = downloads
        self.repositories = repositories
        self.packages = packages
        self.upstreams = upstreams
        self.maxUploadSize = maxUploadSize
        self.limits = limits
    }

    public static let permissions: [RoutePermission] = [
        RoutePermission(.get, "/{domain}/{repo}/maven/**", .read, .repository, anonymousRead: true),
        RoutePermission(.head, "/{domain}/{repo}/maven/**", .read, .repository, anonymousRead: true),
        RoutePermission(.put, "/{domain}/{repo}/maven/**", .publish, .repository),
    ]

    public func addRoutes(to router: Router<DepotRequestContext>) {
        let group = router.group(":domain/:repo/maven")
        group.get("**", use: handle)
        group.head("**", use: handle)
        group.put("**", use: handle)
    }

    @Sendable func handle(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let parts = request.uri.path.split(separator: "/", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 5 else { throw DepotError.notFound("no such Maven path", code: "NotFound") }
        let path = try MavenPath(parsing: String(parts[4]))
        let isWrite = request.method == .put
        let repository = try await repositories.open(
            domain: String(parts[1]), repository: String(parts[2]), permission: isWrite ? .publish : .read, context: context)
        if isWrite { return try await put(path, request: request, repository: repository) }
        return try await get(path, repository: repository, request: request)
    }

    // MARK: Reads

    /// Files carry their SHA-256 as ETag (ranges, HEAD and 304 by `BlobDownloads`); generated metadata its SHA-1,
    /// as Maven's own checksum, so revalidations get 304.
    func get(_ path: MavenPath, repository: Repository, request: Request) async throws -> Response {
        let ifNoneMatch = request.headers[.ifNoneMatch]
        switch path {
        case .artifact(let artifact):
            let asset = try await locate(artifact, in: repository, throughUpstreams: true)
            return try downloads.response(for: asset, request: request, headers: Self.headers(for: artifact.fileName))
        case .checksum(let inner, let algorithm):
            let digests: BlobDigests
            var repeatable = true
            if case .artifact(let artifact) = inner {
                digests = try await locate(artifact, in: repository, throughUpstreams: true).digests
            } else {
                let metadata = try await metadata(inner, repository: repository)
                digests = metadata.digests
                repeatable = metadata.repeatable
            }
            return Self.text(algorithm.value(in: digests)).repeatable(repeatable)
        case .artifactMetadata, .snapshotMetadata, .groupMetadata:
            let metadata = try await metadata(path, repository: repository)
            // Depot writes this document itself (escaped values only), so it may keep the type Maven Central sends.
            var headers = StoredFileHeaders.fields(contentType: "application/xml")
            headers[.cacheControl] = "no-cache"
            let etag = "\"" + metadata.digests.sha1 + "\""
            headers[.eTag] = etag
            if EntityTag.matches(ifNoneMatch, etag) { return .notModified(headers) }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: metadata.xml)).repeatable(metadata.repeatable)
        }
    }

    /// Generated metadata from the cache when what it is made of has not changed (the fingerprint is known
    /// before anything is generated), else generated and kept.
    func metadata(_ path: MavenPath, repository: Repository) async throws -> MavenRenderedMetadata {
        let notFound = DepotError.notFound("\(path.path) not found", code: "MetadataNotFound")
        let fingerprint: String
        var repeatable = true
        var view: PackageView?
        var upstreamGroup: (body: Data, tag: String)?
        switch path {
        case .artifactMetadata:
            // Versions of this repository, its upstreams and its external connection, merged.
            let merged = try await upstreams.view(of: path.packageKey!, from: repository)
            guard !merged.isEmpty else {
                if let alternative = path.groupMetadataAlternative { return try await metadata(alternative, repository: repository) }
                throw notFound
            }
            fingerprint = merged.fingerprint
            repeatable = !merged.consultsExternal
            view = merged
        case .snapshotMetadata:
            guard let package = try await packages.package(in: repository, key: path.packageKey!) else { throw notFound }
            fingerprint = "\(package.id):\(package.revision)"
        case .groupMetadata(let groupId):
            let generation = changes.value
            upstreamGroup = try? await upstreamGroupDocument(groupId, repository: repository)
            fingerprint = "\(generation)|\(upstreamGroup?.tag ?? "-")"
            // Whether the external connection answered is not a change on the feed.
            repeatable = false
        case .artifact, .checksum:
            throw notFound
        }
        let cacheKey = "\(repository.id)|\(path.path)"
        if var hit = rendered.value(forKey: cacheKey), hit.fingerprint == fingerprint {
            hit.repeatable = repeatable
            return hit
        }
        let xml: [UInt8]
        switch path {
        case .artifactMetadata(let groupId, let artifactId):
            let view = view!
            let lastUpdated = view.local?.modifiedAt ?? view.entries.map(\.publishedAt).max() ?? Date()
            xml = Array(MavenMetadata.artifactLevel(
                groupId: groupId, artifactId: artifactId, versions: view.entries.map(\.version), lastUpdated: lastUpdated).xml.utf8)
        case .snapshotMetadata(let groupId, let artifactId, let versionName):
            guard let package = try await packages.package(in: repository, key: path.packageKey!),
                let version = try? await packages.requireVersion(of: package, versionName), version.status.isDownloadable
            else { throw notFound }
            let template = MavenArtifact(groupId: groupId, artifactId: artifactId, version: versionName, extension: "jar")
            let files = try await packages.assets(of: version).compactMap { asset in
                Self.artifact(named: asset.name, like: template).map {
                    MavenMetadata.SnapshotFile(artifact: $0, updated: version.publishedAt)
                }
            }
            xml = Array(MavenMetadata.snapshotLevel(
                groupId: groupId, artifactId: artifactId, version: versionName, files: files, lastUpdated: package.modifiedAt).xml.utf8)
        case .groupMetadata(let groupId):
            xml = Array(try await groupMetadata(groupId, repository: repository, upstream: upstreamGroup?.body).xml.utf8)
        case .artifact, .checksum:
            throw notFound
        }
        let metadata = MavenRenderedMetadata(
            fingerprint: fingerprint, xml: ByteBuffer(bytes: xml), digests: Self.digests(of: xml), repeatable: repeatable)
        rendered.set(metadata, forKey: cacheKey, cost: xml.count + cacheKey.utf8.count + 512)
        return metadata
    }

    /// The stored asset for a file; `lib-1.0-SNAPSHOT.jar` resolves to the newest timestamped build.
    /// Reads of release files go through the upstreams (fetched, verified and recorded on first use);
    /// SNAPSHOTs are this repository's own (public repositories do not publish them).
    func locate(_ artifact: MavenArtifact, in repository: Repository, throughUpstreams: Bool = false) async throws -> Asset {
        let notFound = DepotError.notFound("\(artifact.path) not found", code: "ArtifactNotFound")
        if throughUpstreams, !artifact.isSnapshot {
            guard let (_, version, asset) = try await upstreams.asset(
                    named: artifact.fileName, version: artifact.version, of: artifact.packageKey, in: repository),
                version.status.isDownloadable
            else { throw notFound }
            return asset
        }
        guard let package = try await packages.package(in: repository, key: artifact.packageKey),
            let version = try? await packages.requireVersion(of: package, artifact.version), version.status.isDownloadable
        else { throw notFound }
        let assets = try await packages.assets(of: version)
        if let exact = assets.first(where: { $0.name == artifact.fileName }) { return exact }
        guard artifact.isSnapshot, !artifact.isTimestampedSnapshot else { throw notFound }
        let builds = assets.compactMap { asset -> (MavenArtifact, Asset)? in
            guard let candidate = Self.artifact(named: asset.name, like: artifact),
                candidate.classifier == artifact.classifier, candidate.extension == artifact.extension
            else { return nil }
            return (candidate, asset)
        }
        guard let newest = builds.max(by: { ($0.0.buildNumber ?? 0) < ($1.0.buildNumber ?? 0) }) else { throw notFound }
        return newest.1
    }

    /// Parses a stored asset name as a file of `like`'s version directory.
    static func artifact(named name: String, like artifact: MavenArtifact) -> MavenArtifact? {
        let directory = artifact.groupId.split(separator: ".").joined(separator: "/") + "/\(artifact.artifactId)/\(artifact.version)"
        guard case .artifact(let parsed)? = try? MavenPath(parsing: "\(directory)/\(name)") else { return nil }
        return parsed
    }

    /// G metadata: the plugins of the group, each described by what its listed versions recorded (newer wins).
    func groupMetadata(_ groupId: String, repository: Repository, upstream: Data?) async throws -> MavenMetadata {
        var plugins: [MavenMetadata.Plugin] = []
        let filter = PackageFilter(format: MavenFormat.id, namespace: groupId)
        for summary in try await packages.listPackages(in: repository, filter: filter) {
            let versions = try await packages.versions(of: summary.package).filter { $0.status.isListed }
                .sorted { MavenVersion($0.version) < MavenVersion($1.version) }
            let info = versions.reduce(MavenVersionInfo()) { $0.merging(MavenVersionInfo(json: $1.metadata)) }
            if let plugin = info.plugin(artifactId: summary.package.key.name) { plugins.append(plugin) }
        }
        // The external connection's plugin list, for the plugins this repository does not describe itself.
        if let upstream, let parsed = try? MavenMetadata.parse(upstream) {
            let known = Set(plugins.map(\.artifactId))
            plugins += parsed.plugins.filter { !known.contains($0.artifactId) }
        }
        return MavenMetadata.groupLevel(plugins: plugins)
    }

    /// The external connection's group-level document (`org/apache/maven/plugins/maven-metadata.xml` is how `mvn`
    /// turns `dependency:tree` into a plugin).
    func upstreamGroupDocument(_ groupId: String, repository: Repository) async throws -> (body: Data, tag: String)? {
        let parts = groupId.split(separator: ".")
        guard parts.count > 1 else { return nil }
        let key = PackageKey(format: MavenFormat.id, namespace: parts.dropLast().joined(separator: "."), name: String(parts.last!))
        return try await upstreams.upstreamDocument(key, from: repository)
    }

    // MARK: Writes

    func put(_ path: MavenPath, request: Request, repository: Repository) async throws -> Response {
        switch path {
        case .artifact(let artifact):
            return try await putArtifact(artifact, request: request, repository: repository)
        case .checksum(let inner, let algorithm):
            let body = try await BodyStreaming.collect(request, limit: 4096)
            let text = String(decoding: body.readableBytesView, as: UTF8.self)
            guard algorithm.digest(fromChecksumFile: text) != nil else {
                throw DepotError.badRequest("not a \(algorithm.rawValue) checksum", code: "InvalidChecksum")
            }
            if case .artifact(let artifact) = inner {
                // Checksums are never stored: they are compared with the file's own digests.
                let asset = try await locate(artifact, in: repository)
                guard algorithm.matches(text, asset.digests) else {
                    throw DepotError.badRequest(
                        "the \(algorithm.rawValue) checksum does not match \(artifact.fileName)", code: "ChecksumMismatch")
                }
            }
            return Response(status: .created)
        case .artifactMetadata, .snapshotMetadata, .groupMetadata:
            let body = try await BodyStreaming.collect(request, limit: limits.maxXMLSize)
            let metadata = try MavenMetadata.parse(Data(body.readableBytesView), maxSize: limits.maxXMLSize)
            if let groupId = try Self.groupLevelTarget(of: metadata, at: path) {
                try await recordDeclaredPlugins(metadata.plugins, groupId: groupId, repository: repository)
            } else {
                try await completeVersions(listedIn: metadata, at: path, repository: repository)
            }
            return Response(status: .created)
        }
    }

    /// Streams one file into the blob store and records it as an asset of its version.
    func putArtifact(_ artifact: MavenArtifact, request: Request, repository: Repository) async throws -> Response {
        // A pom is parsed, so it is held to the XML limit while it streams in (never read whole beyond it).
        let isPom = artifact.extension == "pom"
        let limit = isPom ? min(maxUploadSize, limits.maxXMLSize) : maxUploadSize
        let files = uploads.files()
        let writer = try files.makeWriter()
        try await uploads.receive(request, limit: limit, what: isPom ? "the pom" : "the file") { chunk in
            try chunk.withUnsafeReadableBytes { try writer.write($0) }
        }
        let digests = try writer.finish()
        // Read now: the file leaves the writer's place when it is committed.
        var info: MavenVersionInfo?
        if isPom {
            let pom = try Self.validateXML(at: writer.localFile, name: artifact.fileName)
            if artifact.classifier == nil { info = MavenVersionInfo.fromPom(pom) }
        } else if artifact.extension == "jar", artifact.classifier == nil, let file = writer.localFile {
            info = try MavenVersionInfo.fromJar(at: file, maxEntries: limits.maxArchiveEntries)
        }
        let new = NewVersion(
            key: artifact.packageKey, version: artifact.version, status: artifact.isSnapshot ? .published : .unfinished,
            origin: VersionOrigin(type: .internal, repository: repository.name), publishedAt: Date(), summary: nil,
            metadata: Data("{}".utf8), assets: [Asset(name: artifact.fileName, digests: digests)])
        try await uploads.publish(new, files: files, to: repository)
        if let info { try await record(info, of: artifact.version, key: artifact.packageKey, repository: repository) }
        return Response(status: .created)
    }

    /// Merges `info` into a version's stored metadata (a read-modify-write: Maven uploads a version's files one
    /// after another, so two writers of one version's metadata do not meet in practice).
    func record(_ info: MavenVersionInfo, of versionName: String, key: PackageKey, repository: Repository) async throws {
        guard let package = try await packages.package(in: repository, key: key),
            let version = try? await packages.requireVersion(of: package, versionName)
        else { return }
        let old = MavenVersionInfo(json: version.metadata)
        let new = old.merging(info)
        if new != old { try await packages.updateMetadata(new.json, of: versionName, in: package) }
    }

    /// The group an uploaded metadata file describes when it is G-level: only plugins, no versioning.
    /// `org/example/maven-metadata.xml` parses as the metadata of artifact `example` in `org`, so such a file is
    /// taken as the metadata of group `org.example`.
    static func groupLevelTarget(of metadata: MavenMetadata, at path: MavenPath) throws -> String? {
        if case .groupMetadata(let groupId) = path { return groupId }
        guard case .artifactMetadata = path, metadata.versioning == nil, !metadata.plugins.isEmpty else { return nil }
        guard case .groupMetadata(let groupId)? = path.groupMetadataAlternative else {
            throw DepotError.badRequest(
                "\(path.path) lists plugins but is not a group's maven-metadata.xml", code: "MetadataMismatch")
        }
        return groupId
    }

    /// An uploaded G metadata file's plugins are remembered on the newest version of each artifact it names that
    /// this repository stores; entries for artifacts not stored here are dropped, since Depot lists what it has.
    func recordDeclaredPlugins(_ plugins: [MavenMetadata.Plugin], groupId: String, repository: Repository) async throws {
        for plugin in plugins {
            guard MavenName.isValidSegment(plugin.artifactId), MavenName.isValidSegment(plugin.prefix) else {
                throw DepotError.badRequest(
                    "maven-metadata.xml: plugin '\(plugin.artifactId.prefix(80))' has an invalid artifactId or prefix",
                    code: "InvalidMetadata")
            }
            let key = PackageKey(format: MavenFormat.id, namespace: groupId, name: plugin.artifactId)
            guard let package = try await packages.package(in: repository, key: key) else { continue }
            let versions = try await packages.versions(of: package)
            let candidates = versions.contains { $0.status.isListed } ? versions.filter { $0.status.isListed } : versions
            guard let newest = candidates.max(by: { MavenVersion($0.version) < MavenVersion($1.version) }) else { continue }
            try await record(
                MavenVersionInfo(declaredPrefix: plugin.prefix, declaredName: plugin.name), of: newest.version, key: key,
                repository: repository)
        }
    }

    /// An uploaded G/A metadata file completes the release versions it lists (Unfinished -> Published).
    func completeVersions(listedIn metadata: MavenMetadata, at path: MavenPath, repository: Repository) async throws {
        guard case .artifactMetadata(let groupId, let artifactId) = path else { return }
        if let declared = metadata.groupId, declared != groupId {
            throw DepotError.badRequest("maven-metadata.xml names group \(declared), not \(groupId)", code: "MetadataMismatch")
        }
        if let declared = metadata.artifactId, declared != artifactId {
            throw DepotError.badRequest("maven-metadata.xml names artifact \(declared), not \(artifactId)", code: "MetadataMismatch")
        }
        guard let package = try await packages.package(in: repository, key: path.packageKey!) else { return }
        let listed = Set(metadata.versioning?.versions ?? [])
        for version in try await packages.versions(of: package) where version.status == .unfinished && listed.contains(version.version) {
            try await packages.setStatus(.published, of: version.version, in: package)
        }
    }

    // MARK: Helpers

    /// The pom's bytes (already held to the XML limit) once they are well-formed XML without a DTD.
    @discardableResult
    static func validateXML(at file: URL?, name: String) throws -> Data {
        guard let file, let data = try? Data(contentsOf: file), !data.isEmpty else {
            throw DepotError.badRequest("\(name) is empty", code: "InvalidPom")
        }
        switch XMLDocumentGuard.problem(in: data) {
        case .dtd: throw DepotError.badRequest("\(name) must not contain a DTD", code: "InvalidPom")
        case .emptyProcessingInstruction:
            throw DepotError.badRequest("\(name) has a processing instruction without data", code: "InvalidPom")
        case .encoding(let encoding): throw DepotError.badRequest("\(name) must be UTF-8, not \(encoding.prefix(40))", code: "InvalidPom")
        case nil: break
        }
        // Foundation's parser on Linux reports success for some broken documents (an unclosed root), so the
        // element nesting is checked as well.
        let parser = XMLParser(data: data)
        let balance = ElementBalance()
        parser.delegate = balance
        guard parser.parse(), parser.parserError == nil, balance.sawRoot, balance.depth == 0, balance.roots == 1 else {
            throw DepotError.badRequest("\(name) is not well-formed XML", code: "InvalidPom")
        }
        return data
    }

    static func digests(of bytes: [UInt8]) -> BlobDigests {
        var hasher = MultiHasher()
        bytes.withUnsafeBytes { hasher.update($0) }
        return hasher.finalize()
    }

    /// Stored files are the uploader's bytes: a `.pom` or `.xml` is served as octet-stream (Maven reads the bytes
    /// whatever the type), since as XML a browser would run an XHTML document's script on Depot's origin.
    static func headers(for fileName: String) -> HTTPFields {
        let type: String =
            switch fileName.split(separator: ".").last {
            case "jar", "war", "ear": "application/java-archive"
            default: "application/octet-stream"
            }
        return StoredFileHeaders.fields(contentType: type)
    }

    /// A checksum Depot computed (hex digits only), with the file headers all repository answers carry.
    static func text(_ value: String) -> Response {
        let headers = StoredFileHeaders.fields(contentType: "text/plain")
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: value)))
    }
}

/// Counts element nesting while a document is parsed.
final class ElementBalance: NSObject, XMLParserDelegate {
    var depth = 0
    var roots = 0
    var sawRoot = false

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if depth == 0 { roots += 1 }
        depth += 1
        sawRoot = true
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        depth -= 1
    }
}

/// A generated maven-metadata.xml with its digests (served as checksum files), and what it was generated from.
struct MavenRenderedMetadata: Sendable {
    var fingerprint: String
    var xml: ByteBuffer
    var digests: BlobDigests
    /// Made from this server's packages only (no external document): see `Response.repeatable`.
    var repeatable: Bool
}
