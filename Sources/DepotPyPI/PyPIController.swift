import DepotCore
import DepotHTTP
import Foundation
import Hummingbird

/// The PyPI endpoints of a repository: the simple index (PEP 503/691/658/700/714), file downloads and
/// the twine upload API, plus yank/unyank in the management API.
public struct PyPIController: Sendable {
    let repositories: RepositoryAccess
    let packages: PackageService
    let upstreams: UpstreamService
    let baseURL: PublicBaseURL
    let maxUploadSize: Int
    let limits: InputLimits
    let inspector: DistributionInspector
    /// File GET and HEAD (ETag, Range, 304, the memory cache of small blobs).
    let downloads: BlobDownloads
    /// Rendered project pages, current while the view they were rendered from is unchanged.
    let pages = RenderedDocumentCache(budget: 64 << 20)
    /// Moves with every change: the project list is built from a listing, which is not cached.
    let changes: ChangeCounter
    /// Uploads: the body streamed under the size limit, origin control, the version policy.
    let uploads: Uploads

    public init(
        repositories: RepositoryAccess, packages: PackageService, upstreams: UpstreamService, baseURL: PublicBaseURL,
        maxUploadSize: Int, limits: InputLimits, downloads: BlobDownloads, changes: ChangeCounter
    ) {
        self.changes = changes
        uploads = Uploads(packages: packages, upstreams: upstreams)
        self.downloads = downloads
        self.repositories = repositories
        self.packages = packages
        self.upstreams = upstreams
        self.baseURL = baseURL
        self.maxUploadSize = maxUploadSize
        self.limits = limits
        inspector = DistributionInspector(maxExpandedSize: limits.maxDecompressedSize, maxEntries: limits.maxArchiveEntries)
    }

    public static let permissions: [RoutePermission] = [
        RoutePermission(.get, "/{domain}/{repo}/pypi/simple", .read, .repository, anonymousRead: true),
        RoutePermission(.get, "/{domain}/{repo}/pypi/simple/{project}", .read, .repository, anonymousRead: true),
        RoutePermission(.get, "/{domain}/{repo}/pypi/files/{project}/{version}/{filename}", .read, .repository, anonymousRead: true),
        RoutePermission(.head, "/{domain}/{repo}/pypi/files/{project}/{version}/{filename}", .read, .repository, anonymousRead: true),
        RoutePermission(.post, "/{domain}/{repo}/pypi", .publish, .repository),
        RoutePermission(.post, "/{domain}/{repo}/pypi/legacy", .publish, .repository),
        RoutePermission(
            .post, "/api/v1/domains/{domain}/repositories/{repo}/pypi/projects/{project}/versions/{version}/yank", .publish, .repository),
        RoutePermission(
            .delete, "/api/v1/domains/{domain}/repositories/{repo}/pypi/projects/{project}/versions/{version}/yank", .publish,
            .repository),
    ]

    public func addRoutes(to router: Router<DepotRequestContext>) {
        let group = router.group(":domain/:repo/pypi")
        group.get("simple", use: projectList)
        group.get("simple/:project", use: projectPage)
        group.get("files/:project/:version/:filename", use: download)
        group.head("files/:project/:version/:filename", use: download)
        group.post("", use: upload)
        group.post("legacy", use: upload)
        let api = router.group("api/v1/domains/:domain/repositories/:repo/pypi/projects/:project/versions/:version")
        api.post("yank", use: yank)
        api.delete("yank", use: unyank)
    }

    struct Target {
        var repository: Repository
        var repositoryURL: String
    }

    func open(_ context: DepotRequestContext, request: Request, permission: Permission) async throws -> Target {
        let domain = try context.parameters.require("domain")
        let name = try context.parameters.require("repo")
        let repository = try await repositories.open(domain: domain, repository: name, permission: permission, context: context)
        return Target(repository: repository, repositoryURL: "\(baseURL.resolve(for: request))/\(domain)/\(repository.name)/pypi")
    }

    static func key(_ project: PyPIProjectName) -> PackageKey {
        PackageKey(format: PyPIFormat.id, name: project.normalized)
    }

    // MARK: Simple index

    @Sendable func projectList(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let target = try await open(context, request: request, permission: .read)
        guard request.uri.path.hasSuffix("/") else { return Self.redirect(to: "\(target.repositoryURL)/simple/") }
        guard let type = SimpleContentNegotiation.choose(accept: request.headers[.accept]) else { throw Self.notAcceptable }
        let cacheKey = "\(target.repository.id)|/|\(type.isJSON ? "json" : "html")|\(target.repositoryURL)"
        // Read before the listing: a change after this moves it, so the next request builds the list again.
        let fingerprint = String(changes.value)
        if let hit = pages.lookup(key: cacheKey, fingerprint: fingerprint) {
            return RenderedDocumentCache.response(for: hit, headers: Self.pageHeaders(type), request: request, repeatable: true)
        }
        let summaries = try await packages.listPackages(in: target.repository, filter: PackageFilter(format: PyPIFormat.id))
        let list = SimpleProjectList(projects: summaries.filter { $0.latestVersion != nil }.map(\.package.key.name))
        let document = pages.store(key: cacheKey, fingerprint: fingerprint, body: ByteBuffer(string: type.isJSON ? list.json() : list.html()))
        return RenderedDocumentCache.response(for: document, headers: Self.pageHeaders(type), request: request, repeatable: true)
    }

    @Sendable func projectPage(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let target = try await open(context, request: request, permission: .read)
        let raw = try context.parameters.require("project")
        let project = try PyPIProjectName(raw.removingPercentEncoding ?? raw)
        // PEP 503: the canonical URL is the normalized name with a trailing slash.
        guard raw == project.normalized, request.uri.path.hasSuffix("/") else {
            return Self.redirect(to: "\(target.repositoryURL)/simple/\(project.normalized)/")
        }
        guard let type = SimpleContentNegotiation.choose(accept: request.headers[.accept]) else { throw Self.notAcceptable }
        // This repository's versions merged with its upstreams' and its external connection's.
        let view = try await upstreams.view(of: Self.key(project), from: target.repository)
        let cacheKey = "\(target.repository.id)|\(project.normalized)|\(type.isJSON ? "json" : "html")|\(target.repositoryURL)"
        if let hit = pages.lookup(key: cacheKey, fingerprint: view.fingerprint) {
            return RenderedDocumentCache.response(
                for: hit, headers: Self.pageHeaders(type), request: request, repeatable: !view.consultsExternal)
        }
        let fileURL = { (version: String, filename: String) in
            "\(target.repositoryURL)/files/\(project.normalized)/\(version)/\(filename)"
        }
        var storedAssets: [Int64: [Int64: [Asset]]] = [:]
        var files: [SimpleIndexFile] = []
        var versions: [String] = []
        for entry in view.entries {
            let metadata = try PyPIVersionMetadata(data: entry.metadata)
            var listed: Set<String> = []
            if case .stored(_, let version) = entry.source {
                if storedAssets[version.packageID] == nil {
                    storedAssets[version.packageID] = try await packages.assetsByVersion(packageID: version.packageID)
                }
                let assets = Dictionary(uniqueKeysWithValues: (storedAssets[version.packageID]?[version.id] ?? []).map { ($0.name, $0) })
                for (filename, file) in metadata.files.sorted(by: { $0.key < $1.key }) {
                    guard let asset = assets[filename] else { continue }
                    listed.insert(filename)
                    files.append(
                        SimpleIndexFile(
                            filename: filename, url: fileURL(entry.version, filename), sha256: asset.digests.sha256,
                            size: asset.digests.size, uploadTime: file.uploadTime, version: entry.version,
                            requiresPython: file.requiresPython,
                            metadataSHA256: file.hasMetadata ? assets[filename + ".metadata"]?.digests.sha256 : nil,
                            yankedReason: file.yanked ? .some(file.yankedReason) : nil))
                }
            }
            // Files the upstream offers that are not fetched yet (another platform's wheels, the sdist).
            let offered: UpstreamVersion? = switch entry.source {
            case .upstream(_, let version): version
            case .stored: entry.alsoUpstream
            }
            if let offered {
                let offeredMetadata = try PyPIVersionMetadata(data: offered.metadata)
                for asset in offered.assets where !listed.contains(asset.name) {
                    guard let file = offeredMetadata.files[asset.name], let sha256 = asset.expected[.sha256] else { continue }
                    listed.insert(asset.name)
                    files.append(
                        SimpleIndexFile(
                            filename: asset.name, url: fileURL(entry.version, asset.name), sha256: sha256, size: asset.size ?? 0,
                            uploadTime: file.uploadTime, version: entry.version, requiresPython: file.requiresPython,
                            yankedReason: file.yanked ? .some(file.yankedReason) : nil))
                }
            }
            if !listed.isEmpty { versions.append(entry.version) }
        }
        guard !versions.isEmpty else { throw DepotError.notFound("project \(project.normalized) has no available versions", code: "PackageNotFound") }
        let page = SimpleProjectPage(name: project.normalized, files: files, versions: versions)
        let document = pages.store(
            key: cacheKey, fingerprint: view.fingerprint, body: ByteBuffer(string: type.isJSON ? page.json() : page.html()))
        return RenderedDocumentCache.response(
            for: document, headers: Self.pageHeaders(type), request: request, repeatable: !view.consultsExternal)
    }

    // MARK: Files

    /// A distribution file, or its METADATA at `<file>.metadata`. Unlisted versions stay downloadable.
    @Sendable func download(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let target = try await open(context, request: request, permission: .read)
        // Clients percent-encode `+` of local versions (pip sends %2B); decode once, then check.
        func decoded(_ name: String) throws -> String {
            let raw = try context.parameters.require(name)
            guard let value = raw.removingPercentEncoding, !value.contains("/"), !value.contains("\\"), !value.contains(".."),
                !value.contains("\0"), !value.isEmpty
            else {
                throw DepotError.badRequest("invalid file path", code: "InvalidPath")
            }
            return value
        }
        let project = try PyPIProjectName(try decoded("project"))
        let versionName = try decoded("version")
        let filename = try decoded("filename")
        let normalizedVersion = PEP440Version(versionName)?.normalized ?? versionName
        guard let (_, version, asset) = try await upstreams.asset(
                named: filename, version: normalizedVersion, of: Self.key(project), in: target.repository),
            version.status.isDownloadable
        else {
            throw DepotError.notFound("no file \(filename) in \(project.normalized) \(versionName)", code: "FileNotFound")
        }
        // `.metadata` files too: their text is the uploader's, and pip and uv read the bytes whatever the type.
        var headers = StoredFileHeaders.fields()
        headers[.cacheControl] = "public, max-age=31536000, immutable"
        return try downloads.response(for: asset, request: request, headers: headers)
    }

    // MARK: Helpers

    static let notAcceptable = DepotError(
        .notAcceptable, code: "NotAcceptable",
        "this index serves application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html and text/html")

    static func redirect(to location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        return Response(status: .movedPermanently, headers: headers)
    }

    static func page(_ text: String, type: SimpleContentType, request: Request) -> Response {
        RenderedDocumentCache.response(
            for: RenderedDocumentCache.document(body: ByteBuffer(string: text)), headers: pageHeaders(type), request: request)
    }

    static func pageHeaders(_ type: SimpleContentType) -> HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = type.contentType
        headers[.cacheControl] = "no-cache"
        return headers
    }
}
