import DepotCore
import DepotHTTP
import Foundation
import Hummingbird

/// CodeArtifact's rest-json operations on Depot's domains, repositories and packages: the same services and the same
/// authorization policy as the management API, CodeArtifact's shapes, ARNs and errors.
struct CodeArtifactController {
    typealias Shapes = CodeArtifactShapes
    static let prefix = "/api/aws/codeartifact"

    let repositories: RepositoryService
    let packages: PackageService
    let access: AccessService
    let policy: AuthorizationPolicy
    let modules: [FormatModule]
    let baseURL: PublicBaseURL
    let accountID: String

    static let permissions: [RoutePermission] = {
        let v1 = prefix + "/v1"
        return [
            RoutePermission(.post, "\(v1)/domain", .admin, .domains, note: "CreateDomain"),
            RoutePermission(.get, "\(v1)/domain", .read, .domain, note: "DescribeDomain"),
            RoutePermission(.delete, "\(v1)/domain", .admin, .domains, note: "DeleteDomain"),
            RoutePermission(.post, "\(v1)/domains", .read, .domains, note: "ListDomains: the domains the key's token covers"),
            RoutePermission(.post, "\(v1)/repository", .admin, .domain, note: "CreateRepository; upstreams: `admin` on the whole domain"),
            RoutePermission(.get, "\(v1)/repository", .read, .repository, note: "DescribeRepository"),
            RoutePermission(.put, "\(v1)/repository", .admin, .repository, note: "UpdateRepository; upstreams: `admin` on the whole domain"),
            RoutePermission(.delete, "\(v1)/repository", .admin, .repository, note: "DeleteRepository"),
            RoutePermission(.post, "\(v1)/repositories", .read, .domains, note: "ListRepositories: those the key's token covers"),
            RoutePermission(.post, "\(v1)/domain/repositories", .read, .domain, note: "ListRepositoriesInDomain"),
            RoutePermission(.post, "\(v1)/repository/external-connection", .admin, .repositorySettings, note: "AssociateExternalConnection"),
            RoutePermission(.delete, "\(v1)/repository/external-connection", .admin, .repositorySettings, note: "DisassociateExternalConnection"),
            RoutePermission(
                .post, "\(v1)/authorization-token", .read, .domain,
                note: "GetAuthorizationToken: a Depot token no broader than the key's and expiring no later"),
            RoutePermission(.get, "\(v1)/repository/endpoint", .read, .repository, note: "GetRepositoryEndpoint"),
            RoutePermission(.post, "\(v1)/packages", .read, .repository, note: "ListPackages"),
            RoutePermission(.get, "\(v1)/package", .read, .repository, note: "DescribePackage"),
            RoutePermission(.post, "\(v1)/package", .admin, .repository, note: "PutPackageOriginConfiguration"),
            RoutePermission(.post, "\(v1)/package/versions", .read, .repository, note: "ListPackageVersions"),
            RoutePermission(.get, "\(v1)/package/version", .read, .repository, note: "DescribePackageVersion"),
            RoutePermission(.post, "\(v1)/package/version/assets", .read, .repository, note: "ListPackageVersionAssets"),
            RoutePermission(.get, "\(v1)/package/version/asset", .read, .repository, note: "GetPackageVersionAsset"),
            RoutePermission(.post, "\(v1)/package/versions/update_status", .publish, .repository, note: "UpdatePackageVersionsStatus"),
            RoutePermission(
                .post, "\(v1)/package/versions/copy", .publish, .repository,
                note: "CopyPackageVersions: `read` on the source repository, `publish` on the destination"),
            RoutePermission(.post, "\(v1)/package/versions/delete", .publish, .repository, note: "DeletePackageVersions"),
            RoutePermission(.post, "\(v1)/package/versions/dispose", .publish, .repository, note: "DisposePackageVersions"),
        ] + tagPermissions
    }()

    func addRoutes(to group: RouterGroup<DepotRequestContext>) {
        group.post("v1/domain", use: createDomain)
        group.get("v1/domain", use: describeDomain)
        group.delete("v1/domain", use: deleteDomain)
        group.post("v1/domains", use: listDomains)
        group.post("v1/repository", use: createRepository)
        group.get("v1/repository", use: describeRepository)
        group.put("v1/repository", use: updateRepository)
        group.delete("v1/repository", use: deleteRepository)
        group.post("v1/repositories", use: listRepositories)
        group.post("v1/domain/repositories", use: listRepositoriesInDomain)
        group.post("v1/repository/external-connection", use: associateExternalConnection)
        group.delete("v1/repository/external-connection", use: disassociateExternalConnection)
        group.post("v1/authorization-token", use: authorizationToken)
        group.get("v1/repository/endpoint", use: repositoryEndpoint)
        addPackageRoutes(to: group)
        addTagRoutes(to: group)
    }

    // MARK: Domains

    @Sendable func createDomain(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let input = try AWSInput.read(request, context: context)
        try policy.authorize(context.identity, .admin, on: .domains)
        let name = try input.required("domain")
        try Self.validateDomainName(name)
        let domain = try await repositories.createDomain(name: name, tags: try input.tags())
        return try AWSJSON.response(["domain": try await describe(domain, region: input.region)])
    }

    @Sendable func describeDomain(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let input = try AWSInput.read(request, context: context)
        let name = try input.required("domain")
        try policy.authorize(context.identity, .read, on: .domain(name))
        let domain = try await repositories.domain(named: name)
        return try AWSJSON.response(["domain": try await describe(domain, region: input.region)])
    }

    @Sendable func deleteDomain(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let input = try AWSInput.read(request, context: context)
        try policy.authorize(context.identity, .admin, on: .domains)
        let name = try input.required("domain")
        let description = try await describe(try await repositories.domain(named: name), region: input.region)
        try await repositories.deleteDomain(name: name)
        return try AWSJSON.response(["domain": description])
    }

    @Sendable func listDomains(_ request: Request, context: DepotRequestContext) async throws -> Response {
        struct Body: Encodable {
            var domains: [Shapes.DomainDescription]
            var nextToken: String?
        }
        let input = try AWSInput.read(request, context: context)
        try policy.authorize(context.identity, .read, on: .domains)
        let names = context.identity?.scope.domain.map { [$0] }
        let page = try await repositories.listDomains(names: names, page: try input.page(listing: "domains"))
        let visible = page.items.filter { policy.permits(context.identity, .read, on: .domain($0.name)) }
        return try AWSJSON.response(Body(
            domains: visible.map {
                Shapes.DomainDescription(name: $0.name, owner: accountID, arn: arn(domain: $0.name, region: input.region), createdTime: $0.createdAt)
            },
            nextToken: page.next?.token))
    }

    private func describe(_ domain: Domain, region: String) async throws -> Shapes.DomainDescription {
        let count = try await repositories.listRepositories(domain: domain.name).count
        return Shapes.DomainDescription(
            name: domain.name, owner: accountID, arn: arn(domain: domain.name, region: region), createdTime: domain.createdAt,
            repositoryCount: count)
    }

    // MARK: Repositories

    @Sendable func createRepository(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let input = try AWSInput.read(request, context: context)
        let domain = try input.required("domain")
        try policy.authorize(context.identity, .admin, on: .domain(domain))
        let settings = RepositorySettings(description: try input.string("description"), upstreams: try Self.upstreams(input))
        if settings.changesReach(of: nil) { try policy.authorize(context.identity, .admin, on: .repositorySettings(domain: domain)) }
        let repository = try await repositories.createRepository(
            domain: domain, name: try input.required("repository"), settings: settings, tags: try input.tags())
        return try AWSJSON.response(["repository": describe(repository, domain: domain, region: input.region)])
    }

    @Sendable func describeRepository(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let (domain, repository, input) = try await open(request, context: context, permission: .read)
        return try AWSJSON.response(["repository": describe(repository, domain: domain, region: input.region)])
    }

    @Sendable func updateRepository(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let (domain, repository, input) = try await open(request, context: context, permission: .admin)
        let settings = RepositorySettings(description: try input.string("description"), upstreams: try Self.upstreams(input))
        if settings.changesReach(of: repository) {
            try policy.authorize(context.identity, .admin, on: .repositorySettings(domain: domain))
        }
        let updated = try await repositories.updateRepository(domain: domain, name: repository.name, settings: settings)
        return try AWSJSON.response(["repository": describe(updated, domain: domain, region: input.region)])
    }

    @Sendable func deleteRepository(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let (domain, repository, input) = try await open(request, context: context, permission: .admin)
        try await repositories.deleteRepository(domain: domain, name: repository.name)
        return try AWSJSON.response(["repository": describe(repository, domain: domain, region: input.region)])
    }

    @Sendable func listRepositoriesInDomain(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let input = try AWSInput.read(request, context: context)
        let domain = try input.required("domain")
        try policy.authorize(context.identity, .read, on: .domain(domain))
        let page = try await repositories.listRepositories(
            domain: domain, names: context.identity?.scope.repositories, prefix: input.optional("repository-prefix"),
            page: try input.page(listing: "repositories"))
        return try repositoryPage(page.map { ListedRepository(domain: domain, repository: $0) }, input: input, context: context)
    }

    /// The repositories of every domain the key's token covers, paged in SQL by domain and repository name.
    @Sendable func listRepositories(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let input = try AWSInput.read(request, context: context)
        try policy.authorize(context.identity, .read, on: .domains)
        let scope = context.identity?.scope
        let filter = RepositoryFilter(
            domains: scope?.domain.map { [$0] }, names: scope?.repositories, prefix: input.optional("repository-prefix"))
        let page = try await repositories.listRepositories(filter, page: try input.page(listing: "repositories"))
        return try repositoryPage(page, input: input, context: context)
    }

    /// RepositorySummary pages. The store narrowed them to what the token covers; the policy has the last word.
    private func repositoryPage(_ page: Page<ListedRepository>, input: AWSInput, context: DepotRequestContext) throws -> Response {
        struct Body: Encodable {
            var repositories: [Shapes.RepositoryDescription]
            var nextToken: String?
        }
        let visible = page.items.filter { policy.permits(context.identity, .read, on: .repository(domain: $0.domain, name: $0.repository.name)) }
        let summaries = visible.map { listed in
            var summary = describe(listed.repository, domain: listed.domain, region: input.region)
            (summary.upstreams, summary.externalConnections) = (nil, nil)
            return summary
        }
        return try AWSJSON.response(Body(repositories: summaries, nextToken: page.next?.token))
    }

    @Sendable func associateExternalConnection(_ request: Request, context: DepotRequestContext) async throws -> Response {
        try await setExternalConnection(request, context: context, associate: true)
    }

    @Sendable func disassociateExternalConnection(_ request: Request, context: DepotRequestContext) async throws -> Response {
        try await setExternalConnection(request, context: context, associate: false)
    }

    private func setExternalConnection(_ request: Request, context: DepotRequestContext, associate: Bool) async throws -> Response {
        let input = try AWSInput.read(request, context: context)
        let domain = try input.required("domain")
        try policy.authorize(context.identity, .admin, on: .repositorySettings(domain: domain))
        let repository = try await repositories.repository(domain: domain, name: try input.required("repository"))
        let connection = try input.required("external-connection")
        if associate {
            if let existing = repository.externalConnection, existing != connection {
                throw AWSError("ServiceQuotaExceededException", status: HTTPResponse.Status(code: 402),
                    "repository '\(repository.name)' already has the external connection '\(existing)' (one per repository)")
            }
        } else if repository.externalConnection != connection {
            throw AWSError.notFound("repository '\(repository.name)' has no external connection '\(connection)'")
        }
        let settings = RepositorySettings(externalConnection: .some(associate ? connection : nil))
        let updated = try await repositories.updateRepository(domain: domain, name: repository.name, settings: settings)
        return try AWSJSON.response(["repository": describe(updated, domain: domain, region: input.region)])
    }

    // MARK: Tokens and endpoints

    /// A Depot token with the key's own scope narrowed to the domain, for npm, pip, twine and mvn.
    @Sendable func authorizationToken(_ request: Request, context: DepotRequestContext) async throws -> Response {
        struct Body: Encodable {
            var authorizationToken: String
            var expiration: Date?
        }
        let input = try AWSInput.read(request, context: context)
        let domain = try input.required("domain")
        try policy.authorize(context.identity, .read, on: .domain(domain))
        guard let identity = context.identity else { throw AWSError.missingAuthentication }
        _ = try await repositories.domain(named: domain)
        var duration: TimeInterval?
        if let raw = input.optional("duration") {
            guard let seconds = Int(raw), seconds == 0 || (900...43200).contains(seconds) else {
                throw AWSError.validation("durationSeconds must be 0 or from 900 to 43200")
            }
            // 0: as long as the caller's credentials last, which the token's own expiry cuts to anyway.
            duration = seconds == 0 ? nil : TimeInterval(seconds)
        }
        let scope = TokenScope(domain: domain, repositories: identity.scope.repositories, permissions: identity.scope.permissions)
        let (record, secret) = try await access.createToken(by: identity, scope: scope, durationSeconds: duration, name: nil)
        return try AWSJSON.response(Body(authorizationToken: secret, expiration: record.expiresAt))
    }

    @Sendable func repositoryEndpoint(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let (domain, repository, input) = try await open(request, context: context, permission: .read)
        let format = try input.required("format")
        guard let module = modules.first(where: { $0.format.id == format }) else {
            throw AWSError.validation("format '\(format)' is not served here (\(modules.map(\.format.id).joined(separator: ", ")))")
        }
        // CodeArtifact's endpoint is the format's root (pip appends `simple/`, twine uploads to it).
        let url = "\(baseURL.resolve(for: request))/\(domain)/\(repository.name)/\(module.segment)/"
        return try AWSJSON.response(["repositoryEndpoint": url])
    }

    // MARK: Helpers

    /// Authorizes `permission` on the `domain`/`repository` of the query, then looks the repository up.
    func open(_ request: Request, context: DepotRequestContext, permission: Permission) async throws -> (String, Repository, AWSInput) {
        let input = try AWSInput.read(request, context: context)
        let domain = try input.required("domain")
        let name = try input.required("repository")
        // Before the lookup: without the right, an unknown repository and a forbidden one look the same.
        try policy.authorize(context.identity, permission, on: .repository(domain: domain, name: name))
        return (domain, try await repositories.repository(domain: domain, name: name), input)
    }

    func describe(_ repository: Repository, domain: String, region: String) -> Shapes.RepositoryDescription {
        Shapes.RepositoryDescription(
            name: repository.name, administratorAccount: accountID, domainName: domain, domainOwner: accountID,
            arn: CodeArtifactARN(region: region, accountID: accountID, domain: domain, repository: repository.name).text,
            description: repository.description, upstreams: repository.upstreams.map(Shapes.Upstream.init),
            externalConnections: repository.externalConnection.map { name in
                [Shapes.ExternalConnection(
                    externalConnectionName: name, packageFormat: modules.first { $0.externalConnection?.name == name }?.format.id)]
            } ?? [],
            createdTime: repository.createdAt)
    }

    private func arn(domain: String, region: String) -> String { CodeArtifactARN(region: region, accountID: accountID, domain: domain).text }

    /// `upstreams: [{"repositoryName"}]` of CreateRepository and UpdateRepository.
    private static func upstreams(_ input: AWSInput) throws -> [String]? {
        guard let value = input.body["upstreams"] else { return nil }
        guard let list = value as? [[String: Any]], list.count <= 10 else {
            throw AWSError.validation("upstreams must be a list of at most 10 {\"repositoryName\"} objects")
        }
        return try list.map { item in
            guard let name = item["repositoryName"] as? String else { throw AWSError.validation("each upstream needs a repositoryName") }
            return name
        }
    }

    /// CodeArtifact's domain names are narrower than Depot's: lowercase letters, digits and `-`, starting with a letter.
    static func validateDomainName(_ name: String) throws {
        let bytes = Array(name.utf8)
        let allowed = bytes.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-") }
        guard allowed, (2...50).contains(bytes.count), let first = bytes.first, first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z"),
            bytes.last != UInt8(ascii: "-")
        else {
            throw AWSError.validation("domain name '\(name)' must match [a-z][a-z0-9\\-]{0,48}[a-z0-9]")
        }
    }
}
