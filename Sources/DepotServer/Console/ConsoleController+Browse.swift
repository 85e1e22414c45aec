import DepotCore
import DepotHTTP
import Foundation
import Hummingbird

/// Reading pages: a domain's repositories, a repository (its upstream graph, endpoints and packages), a package,
/// a version, the upstream cache. Each checks its right before it looks anything up.
extension ConsoleController {
    static let packagesPerPage = 50

    @Sendable func domain(_ request: Request, context: DepotRequestContext) async throws -> Response {
        await page(request, context) { caller in
            let domain = try Self.parameter(context, "domain")
            try policy.authorize(caller.identity, .read, on: .domain(domain))
            _ = try await repositories.domain(named: domain)
            let page = try await repositories.listRepositories(
                domain: domain, names: caller.identity?.scope.repositories, page: PageRequest(limit: 200))
            let visible = page.items.filter { policy.permits(caller.identity, .read, on: .repository(domain: domain, name: $0.name)) }
            let rows: [[String: Any]] = visible.map { repository in
                [
                    "name": repository.name, "description": repository.description,
                    "href": "/ui/domains/\(Self.segment(domain))/repositories/\(Self.segment(repository.name))",
                    "upstreams": repository.upstreams.joined(separator: ", "),
                    "externalConnection": repository.externalConnection ?? "",
                ]
            }
            return render(
                "domain", caller: caller, title: "Domain \(domain)", crumbs: [("Domains", "/ui/")],
                [
                    "domain": domain, "repositories": rows, "more": page.next != nil,
                    "canCreate": policy.permits(caller.identity, .admin, on: .domain(domain)),
                    "connections": connectionNames.map { ["name": $0] },
                    "tokensHref": "/ui/domains/\(Self.segment(domain))/tokens",
                    "buildsHref": "/ui/domains/\(Self.segment(domain))/builds",
                    "pipelinesHref": "/ui/domains/\(Self.segment(domain))/pipelines",
                    "createHref": "/ui/domains/\(Self.segment(domain))/repositories",
                ])
        }
    }

    @Sendable func repository(_ request: Request, context: DepotRequestContext) async throws -> Response {
        await page(request, context) { caller in
            let (domain, repository) = try await openRepository(context, caller, .read)
            let base = "/ui/domains/\(Self.segment(domain))/repositories/\(Self.segment(repository.name))"
            // The search order (this repository, then its upstreams, nearest first) drawn as a chain.
            let order = try await repositories.searchOrder(domain: domain, repository: repository.name)
            var graph: [[String: Any]] = order.map { member in
                [
                    "name": member.name, "isSelf": member.name == repository.name,
                    "href": "/ui/domains/\(Self.segment(domain))/repositories/\(Self.segment(member.name))",
                    "external": member.externalConnection ?? "",
                ]
            }
            if !graph.isEmpty { graph[graph.count - 1]["last"] = true }
            let query = request.uri.queryParameters
            let prefix = query["q"].map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
            let formatID = query["format"].map(String.init) ?? ""
            let registry = modules.registry
            if !formatID.isEmpty { _ = try registry.format(formatID) }
            let cursor = try query["next"].map(String.init).flatMap { $0.isEmpty ? nil : try PageCursor(token: $0) }
            let listing = try await packages.listPackages(
                in: repository,
                filter: PackageFilter(format: formatID.isEmpty ? nil : formatID, prefix: prefix.isEmpty ? nil : prefix),
                page: PageRequest(limit: Self.packagesPerPage, after: cursor))
            let rows: [[String: Any]] = try listing.items.map { summary in
                let format = try registry.format(summary.package.key.format)
                let name = format.displayName(of: summary.package.key)
                return [
                    "name": name, "format": format.id, "latest": summary.latestVersion ?? "", "summary": summary.summary ?? "",
                    "versions": summary.versionCount,
                    "href": "\(base)/packages/\(format.id)/\(Self.segment(name))",
                ]
            }
            var nextHref = ""
            if let next = listing.next {
                var components = URLComponents()
                components.queryItems = [
                    URLQueryItem(name: "q", value: prefix), URLQueryItem(name: "format", value: formatID),
                    URLQueryItem(name: "next", value: next.token),
                ]
                nextHref = base + "?" + (components.percentEncodedQuery ?? "")
            }
            let publicBase = baseURL.resolve(for: request)
            return render(
                "repository", caller: caller, title: "\(domain)/\(repository.name)",
                crumbs: [("Domains", "/ui/"), (domain, "/ui/domains/\(Self.segment(domain))")],
                [
                    "domain": domain, "repository": repository.name, "description": repository.description,
                    "anonymousRead": repository.allowAnonymousRead, "graph": graph,
                    "endpoints": ConsoleSnippets.endpoints(
                        modules: modules, base: publicBase, domain: domain, repository: repository.name),
                    "formats": registry.ids.map { ["id": $0, "selected": $0 == formatID] },
                    "q": prefix, "packages": rows, "nextHref": nextHref, "searched": !prefix.isEmpty || !formatID.isEmpty,
                    "self": base, "cacheHref": "\(base)/upstream-cache",
                    "hasExternal": repository.externalConnection != nil,
                ])
        }
    }

    @Sendable func packagePage(_ request: Request, context: DepotRequestContext) async throws -> Response {
        await page(request, context) { caller in
            let (domain, repository) = try await openRepository(context, caller, .read)
            let (format, package) = try await openPackage(context, in: repository)
            let name = format.displayName(of: package.key)
            let base = packageBase(domain, repository, format, name)
            let cursor = try request.uri.queryParameters["next"].map(String.init).flatMap { $0.isEmpty ? nil : try PageCursor(token: $0) }
            let versions = try await packages.listVersions(of: package, status: nil, page: PageRequest(limit: 100, after: cursor))
            let tags = try await packages.tags(of: package)
            // One query for the package's assets, not one per version.
            let assets = try await packages.assetsByVersion(of: package)
            let rows: [[String: Any]] = versions.items.reversed().map { version in
                [
                    "size": Self.size((assets[version.id] ?? []).reduce(Int64(0)) { $0 + $1.digests.size }),
                    "version": version.version, "status": version.status.rawValue, "origin": version.origin.type.rawValue,
                    "originRepository": version.origin.repository, "published": Self.time(version.publishedAt),
                    "href": "\(base)/versions/\(Self.segment(version.version))",
                ]
            }
            let latest = tags["latest"] ?? versions.items.filter { $0.status == .published }.map(\.version).max { format.isOlder($0, than: $1) }
            return render(
                "package", caller: caller, title: name,
                crumbs: [
                    ("Domains", "/ui/"), (domain, "/ui/domains/\(Self.segment(domain))"),
                    (repository.name, "/ui/domains/\(Self.segment(domain))/repositories/\(Self.segment(repository.name))"),
                ],
                [
                    "name": name, "format": format.id, "versions": rows,
                    "nextHref": versions.next.map { "\(base)?next=\($0.token)" } ?? "",
                    "tags": tags.sorted { $0.key < $1.key }.map { ["tag": $0.key, "version": $0.value] },
                    "latest": latest ?? "", "latestHref": latest.map { "\(base)/versions/\(Self.segment($0))" } ?? "",
                    "install": latest.map { modules.presentation(of: format.id)?.installLine(name: name, version: $0) ?? "" } ?? "",
                    "publish": package.originControls.publish.rawValue, "upstream": package.originControls.upstream.rawValue,
                    "publishAllow": package.originControls.publish == .allow, "upstreamAllow": package.originControls.upstream == .allow,
                    "canAdmin": policy.permits(caller.identity, .admin, on: .repository(domain: domain, name: repository.name)),
                    "originAction": "\(base)/origin",
                ])
        }
    }

    @Sendable func versionPage(_ request: Request, context: DepotRequestContext) async throws -> Response {
        await page(request, context) { caller in
            let (domain, repository) = try await openRepository(context, caller, .read)
            let (format, package) = try await openPackage(context, in: repository)
            let name = format.displayName(of: package.key)
            let version = try await packages.requireVersion(of: package, try Self.parameter(context, "version"))
            let assets = try await packages.assets(of: version)
            let presentation = modules.presentation(of: format.id)
            let details = presentation?.details(metadata: version.metadata) ?? VersionDetails()
            let base = packageBase(domain, repository, format, name)
            return render(
                "version", caller: caller, title: "\(name) \(version.version)",
                crumbs: [
                    ("Domains", "/ui/"), (domain, "/ui/domains/\(Self.segment(domain))"),
                    (repository.name, "/ui/domains/\(Self.segment(domain))/repositories/\(Self.segment(repository.name))"),
                    (name, base),
                ],
                [
                    "name": name, "version": version.version, "format": format.id, "status": version.status.rawValue,
                    "origin": version.origin.type.rawValue, "originRepository": version.origin.repository,
                    "published": Self.time(version.publishedAt), "summary": version.summary ?? "",
                    "size": Self.size(assets.reduce(Int64(0)) { $0 + $1.digests.size }),
                    "assets": assets.map { asset in
                        [
                            "name": asset.name, "size": Self.size(asset.digests.size), "sha256": asset.digests.sha256,
                            "sha1": asset.digests.sha1, "md5": asset.digests.md5, "sha512": asset.digests.sha512,
                        ]
                    },
                    "dependencies": details.dependencies.map { ["name": $0.name, "requirement": $0.requirement] },
                    "hasReadme": details.readme != nil,
                    // The sanitizer's output is the only unescaped value of any template.
                    "readmeHTML": details.readme.map(markdown.render) ?? "",
                    "install": presentation?.installLine(name: name, version: version.version) ?? "",
                    "canPublish": policy.permits(caller.identity, .publish, on: .repository(domain: domain, name: repository.name)),
                    "statusAction": "\(base)/versions/\(Self.segment(version.version))/status",
                    "statuses": [VersionStatus.published, .unlisted, .archived].map {
                        ["value": $0.rawValue, "selected": $0 == version.status]
                    },
                ])
        }
    }

    @Sendable func upstreamCache(_ request: Request, context: DepotRequestContext) async throws -> Response {
        await page(request, context) { caller in
            let (domain, repository) = try await openRepository(context, caller, .read)
            let cursor = try request.uri.queryParameters["next"].map(String.init).flatMap { $0.isEmpty ? nil : try PageCursor(token: $0) }
            let documents = try await upstreams.cachedDocuments(for: repository, page: PageRequest(limit: 100, after: cursor))
            let connection = repository.externalConnection ?? ""
            let now = Date()
            let base = "/ui/domains/\(Self.segment(domain))/repositories/\(Self.segment(repository.name))"
            let rows: [[String: Any]] = documents.items.map { document in
                let fresh = now.timeIntervalSince(document.fetchedAt) < metadataTTL
                return [
                    "package": String(document.cacheKey.dropFirst(connection.count + 1)), "found": document.status == 200,
                    "fetched": Self.time(document.fetchedAt), "fresh": fresh, "state": fresh ? "fresh" : "stale",
                ]
            }
            return render(
                "upstream-cache", caller: caller, title: "Upstream cache of \(repository.name)",
                crumbs: [("Domains", "/ui/"), (domain, "/ui/domains/\(Self.segment(domain))"), (repository.name, base)],
                [
                    "repository": repository.name, "connection": connection, "hasConnection": !connection.isEmpty,
                    "documents": rows, "ttl": Int(metadataTTL),
                    "nextHref": documents.next.map { "\(base)/upstream-cache?next=\($0.token)" } ?? "",
                ])
        }
    }

    // MARK: Helpers

    /// The right first, then the lookup: without it, a missing repository and a forbidden one look the same.
    func openRepository(
        _ context: DepotRequestContext, _ caller: ConsoleCaller, _ permission: Permission
    ) async throws -> (String, Repository) {
        let domain = try Self.parameter(context, "domain")
        let name = try Self.parameter(context, "repo")
        try policy.authorize(caller.identity, permission, on: .repository(domain: domain, name: name))
        return (domain, try await repositories.repository(domain: domain, name: name))
    }

    func openPackage(_ context: DepotRequestContext, in repository: Repository) async throws -> (any PackageFormat, Package) {
        let format = try modules.registry.format(try Self.parameter(context, "format"))
        let key = try format.packageKey(fromDisplayName: try Self.parameter(context, "package"))
        return (format, try await packages.requirePackage(in: repository, key: key))
    }

    func packageBase(_ domain: String, _ repository: Repository, _ format: any PackageFormat, _ name: String) -> String {
        "/ui/domains/\(Self.segment(domain))/repositories/\(Self.segment(repository.name))/packages/\(format.id)/\(Self.segment(name))"
    }

    static func time(_ date: Date) -> String {
        date.ISO8601Format()
    }

    static func size(_ bytes: Int64) -> String {
        ByteCountFormatter.string(fromByteCount: bytes, countStyle: .file)
    }
}
