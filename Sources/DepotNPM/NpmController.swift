import DepotCore
import DepotHTTP
import Foundation
import Hummingbird

/// The npm registry API at `/{domain}/{repo}/npm/`: one catch-all route per method whose path is parsed
/// by `NpmRoute`, so scoped names (`@scope%2fname` and `@scope/name`) and traversal are handled in one place.
public struct NpmController: Sendable {
    let repositories: RepositoryAccess
    let packages: PackageService
    let upstreams: UpstreamService
    let access: AccessService
    let baseURL: PublicBaseURL
    let maxUploadSize: Int
    let limits: InputLimits
    /// Tarball GET and HEAD (ETag, Range, 304, the memory cache of small blobs).
    let downloads: BlobDownloads
    /// Publishes: the body streamed under the size limit, origin control, the version policy.
    let uploads: Uploads
    let cache = RenderedDocumentCache()

    public init(
        repositories: RepositoryAccess, packages: PackageService, upstreams: UpstreamService, access: AccessService,
        baseURL: PublicBaseURL, maxUploadSize: Int, limits: InputLimits, downloads: BlobDownloads
    ) {
        self.downloads = downloads
        uploads = Uploads(packages: packages, upstreams: upstreams)
        self.repositories = repositories
        self.packages = packages
        self.upstreams = upstreams
        self.access = access
        self.baseURL = baseURL
        self.maxUploadSize = maxUploadSize
        self.limits = limits
    }

    /// One catch-all per method; what each npm endpoint needs is decided in `handle`.
    public static let permissions: [RoutePermission] = [
        RoutePermission(
            .get, "/{domain}/{repo}/npm/**", .read, .repository, anonymousRead: true,
            note: "`/-/ping` needs nothing; `/-/whoami` needs a token"),
        RoutePermission(.head, "/{domain}/{repo}/npm/**", .read, .repository, anonymousRead: true),
        RoutePermission(
            .put, "/{domain}/{repo}/npm/**", .publish, .repository,
            note: "publish, dist-tags; `npm login` (`/-/user/org.couchdb.user:{name}`) only checks the token given as password"),
        RoutePermission(.delete, "/{domain}/{repo}/npm/**", .publish, .repository, note: "unpublish, dist-tags"),
        RoutePermission(
            .post, "/{domain}/{repo}/npm/**", .read, .repository, anonymousRead: true,
            note: "audits; dist-tags need `publish`"),
    ]

    public func addRoutes(to router: Router<DepotRequestContext>) {
        let group = router.group(":domain/:repo/npm")
        group.get("**", use: handle)
        group.head("**", use: handle)
        group.put("**", use: handle)
        group.delete("**", use: handle)
        group.post("**", use: handle)
    }

    /// What a handler needs to know about the request's repository.
    struct Target {
        var domain: String
        var repository: Repository
        var registryURL: String
    }

    @Sendable func handle(_ request: Request, context: DepotRequestContext) async throws -> Response {
        // The raw path is split by hand: `/{domain}/{repo}/npm/<rest>`.
        let rest = request.uri.path.split(separator: "/", maxSplits: 4, omittingEmptySubsequences: false)
        guard rest.count == 5 else { throw NpmRoute.notFound }
        let domain = String(rest[1])
        let repository = String(rest[2])
        let route = try NpmRoute.parse(rawPath: rest[4])
        let method = request.method

        func open(_ permission: Permission) async throws -> Target {
            let repo = try await repositories.open(domain: domain, repository: repository, permission: permission, context: context)
            return Target(
                domain: domain, repository: repo, registryURL: "\(baseURL.resolve(for: request))/\(domain)/\(repo.name)/npm")
        }

        switch (route, method) {
        case (.ping, .get), (.ping, .head):
            return Self.json([String: Any]())
        case (.whoami, .get):
            guard let identity = context.identity else { throw DepotError.unauthorized() }
            _ = try await open(.read)
            return Self.json(["username": identity.name])
        case (.login(let user), .put):
            return try await login(user: user, request: request)
        case (.search, .get):
            return try await search(request: request, target: try await open(.read))
        case (.auditBulk, .post):
            return try await audit(.bulk, request: request, target: try await open(.read))
        case (.auditQuick, .post):
            return try await audit(.quick, request: request, target: try await open(.read))
        case (.package(let name), .get), (.package(let name), .head):
            return try await packument(name, request: request, target: try await open(.read))
        case (.packageVersion(let name, let version), .get):
            return try await versionManifest(name, versionOrTag: version, target: try await open(.read))
        case (.tarball(let name, let file), .get), (.tarball(let name, let file), .head):
            return try await tarball(name, file: file, request: request, target: try await open(.read))
        case (.package(let name), .put):
            return try await put(name, request: request, target: try await open(.publish), removesMissingVersions: false)
        case (.packageRevision(let name, _), .put):
            return try await put(name, request: request, target: try await open(.publish), removesMissingVersions: true)
        case (.packageRevision(let name, _), .delete):
            return try await unpublishAll(name, target: try await open(.publish))
        case (.tarballRevision(let name, let file, _), .delete):
            return try await deleteTarball(name, file: file, target: try await open(.publish))
        case (.distTags(let name), .get):
            return try await distTags(name, target: try await open(.read))
        case (.distTag(let name, let tag), .put), (.distTag(let name, let tag), .post):
            return try await setDistTag(name, tag: tag, request: request, target: try await open(.publish))
        case (.distTag(let name, let tag), .delete):
            return try await removeDistTag(name, tag: tag, target: try await open(.publish))
        default:
            throw DepotError(.notFound, code: "MethodNotAllowed", "\(method.rawValue) is not supported on this npm endpoint")
        }
    }

    // MARK: Helpers

    static func json(_ object: Any, status: HTTPResponse.Status = .ok, contentType: String = "application/json") -> Response {
        let data = (try? JSONBytes.encode(object)) ?? Array("{}".utf8)
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static var emptyAuditReport: [String: Any] {
        [
        "actions": [Any](), "advisories": [String: Any](), "muted": [Any](),
        "metadata": [
            "vulnerabilities": ["info": 0, "low": 0, "moderate": 0, "high": 0, "critical": 0],
            "dependencies": 0, "devDependencies": 0, "optionalDependencies": 0, "totalDependencies": 0,
        ] as [String: Any],
        ]
    }

    /// Listed versions with their decoded metadata, or all non-disposed ones when `includeUnlisted`.
    func entries(of package: Package, includeUnlisted: Bool) async throws -> [PackumentRenderer.Entry] {
        try await packages.versions(of: package).compactMap { version in
            let visible = includeUnlisted ? version.status != .disposed : version.status.isListed
            guard visible else { return nil }
            return PackumentRenderer.Entry(version: version, metadata: try NpmVersionMetadata(data: version.metadata))
        }
    }

    /// The package as the repository sees it through its upstreams; 404 when no source has a version.
    func requireView(_ name: NpmPackageName, in target: Target) async throws -> PackageView {
        let view = try await upstreams.view(of: name.key, from: target.repository)
        guard !view.isEmpty else {
            throw DepotError.notFound("package \(name) not found", code: "PackageNotFound")
        }
        return view
    }

    /// A renderer over a view: its versions (upstream ones not fetched yet included) and merged tags.
    func renderer(_ name: NpmPackageName, view: PackageView, registryURL: String) throws -> PackumentRenderer {
        let entries = try view.entries.map { entry in
            let version: PackageVersion
            switch entry.source {
            case .stored(_, let stored): version = stored
            case .upstream(let connection, _):
                version = PackageVersion(
                    id: 0, packageID: 0, version: entry.version, status: entry.status,
                    origin: VersionOrigin(type: .external, repository: connection), publishedAt: entry.publishedAt,
                    summary: entry.summary, metadata: entry.metadata)
            }
            return PackumentRenderer.Entry(version: version, metadata: try NpmVersionMetadata(data: entry.metadata))
        }
        let times = entries.map(\.version.publishedAt)
        let package = view.local ?? Package(
            id: 0, repositoryID: 0, key: name.key, originControls: .externalPackage, revision: 0,
            createdAt: times.min() ?? Date(), modifiedAt: times.max() ?? Date())
        return PackumentRenderer(name: name, package: package, entries: entries, tags: view.tags, registryURL: registryURL)
    }

    func requirePackage(_ name: NpmPackageName, in target: Target) async throws -> Package {
        guard let package = try await packages.package(in: target.repository, key: name.key) else {
            throw DepotError.notFound("package \(name) not found", code: "PackageNotFound")
        }
        return package
    }
}
