import DepotCore
import DepotHTTP
import Foundation
import Hummingbird

/// `/api/v1/domains/{d}/repositories/{r}/packages/...` and `/api/v1/domains/{d}/copy`.
struct PackageController {
    let repositories: RepositoryService
    let packages: PackageService
    let policy: AuthorizationPolicy
    let formats: FormatRegistry

    static let permissions: [RoutePermission] = {
        let base = "/api/v1/domains/{domain}/repositories/{repo}/packages"
        return [
            RoutePermission(.get, base, .read, .repository),
            RoutePermission(.get, "\(base)/{format}/{package}", .read, .repository),
            RoutePermission(.put, "\(base)/{format}/{package}/origin", .admin, .repository),
            RoutePermission(.get, "\(base)/{format}/{package}/versions", .read, .repository),
            RoutePermission(.get, "\(base)/{format}/{package}/versions/{version}", .read, .repository),
            RoutePermission(.patch, "\(base)/{format}/{package}/versions/{version}", .publish, .repository),
            RoutePermission(.delete, "\(base)/{format}/{package}/versions/{version}", .publish, .repository),
            RoutePermission(.post, "\(base)/{format}/{package}/versions/{version}/dispose", .publish, .repository),
            RoutePermission(.post, "\(base)/{format}/{package}/versions/{version}/yank", .publish, .repository),
            RoutePermission(.delete, "\(base)/{format}/{package}/versions/{version}/yank", .publish, .repository),
            RoutePermission(
                .post, "/api/v1/domains/{domain}/copy", .publish, .repository,
                note: "`read` on the source repository, `publish` on the destination"),
        ]
    }()

    func addRoutes(to group: RouterGroup<DepotRequestContext>) {
        let base = "domains/:domain/repositories/:repo/packages"
        group.get(RouterPath(stringLiteral: base), use: list)
        group.get(RouterPath(stringLiteral: "\(base)/:format/:package"), use: describe)
        group.put(RouterPath(stringLiteral: "\(base)/:format/:package/origin"), use: setOrigin)
        group.get(RouterPath(stringLiteral: "\(base)/:format/:package/versions"), use: versions)
        group.get(RouterPath(stringLiteral: "\(base)/:format/:package/versions/:version"), use: describeVersion)
        group.patch(RouterPath(stringLiteral: "\(base)/:format/:package/versions/:version"), use: setStatus)
        group.delete(RouterPath(stringLiteral: "\(base)/:format/:package/versions/:version"), use: deleteVersion)
        group.post(RouterPath(stringLiteral: "\(base)/:format/:package/versions/:version/dispose"), use: dispose)
        group.post(RouterPath(stringLiteral: "\(base)/:format/:package/versions/:version/yank"), use: yank)
        group.delete(RouterPath(stringLiteral: "\(base)/:format/:package/versions/:version/yank"), use: unyank)
        group.post("domains/:domain/copy", use: copy)
    }

    @Sendable func list(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let (_, repository) = try await open(context, permission: .read)
        let query = request.uri.queryParameters
        let formatID = query["format"].map(String.init)
        if let formatID { _ = try formats.format(formatID) }
        let page = try await packages.listPackages(
            in: repository,
            filter: PackageFilter(
                format: formatID, namespace: query["namespace"].map(String.init), prefix: query["prefix"].map(String.init)),
            page: try APIPaging.page(of: request))
        return try APIPaging.response(
            "packages",
            page.items.map { summary in render(summary.package, latest: summary.latestVersion, count: summary.versionCount, tags: nil) },
            next: page.next)
    }

    @Sendable func describe(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let (_, repository) = try await open(context, permission: .read)
        let package = try await package(in: repository, context: context)
        let versions = try await packages.versions(of: package)
        let tags = try await packages.tags(of: package)
        let format = try formats.format(package.key.format)
        let latest = tags["latest"] ?? versions.filter { $0.status == .published }.map(\.version)
            .max { format.isOlder($0, than: $1) }
        return try APIJSON.response(render(package, latest: latest, count: versions.count, tags: tags))
    }

    @Sendable func setOrigin(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let (_, repository) = try await open(context, permission: .admin)
        let body = try await APIJSON.decode(OriginRequest.self, from: request, context: context)
        guard let publish = OriginRestriction(rawValue: body.publish.uppercased()),
            let upstream = OriginRestriction(rawValue: body.upstream.uppercased())
        else {
            throw DepotError.badRequest("publish and upstream must each be ALLOW or BLOCK", code: "InvalidOriginControls")
        }
        let controls = OriginControls(publish: publish, upstream: upstream)
        let format = try formats.format(try APIJSON.parameter(context, "format"))
        let key = try format.packageKey(fromDisplayName: try APIJSON.parameter(context, "package"))
        // Controls may be set before a first version exists: that is how a name an upstream also has is claimed.
        let package = try await packages.ensurePackage(in: repository, key: key, controls: controls)
        try await packages.setOriginControls(controls, of: package)
        let updated = try await packages.requirePackage(in: repository, key: package.key)
        return try APIJSON.response(render(updated, latest: nil, count: nil, tags: nil))
    }

    @Sendable func versions(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let (_, repository) = try await open(context, permission: .read)
        let package = try await package(in: repository, context: context)
        let status = try request.uri.queryParameters["status"].map(String.init).map { wanted in
            guard let status = VersionStatus(caseInsensitive: wanted) else {
                throw DepotError.badRequest("unknown status '\(wanted)'", code: "InvalidStatus")
            }
            return status
        }
        // By publication time, oldest first (CodeArtifact's PUBLISHED_TIME order): an order SQL can page.
        let page = try await packages.listVersions(of: package, status: status, page: try APIPaging.page(of: request))
        return try APIPaging.response("versions", page.items.map { render($0, of: package, assets: nil) }, next: page.next)
    }

    @Sendable func describeVersion(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let (_, repository) = try await open(context, permission: .read)
        let package = try await package(in: repository, context: context)
        let version = try await packages.requireVersion(of: package, try APIJSON.parameter(context, "version"))
        return try APIJSON.response(render(version, of: package, assets: try await packages.assets(of: version)))
    }

    @Sendable func setStatus(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let (_, repository) = try await open(context, permission: .publish)
        let package = try await package(in: repository, context: context)
        let versionName = try APIJSON.parameter(context, "version")
        let body = try await APIJSON.decode(VersionStatusRequest.self, from: request, context: context)
        guard let status = VersionStatus(caseInsensitive: body.status) else {
            throw DepotError.badRequest(
                "status must be one of Published, Unlisted, Archived", code: "InvalidStatus")
        }
        try await packages.setStatus(status, of: versionName, in: package)
        let version = try await packages.requireVersion(of: package, versionName)
        return try APIJSON.response(render(version, of: package, assets: nil))
    }

    @Sendable func deleteVersion(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let (_, repository) = try await open(context, permission: .publish)
        let package = try await package(in: repository, context: context)
        try await packages.deleteVersion(try APIJSON.parameter(context, "version"), of: package)
        return try APIJSON.response(OK())
    }

    @Sendable func dispose(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let (_, repository) = try await open(context, permission: .publish)
        let package = try await package(in: repository, context: context)
        let versionName = try APIJSON.parameter(context, "version")
        try await packages.disposeVersion(versionName, of: package)
        let version = try await packages.requireVersion(of: package, versionName)
        return try APIJSON.response(render(version, of: package, assets: []))
    }

    /// `POST .../yank` `{"reason"?, "file"?}` (an empty body yanks the whole version) and `DELETE .../yank[?file=]`,
    /// for every format that yanks (PyPI, Cargo).
    @Sendable func yank(_ request: Request, context: DepotRequestContext) async throws -> Response {
        struct Body: Decodable {
            var reason: String?
            var file: String?
        }
        let (_, repository) = try await open(context, permission: .publish)
        let raw = try await BodyStreaming.collectJSON(request, limit: 64 * 1024, limits: context.limits)
        guard let body = raw.isEmpty ? Body() : try? JSONDecoder().decode(Body.self, from: raw) else {
            throw DepotError.badRequest("malformed JSON body: expected {\"reason\"?, \"file\"?}", code: "MalformedBody")
        }
        return try await setYanked(YankChange(yanked: true, reason: body.reason, file: body.file), repository: repository, context: context)
    }

    @Sendable func unyank(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let (_, repository) = try await open(context, permission: .publish)
        let file = request.uri.queryParameters["file"].map(String.init)
        return try await setYanked(YankChange(yanked: false, file: file), repository: repository, context: context)
    }

    private func setYanked(_ change: YankChange, repository: Repository, context: DepotRequestContext) async throws -> Response {
        let package = try await package(in: repository, context: context)
        let outcome = try await packages.setYanked(change, of: try APIJSON.parameter(context, "version"), in: package)
        return try APIJSON.response(
            YankResponse(
                format: package.key.format, package: try formats.format(package.key.format).displayName(of: package.key),
                version: outcome.version, files: outcome.files.sorted { $0.key < $1.key }.map { .init(file: $0.key, yanked: $0.value) }))
    }

    @Sendable func copy(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let domain = try APIJSON.parameter(context, "domain")
        // Authentication before the body is read, rights before the repositories are looked up: no 404/401 oracle.
        try policy.authorize(context.identity, .read, on: .domain(domain))
        let body = try await APIJSON.decode(CopyRequest.self, from: request, context: context)
        try policy.authorize(context.identity, .read, on: .repository(domain: domain, name: body.sourceRepository))
        try policy.authorize(context.identity, .publish, on: .repository(domain: domain, name: body.destinationRepository))
        let source = try await repositories.repository(domain: domain, name: body.sourceRepository)
        let destination = try await repositories.repository(domain: domain, name: body.destinationRepository)
        guard !body.versions.isEmpty else { throw DepotError.badRequest("versions must not be empty", code: "MalformedBody") }
        let key = try formats.format(body.format).packageKey(fromDisplayName: body.package)
        let result = try await packages.copy(key: key, versions: body.versions, from: source, to: destination)
        return try APIJSON.response(
            CopyResponse(
                successfulVersions: result.copied,
                failedVersions: result.failed.mapValues { CopyResponse.Failure(code: $0.code, message: $0.message) }))
    }

    // MARK: Helpers

    private func open(_ context: DepotRequestContext, permission: Permission) async throws -> (String, Repository) {
        let domain = try APIJSON.parameter(context, "domain")
        let name = try APIJSON.parameter(context, "repo")
        // Before the lookup: without the right, an unknown repository and a forbidden one look the same.
        try policy.authorize(context.identity, permission, on: .repository(domain: domain, name: name))
        return (domain, try await repositories.repository(domain: domain, name: name))
    }

    private func package(in repository: Repository, context: DepotRequestContext) async throws -> Package {
        let format = try formats.format(try APIJSON.parameter(context, "format"))
        let key = try format.packageKey(fromDisplayName: try APIJSON.parameter(context, "package"))
        return try await packages.requirePackage(in: repository, key: key)
    }

    private func render(_ package: Package, latest: String?, count: Int?, tags: [String: String]?) -> PackageResponse {
        let display = (try? formats.format(package.key.format).displayName(of: package.key)) ?? package.key.name
        return PackageResponse(
            format: package.key.format, namespace: package.key.namespace.isEmpty ? nil : package.key.namespace,
            name: package.key.name, package: display, originConfiguration: package.originControls, latestVersion: latest,
            versionCount: count, tags: tags, createdAt: package.createdAt, modifiedAt: package.modifiedAt)
    }

    private func render(_ version: PackageVersion, of package: Package, assets: [Asset]?) -> VersionResponse {
        let display = (try? formats.format(package.key.format).displayName(of: package.key)) ?? package.key.name
        return VersionResponse(
            package: display, format: package.key.format, version: version.version, status: version.status.rawValue,
            origin: version.origin, publishedAt: version.publishedAt, summary: version.summary,
            assets: assets?.map(AssetResponse.init))
    }
}
