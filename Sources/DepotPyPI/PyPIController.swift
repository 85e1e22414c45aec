import CompressNIO
import Crypto
import DepotCore
import DepotHTTP
import Foundation
import Hummingbird

/// The PyPI endpoints of a repository: the simple index (PEP 503/691/658/700/714), file downloads and
/// the twine upload API, plus yank/unyank in the management API.
public struct PyPIController: Sendable {
    let repositories: RepositoryAccess
    let packages: PackageService
    let baseURL: PublicBaseURL
    let maxUploadSize: Int
    let inspector = DistributionInspector()

    public init(repositories: RepositoryAccess, packages: PackageService, baseURL: PublicBaseURL, maxUploadSize: Int) {
        self.repositories = repositories
        self.packages = packages
        self.baseURL = baseURL
        self.maxUploadSize = maxUploadSize
    }

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
        let summaries = try await packages.listPackages(in: target.repository, filter: PackageFilter(format: PyPIFormat.id))
        let list = SimpleProjectList(projects: summaries.filter { $0.latestVersion != nil }.map(\.package.key.name))
        return Self.page(type.isJSON ? list.json() : list.html(), type: type, request: request)
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
        guard let package = try await packages.package(in: target.repository, key: Self.key(project)) else {
            throw DepotError.notFound("project \(project.normalized) not found", code: "PackageNotFound")
        }
        let byVersion = try await packages.assetsByVersion(of: package)
        var files: [SimpleIndexFile] = []
        var versions: [String] = []
        for version in try await packages.versions(of: package) where version.status.isListed {
            let metadata = try PyPIVersionMetadata(data: version.metadata)
            let assets = Dictionary(uniqueKeysWithValues: (byVersion[version.id] ?? []).map { ($0.name, $0) })
            versions.append(version.version)
            for (filename, file) in metadata.files.sorted(by: { $0.key < $1.key }) {
                guard let asset = assets[filename] else { continue }
                files.append(
                    SimpleIndexFile(
                        filename: filename,
                        url: "\(target.repositoryURL)/files/\(project.normalized)/\(version.version)/\(filename)",
                        sha256: asset.digests.sha256, size: asset.digests.size, uploadTime: file.uploadTime,
                        version: version.version, requiresPython: file.requiresPython,
                        metadataSHA256: file.hasMetadata ? assets[filename + ".metadata"]?.digests.sha256 : nil,
                        yankedReason: file.yanked ? .some(file.yankedReason) : nil))
            }
        }
        guard !versions.isEmpty else { throw DepotError.notFound("project \(project.normalized) has no available versions", code: "PackageNotFound") }
        let page = SimpleProjectPage(name: project.normalized, files: files, versions: versions)
        return Self.page(type.isJSON ? page.json() : page.html(), type: type, request: request)
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
        guard let package = try await packages.package(in: target.repository, key: Self.key(project)),
            let version = try? await packages.requireVersion(of: package, versionName), version.status.isDownloadable,
            let asset = try await packages.assets(of: version).first(where: { $0.name == filename })
        else {
            throw DepotError.notFound("no file \(filename) in \(project.normalized) \(versionName)", code: "FileNotFound")
        }
        var headers = HTTPFields()
        headers[.contentType] = filename.hasSuffix(".metadata") ? "text/plain; charset=utf-8" : "application/octet-stream"
        headers[.eTag] = "\"\(asset.digests.sha256)\""
        headers[.cacheControl] = "public, max-age=31536000, immutable"
        return BodyStreaming.response(for: try packages.openBlob(asset), headers: headers)
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
        var headers = HTTPFields()
        headers[.contentType] = type.contentType
        headers[.vary] = "Accept, Accept-Encoding"
        headers[.cacheControl] = "no-cache"
        let etag = "\"" + String(Hex.encode(SHA256.hash(data: Data(text.utf8))).prefix(32)) + "\""
        headers[.eTag] = etag
        if request.headers[.ifNoneMatch] == etag { return Response(status: .notModified, headers: headers) }
        var body = ByteBuffer(string: text)
        if body.readableBytes > 1024, (request.headers[.acceptEncoding] ?? "").contains("gzip"),
            let gzipped = try? body.compress(with: .gzip())
        {
            headers[.contentEncoding] = "gzip"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: gzipped))
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }
}
