import DepotCore
import DepotHTTP
import Foundation
import HTTPTypes
import Hummingbird

/// The Swift package registry (the registry service spec, API version 1) at `/{domain}/{repo}/swift/`: release
/// listings, release metadata, manifests, source archives, the identifiers lookup, publishing and the login probe.
/// Every answer carries `Content-Version: 1` and errors are problem details (`ContentVersionMiddleware`).
public struct SwiftRegistryController: Sendable {
    let repositories: RepositoryAccess
    let packages: PackageService
    let upstreams: UpstreamService
    /// The write entry point: the body under the size limit, writers owned per upload, origin control on publish.
    let uploads: Uploads
    let baseURL: PublicBaseURL
    let maxUploadSize: Int
    let limits: InputLimits
    let downloads: BlobDownloads
    let inspector: SourceArchiveInspector
    /// Release listings and release metadata, current while the package view they were rendered from is unchanged.
    let documents = RenderedDocumentCache(budget: 32 << 20)
    /// Moves with every change: identifier lookups are answered from a listing, which is not cached.
    let changes: ChangeCounter

    public init(
        repositories: RepositoryAccess, packages: PackageService, upstreams: UpstreamService, uploads: Uploads, baseURL: PublicBaseURL,
        maxUploadSize: Int, limits: InputLimits, downloads: BlobDownloads, changes: ChangeCounter
    ) {
        self.repositories = repositories
        self.packages = packages
        self.upstreams = upstreams
        self.uploads = uploads
        self.baseURL = baseURL
        self.maxUploadSize = maxUploadSize
        self.limits = limits
        self.downloads = downloads
        self.changes = changes
        inspector = SourceArchiveInspector(maxEntries: limits.maxArchiveEntries, maxExpandedSize: limits.maxDecompressedSize)
    }

    public static let permissions: [RoutePermission] = {
        let prefix = "/{domain}/{repo}/swift"
        var all: [RoutePermission] = []
        for path in ["/identifiers", "/{scope}/{name}", "/{scope}/{name}/{version}", "/{scope}/{name}/{version}/Package.swift"] {
            all.append(RoutePermission(.get, prefix + path, .read, .repository, anonymousRead: true))
            all.append(RoutePermission(.head, prefix + path, .read, .repository, anonymousRead: true))
        }
        all.append(RoutePermission(.put, prefix + "/{scope}/{name}/{version}", .publish, .repository))
        for path in ["", "/login"] {
            all.append(
                RoutePermission(
                    .post, prefix + path, .read, .repository,
                    note: "`swift package-registry login`: answers 200 to a valid token, never anonymously"))
        }
        return all
    }()

    public func addRoutes(to router: Router<DepotRequestContext>) {
        let group = router.group(":domain/:repo/swift").add(middleware: ContentVersionMiddleware())
        group.get("identifiers", use: identifiers)
        group.head("identifiers", use: identifiers)
        group.get(":scope/:name", use: releases)
        group.head(":scope/:name", use: releases)
        group.get(":scope/:name/:version", use: release)
        group.head(":scope/:name/:version", use: release)
        group.get(":scope/:name/:version/Package.swift", use: manifest)
        group.head(":scope/:name/:version/Package.swift", use: manifest)
        group.put(":scope/:name/:version", use: publish)
        group.post("", use: login)
        group.post("login", use: login)
    }

    /// The repository of a request and the registry URL clients were given for it.
    struct Target {
        var repository: Repository
        var registryURL: String

        func releaseURL(_ identity: SwiftPackageIdentity, _ version: String) -> String {
            "\(registryURL)/\(identity.scope)/\(identity.name)/\(version)"
        }
    }

    func open(_ context: DepotRequestContext, request: Request, permission: Permission) async throws -> Target {
        let domain = try context.parameters.require("domain")
        let name = try context.parameters.require("repo")
        let repository = try await repositories.open(domain: domain, repository: name, permission: permission, context: context)
        return Target(repository: repository, registryURL: "\(baseURL.resolve(for: request))/\(domain)/\(repository.name)/swift")
    }

    /// `scope` and `name` of the path; `name` may carry the `.json` extension the spec allows on listings.
    static func identity(_ context: DepotRequestContext, allowingJSONExtension: Bool = false) throws -> SwiftPackageIdentity {
        let scope = try context.parameters.require("scope")
        var name = try context.parameters.require("name")
        if allowingJSONExtension, name.hasSuffix(".json") { name = String(name.dropLast(5)) }
        return try SwiftPackageIdentity(scope: scope, name: name)
    }

    /// `POST /` (the path SwiftPM's `login` posts to: the registry URL's own) and `POST /login`: 200 for a token
    /// that may read the repository, 401 without one.
    @Sendable func login(_ request: Request, context: DepotRequestContext) async throws -> Response {
        guard context.identity != nil else { throw DepotError.unauthorized("log in with a Depot token (--token)") }
        _ = try await open(context, request: request, permission: .read)
        return Response(status: .ok)
    }

    static func json(_ object: Any, status: HTTPResponse.Status = .ok, headers: HTTPFields = HTTPFields()) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static let linkHeader = HTTPField.Name("Link")!
    static let digestHeader = HTTPField.Name("Digest")!
    static let signatureFormatHeader = HTTPField.Name("X-Swift-Package-Signature-Format")!
    static let signatureHeader = HTTPField.Name("X-Swift-Package-Signature")!
}
