import DepotCore
import DepotHTTP
import Foundation
import Hummingbird

/// The Cargo sparse registry at `/{domain}/{repo}/cargo/`: the index (`config.json` and one file per crate) and
/// the web API Cargo calls (publish, download, yank, owners, search). One catch-all route per method whose path is
/// parsed by `CargoRoute`, so traversal and malformed names are refused in one place.
public struct CargoController: Sendable {
    let repositories: RepositoryAccess
    let packages: PackageService
    let upstreams: UpstreamService
    /// The write entry point: the body under one limit, origin controls and version policy on publish.
    let uploads: Uploads
    let baseURL: PublicBaseURL
    let maxUploadSize: Int
    let limits: InputLimits
    /// `.crate` GET and HEAD (ETag, Range, 304, the memory cache of small blobs).
    let downloads: BlobDownloads
    /// Rendered index files, tagged with the package view's fingerprint (any change to what they are made of
    /// gives a new one).
    let cache = RenderedDocumentCache()

    public init(
        repositories: RepositoryAccess, packages: PackageService, upstreams: UpstreamService, uploads: Uploads, baseURL: PublicBaseURL,
        maxUploadSize: Int, limits: InputLimits, downloads: BlobDownloads
    ) {
        self.uploads = uploads
        self.repositories = repositories
        self.packages = packages
        self.upstreams = upstreams
        self.baseURL = baseURL
        self.maxUploadSize = maxUploadSize
        self.limits = limits
        self.downloads = downloads
    }

    public static let permissions: [RoutePermission] = [
        RoutePermission(
            .get, "/{domain}/{repo}/cargo/**", .read, .repository, anonymousRead: true,
            note: "`config.json`, index files, downloads, owners, search"),
        RoutePermission(.head, "/{domain}/{repo}/cargo/**", .read, .repository, anonymousRead: true),
        RoutePermission(.put, "/{domain}/{repo}/cargo/**", .publish, .repository, note: "publish (`api/v1/crates/new`), unyank, owners"),
        RoutePermission(.delete, "/{domain}/{repo}/cargo/**", .publish, .repository, note: "yank, owners"),
    ]

    public func addRoutes(to router: Router<DepotRequestContext>) {
        let group = router.group(":domain/:repo/cargo")
        group.get("**", use: handle)
        group.head("**", use: handle)
        group.put("**", use: handle)
        group.delete("**", use: handle)
    }

    /// What a handler needs to know about the request's repository.
    struct Target {
        var domain: String
        var repository: Repository
        /// `<base>/<domain>/<repo>/cargo`, no trailing slash.
        var registryURL: String
    }

    /// (Cargo asks every request to upgrade to h2c; the edge closes such connections after the answer.)
    @Sendable func handle(_ request: Request, context: DepotRequestContext) async throws -> Response {
        try await route(request, context: context)
    }

    private func route(_ request: Request, context: DepotRequestContext) async throws -> Response {
        // The raw path is split by hand: `/{domain}/{repo}/cargo/<rest>`.
        let parts = request.uri.path.split(separator: "/", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 5 else { throw CargoRoute.notFound }
        let domain = String(parts[1])
        let repository = String(parts[2])
        let route = try CargoRoute.parse(rawPath: parts[4])

        func open(_ permission: Permission) async throws -> Target {
            let repo = try await repositories.open(domain: domain, repository: repository, permission: permission, context: context)
            return Target(domain: domain, repository: repo, registryURL: "\(baseURL.resolve(for: request))/\(domain)/\(repo.name)/cargo")
        }

        switch (route, request.method) {
        case (.config, .get), (.config, .head):
            return try configDocument(request: request, target: try await open(.read))
        case (.indexFile(let name), .get), (.indexFile(let name), .head):
            return try await indexFile(name, request: request, target: try await open(.read))
        case (.download(let name, let version), .get), (.download(let name, let version), .head):
            return try await download(name, version: version, request: request, target: try await open(.read))
        case (.search, .get):
            return try await search(request: request, target: try await open(.read))
        case (.owners(let name), .get):
            return try await owners(name, target: try await open(.read))
        case (.publish, .put):
            return try await publish(request: request, target: try await open(.publish))
        case (.yank(let name, let version), .delete):
            return try await setYanked(true, name, version: version, target: try await open(.publish))
        case (.unyank(let name, let version), .put):
            return try await setYanked(false, name, version: version, target: try await open(.publish))
        case (.owners(let name), .put), (.owners(let name), .delete):
            return try await changeOwners(name, adding: request.method == .put, request: request, target: try await open(.publish))
        default:
            throw DepotError(.notFound, code: "MethodNotAllowed", "\(request.method.rawValue) is not supported on this Cargo endpoint")
        }
    }

    static func json(_ object: Any, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes, .sortedKeys])) ?? Data("{}".utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    func requirePackage(_ name: CargoCrateName, in target: Target) async throws -> Package {
        guard let package = try await packages.package(in: target.repository, key: name.key) else {
            throw DepotError.notFound("crate \(name) not found in \(target.domain)/\(target.repository.name)", code: "PackageNotFound")
        }
        return package
    }
}

/// Cargo prints the `detail` of each error it gets.
extension ErrorStyle {
    public static let cargo = ErrorStyle.json { ["errors": [["detail": $0.message]]] }
}
