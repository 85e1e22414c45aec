import DepotCore
import DepotHTTP
import Foundation
import HTTPTypes
import Hummingbird

/// CodeArtifact's package operations on `PackageService`.
extension CodeArtifactController {
    func addPackageRoutes(to group: RouterGroup<DepotRequestContext>) {
        group.post("v1/packages", use: listPackages)
        group.get("v1/package", use: describePackage)
        group.post("v1/package", use: putOriginConfiguration)
        group.post("v1/package/versions", use: listVersions)
        group.get("v1/package/version", use: describeVersion)
        group.post("v1/package/version/assets", use: listAssets)
        group.get("v1/package/version/asset", use: asset)
        group.post("v1/package/versions/update_status", use: updateStatus)
        group.post("v1/package/versions/copy", use: copyVersions)
        group.post("v1/package/versions/delete", use: deleteVersions)
        group.post("v1/package/versions/dispose", use: disposeVersions)
    }

    @Sendable func listPackages(_ request: Request, context: DepotRequestContext) async throws -> Response {
        struct Body: Encodable {
            var packages: [Shapes.PackageSummary]
            var nextToken: String?
        }
        let (_, repository, input) = try await open(request, context: context, permission: .read)
        let format = try input.optional("format").map { try self.format($0).id }
        // The origin filters are part of the query, so every page but the last is full.
        let filter = PackageFilter(
            format: format, namespace: input.optional("namespace"), prefix: input.optional("package-prefix"),
            publish: try Self.restriction(input, "publish"), upstream: try Self.restriction(input, "upstream"))
        let page = try await packages.listPackages(in: repository, filter: filter, page: try input.page(listing: "packages"))
        return try AWSJSON.response(Body(
            packages: page.items.map(\.package).map { package in
                Shapes.PackageSummary(
                    format: package.key.format, namespace: Self.namespace(package.key), package: package.key.name,
                    originConfiguration: .init(package.originControls))
            },
            nextToken: page.next?.token))
    }

    @Sendable func describePackage(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let (_, repository, input) = try await open(request, context: context, permission: .read)
        let package = try await packages.requirePackage(in: repository, key: try key(input))
        return try AWSJSON.response(["package": describe(package)])
    }

    @Sendable func putOriginConfiguration(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let (_, repository, input) = try await open(request, context: context, permission: .admin)
        guard let restrictions = input.body["restrictions"] as? [String: Any],
            let publish = (restrictions["publish"] as? String).flatMap(OriginRestriction.init(rawValue:)),
            let upstream = (restrictions["upstream"] as? String).flatMap(OriginRestriction.init(rawValue:))
        else {
            throw AWSError.validation("restrictions needs publish and upstream, each ALLOW or BLOCK")
        }
        let controls = OriginControls(publish: publish, upstream: upstream)
        // Controls may be set before a first version exists: that is how a name an upstream also has is claimed.
        let package = try await packages.ensurePackage(in: repository, key: try key(input), controls: controls)
        try await packages.setOriginControls(controls, of: package)
        return try AWSJSON.response(["originConfiguration": Shapes.OriginConfiguration(controls)])
    }

    @Sendable func listVersions(_ request: Request, context: DepotRequestContext) async throws -> Response {
        struct Body: Encodable {
            var defaultDisplayVersion: String?
            var format: String
            var namespace: String?
            var package: String
            var versions: [Shapes.VersionSummary]
            var nextToken: String?
        }
        let (_, repository, input) = try await open(request, context: context, permission: .read)
        let package = try await packages.requirePackage(in: repository, key: try key(input))
        let status = try input.optional("status").map(Self.status)
        let origin = try input.optional("originType").map { raw in
            guard let type = OriginType(rawValue: raw) else { throw AWSError.validation("originType must be INTERNAL or EXTERNAL") }
            return type
        }
        let page = try await packages.listVersions(of: package, status: status, origin: origin, page: try input.page(listing: "versions"))
        // The listing's latest version (the `latest` tag, else the newest published), not a read of every version.
        let latest = try await packages.summary(of: package)?.latestVersion
        return try AWSJSON.response(Body(
            defaultDisplayVersion: latest, format: package.key.format, namespace: Self.namespace(package.key), package: package.key.name,
            versions: page.items.map { version in
                Shapes.VersionSummary(version: version.version, status: version.status.rawValue, origin: .init(version.origin))
            },
            nextToken: page.next?.token))
    }

    @Sendable func describeVersion(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let (_, repository, input) = try await open(request, context: context, permission: .read)
        let package = try await packages.requirePackage(in: repository, key: try key(input))
        let version = try await packages.requireVersion(of: package, try input.required("version"))
        let display = try format(package.key.format).displayName(of: package.key)
        return try AWSJSON.response([
            "packageVersion": Shapes.VersionDescription(
                format: package.key.format, namespace: Self.namespace(package.key), packageName: package.key.name, displayName: display,
                version: version.version, summary: version.summary, publishedTime: version.publishedAt, status: version.status.rawValue,
                origin: .init(version.origin))
        ])
    }

    @Sendable func listAssets(_ request: Request, context: DepotRequestContext) async throws -> Response {
        struct Body: Encodable {
            var format: String
            var namespace: String?
            var package: String
            var version: String
            var assets: [Shapes.AssetSummary]
            var nextToken: String?
        }
        let (_, repository, input) = try await open(request, context: context, permission: .read)
        let package = try await packages.requirePackage(in: repository, key: try key(input))
        let version = try await packages.requireVersion(of: package, try input.required("version"))
        let assets = try await packages.assets(of: version).sorted { $0.name < $1.name }
        let page = try MemoryPaging.page(assets, try input.page(listing: "assets"), listing: "assets")
        return try AWSJSON.response(Body(
            format: package.key.format, namespace: Self.namespace(package.key), package: package.key.name, version: version.version,
            assets: page.items.map(Shapes.AssetSummary.init), nextToken: page.next?.token))
    }

    /// The asset's bytes, streamed from the blob store, with CodeArtifact's `X-AssetName` and `X-PackageVersion`.
    @Sendable func asset(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let (_, repository, input) = try await open(request, context: context, permission: .read)
        let package = try await packages.requirePackage(in: repository, key: try key(input))
        let version = try await packages.requireVersion(of: package, try input.required("version"))
        guard version.status.isDownloadable else {
            throw AWSError.notFound("version \(version.version) is \(version.status.rawValue)")
        }
        let name = try input.required("asset")
        guard let asset = try await packages.assets(of: version).first(where: { $0.name == name }) else {
            throw AWSError.notFound("version \(version.version) has no asset '\(name)'")
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/octet-stream"
        if let assetName = HTTPField.Name("X-AssetName"), let versionName = HTTPField.Name("X-PackageVersion") {
            // Header values must not carry line breaks; asset names and versions are validated at publish.
            headers[assetName] = asset.name
            headers[versionName] = version.version
        }
        return BodyStreaming.response(for: try packages.openBlob(asset), headers: headers)
    }

    @Sendable func updateStatus(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let (_, repository, input) = try await open(request, context: context, permission: .publish)
        guard let target = try input.string("targetStatus").map(Self.status) else { throw AWSError.validation("'targetStatus' is required") }
        guard ([.published, .unlisted, .archived] as [VersionStatus]).contains(target) else {
            throw AWSError.validation("targetStatus must be Published, Unlisted or Archived (dispose versions with DisposePackageVersions)")
        }
        return try await eachVersion(input, repository: repository) { package, version in
            try await packages.setStatus(target, of: version, in: package)
            return target
        }
    }

    @Sendable func deleteVersions(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let (_, repository, input) = try await open(request, context: context, permission: .publish)
        return try await eachVersion(input, repository: repository) { package, version in
            try await packages.deleteVersion(version, of: package)
            return nil
        }
    }

    @Sendable func disposeVersions(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let (_, repository, input) = try await open(request, context: context, permission: .publish)
        return try await eachVersion(input, repository: repository) { package, version in
            try await packages.disposeVersion(version, of: package)
            return .disposed
        }
    }

    @Sendable func copyVersions(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let input = try AWSInput.read(request, context: context)
        let domain = try input.required("domain")
        let sourceName = try input.required("source-repository")
        let destinationName = try input.required("destination-repository")
        try policy.authorize(context.identity, .read, on: .repository(domain: domain, name: sourceName))
        try policy.authorize(context.identity, .publish, on: .repository(domain: domain, name: destinationName))
        let source = try await repositories.repository(domain: domain, name: sourceName)
        let destination = try await repositories.repository(domain: domain, name: destinationName)
        guard let versions = try input.strings("versions"), !versions.isEmpty else {
            throw AWSError.validation("'versions' must name at least one version")
        }
        let key = try self.key(input)
        let result = try await packages.copy(key: key, versions: versions, from: source, to: destination)
        var successes: [String: Shapes.VersionOutcome.Success] = [:]
        // With nothing copied the destination may have no such package: the answer is the failures alone.
        if !result.copied.isEmpty {
            let package = try await packages.requirePackage(in: destination, key: key)
            for version in result.copied {
                successes[version] = .init(status: try await packages.requireVersion(of: package, version).status.rawValue)
            }
        }
        return try AWSJSON.response(Shapes.VersionOutcome(
            successfulVersions: successes, failedVersions: result.failed.mapValues(Self.failure)))
    }

    // MARK: Helpers

    /// Applies `change` to each of `versions` that has `expectedStatus` (when given), collecting CodeArtifact's
    /// per-version outcomes. `change` returns the status the version has afterwards (nil: it is gone).
    private func eachVersion(
        _ input: AWSInput, repository: Repository, change: (Package, String) async throws -> VersionStatus?
    ) async throws -> Response {
        guard let versions = try input.strings("versions"), !versions.isEmpty else {
            throw AWSError.validation("'versions' must name at least one version")
        }
        let expected = try input.string("expectedStatus").map(Self.status)
        let package = try await packages.requirePackage(in: repository, key: try key(input))
        var successes: [String: Shapes.VersionOutcome.Success] = [:]
        var failures: [String: Shapes.VersionOutcome.Failure] = [:]
        for version in versions {
            do {
                let current = try await packages.requireVersion(of: package, version)
                if let expected, current.status != expected {
                    failures[version] = .init(errorCode: "MISMATCHED_STATUS", errorMessage: "version \(version) is \(current.status.rawValue)")
                    continue
                }
                let after = try await change(package, version)
                successes[version] = .init(status: after?.rawValue ?? "Deleted")
            } catch let error as DepotError {
                failures[version] = Self.failure(error)
            }
        }
        return try AWSJSON.response(Shapes.VersionOutcome(successfulVersions: successes, failedVersions: failures))
    }

    private static func failure(_ error: DepotError) -> Shapes.VersionOutcome.Failure {
        let code =
            switch error.kind {
            case .notFound: "NOT_FOUND"
            case .conflict: error.code == "VersionExists" ? "ALREADY_EXISTS" : "NOT_ALLOWED"
            default: "NOT_ALLOWED"
            }
        return .init(errorCode: code, errorMessage: error.message)
    }

    /// The package of `format`, `namespace` and `package`, normalized by its format as Depot names it.
    private func key(_ input: AWSInput) throws -> PackageKey {
        let format = try self.format(try input.required("format"))
        let raw = PackageKey(format: format.id, namespace: input.optional("namespace") ?? "", name: try input.required("package"))
        return try format.packageKey(fromDisplayName: format.displayName(of: raw))
    }

    private func format(_ id: String) throws -> any PackageFormat {
        guard let module = modules.first(where: { $0.format.id == id }) else {
            throw AWSError.validation("format '\(id)' is not served here (\(modules.map(\.format.id).joined(separator: ", ")))")
        }
        return module.format
    }

    private func describe(_ package: Package) -> Shapes.PackageDescription {
        Shapes.PackageDescription(
            format: package.key.format, namespace: Self.namespace(package.key), name: package.key.name,
            originConfiguration: .init(package.originControls))
    }

    private static func namespace(_ key: PackageKey) -> String? { key.namespace.isEmpty ? nil : key.namespace }

    /// ListPackages' `publish` or `upstream` filter.
    private static func restriction(_ input: AWSInput, _ name: String) throws -> OriginRestriction? {
        try input.optional(name).map { raw in
            guard let restriction = OriginRestriction(rawValue: raw) else { throw AWSError.validation("\(name) must be ALLOW or BLOCK") }
            return restriction
        }
    }

    private static func status(_ raw: String) throws -> VersionStatus {
        guard let status = VersionStatus(rawValue: raw) else {
            throw AWSError.validation("'\(raw)' is not a package version status (Published, Unfinished, Unlisted, Archived, Disposed)")
        }
        return status
    }
}
