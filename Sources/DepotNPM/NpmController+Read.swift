import DepotCore
import DepotHTTP
import Foundation
import Hummingbird

extension NpmController {
    /// Full or abbreviated packument, chosen by `Accept` (`?write=true` always gets the full one with every
    /// non-disposed version, because npm sends it back on unpublish and deprecate).
    func packument(_ name: NpmPackageName, request: Request, target: Target) async throws -> Response {
        let forWrite = request.uri.queryParameters["write"] == "true"
        let accept = request.headers[.accept] ?? ""
        let abbreviated = !forWrite && accept.includes("application/vnd.npm.install-v1+json")
        let variant = forWrite ? "write" : (abbreviated ? "abbreviated" : "full")
        let cacheKey = "\(target.repository.id)|\(name)|\(variant)|\(target.registryURL)"
        // The write form is this repository's own document (npm sends it back on unpublish and deprecate);
        // the others merge in upstream versions.
        let renderer: PackumentRenderer
        let fingerprint: String
        let repeatable: Bool
        if forWrite {
            let package = try await requirePackage(name, in: target)
            fingerprint = "\(package.id):\(package.revision)"
            if let hit = cache.lookup(key: cacheKey, fingerprint: fingerprint) {
                return respond(with: hit, abbreviated: false, request: request, repeatable: true)
            }
            let entries = try await entries(of: package, includeUnlisted: true)
            guard !entries.isEmpty else {
                throw DepotError.notFound("package \(name) has no available versions", code: "PackageNotFound")
            }
            renderer = PackumentRenderer(
                name: name, package: package, entries: entries, tags: try await packages.tags(of: package),
                registryURL: target.registryURL)
            repeatable = true
        } else {
            let view = try await requireView(name, in: target)
            fingerprint = view.fingerprint
            repeatable = !view.consultsExternal
            // Any change to a package bumps its revision and any upstream refresh its fetch time, so a hit is current.
            if let hit = cache.lookup(key: cacheKey, fingerprint: fingerprint) {
                return respond(with: hit, abbreviated: abbreviated, request: request, repeatable: repeatable)
            }
            renderer = try self.renderer(name, view: view, registryURL: target.registryURL)
        }
        let object = abbreviated ? renderer.abbreviated() : renderer.full()
        // Sorted: each Swift dictionary iterates in its own order, and versions whose keys all come in one order
        // compress to about 60% of the size (a 10,000-version packument: 250 -> 150 KB gzipped).
        let body = ByteBuffer(bytes: try JSONBytes.encode(object, sortedKeys: true, capacity: 512 * renderer.entries.count + 4096))
        let document = cache.store(key: cacheKey, fingerprint: fingerprint, body: body)
        return respond(with: document, abbreviated: abbreviated, request: request, repeatable: repeatable)
    }

    /// A rendered packument, or 304 when the client has it, gzipped when the client accepts it.
    private func respond(with document: RenderedDocumentCache.Document, abbreviated: Bool, request: Request, repeatable: Bool) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = abbreviated ? "application/vnd.npm.install-v1+json" : "application/json"
        headers[.cacheControl] = "no-cache"
        return RenderedDocumentCache.response(for: document, headers: headers, request: request, repeatable: repeatable)
    }

    /// `GET /<name>/<version or tag>`: one version's manifest.
    func versionManifest(_ name: NpmPackageName, versionOrTag: String, target: Target) async throws -> Response {
        let renderer = try self.renderer(name, view: try await requireView(name, in: target), registryURL: target.registryURL)
        let version = renderer.distTags[versionOrTag] ?? versionOrTag
        guard let entry = renderer.entries.first(where: { $0.version.version == version }) else {
            throw DepotError.notFound("version \(versionOrTag) of \(name) not found", code: "VersionNotFound")
        }
        return Self.json(renderer.manifest(entry))
    }

    /// A tarball from the blob store (GET or HEAD, ranges, 304). Unlisted versions stay downloadable; archived ones do not.
    func tarball(_ name: NpmPackageName, file: String, request: Request, target: Target) async throws -> Response {
        guard let wanted = Self.version(ofTarball: file, name: name),
            let (_, version, asset) = try await upstreams.asset(named: file, version: wanted, of: name.key, in: target.repository)
        else {
            throw DepotError.notFound("no tarball \(file) for \(name)", code: "TarballNotFound")
        }
        guard version.status.isDownloadable else {
            throw DepotError.notFound("version \(version.version) of \(name) is \(version.status.rawValue)", code: "VersionNotFound")
        }
        var headers = StoredFileHeaders.fields()
        headers[.cacheControl] = "public, max-age=31536000, immutable"
        return try downloads.response(for: asset, request: request, headers: headers)
    }

    /// The version and asset a tarball file name belongs to (`<name>-<version>.tgz`).
    func locateTarball(_ name: NpmPackageName, file: String, in package: Package) async throws -> (PackageVersion, Asset) {
        guard let version = Self.version(ofTarball: file, name: name), let record = try? await packages.requireVersion(of: package, version),
            let asset = try await packages.assets(of: record).first(where: { $0.name == file })
        else {
            throw DepotError.notFound("no tarball \(file) for \(name)", code: "TarballNotFound")
        }
        return (record, asset)
    }

    /// The version a tarball file name (`<name>-<version>.tgz`) stands for.
    static func version(ofTarball file: String, name: NpmPackageName) -> String? {
        let prefix = "\(name.name)-"
        guard file.hasPrefix(prefix), file.hasSuffix(".tgz"), file.count > prefix.count + 4 else { return nil }
        return String(file.dropFirst(prefix.count).dropLast(4))
    }

    func distTags(_ name: NpmPackageName, target: Target) async throws -> Response {
        let renderer = try self.renderer(name, view: try await requireView(name, in: target), registryURL: target.registryURL)
        return Self.json(renderer.distTags)
    }

    /// `GET /-/v1/search?text=&size=&from=` over this repository's npm packages.
    func search(request: Request, target: Target) async throws -> Response {
        let query = request.uri.queryParameters
        let text = query["text"].map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
        let size = min(max(query["size"].flatMap { Int(String($0)) } ?? 20, 1), 250)
        let from = max(query["from"].flatMap { Int(String($0)) } ?? 0, 0)
        // The window is read in SQL (LIMIT size OFFSET from), with the count of matches for `total`.
        let found = try await packages.searchPackages(
            in: target.repository, filter: PackageFilter(format: NpmFormat.id, text: text.isEmpty ? nil : text), from: from, size: size)
        let objects: [[String: Any]] = found.summaries.map { summary in
            let name = NpmPackageName(key: summary.package.key)
            var package: [String: Any] = [
                "name": name.description, "version": summary.latestVersion ?? "", "description": summary.summary ?? "",
                "date": ISO8601.string(summary.package.modifiedAt), "keywords": [String](),
                "links": ["npm": "\(target.registryURL)/\(name)"], "publisher": ["username": "depot"], "maintainers": [Any](),
            ]
            if let scope = name.scope { package["scope"] = scope } else { package["scope"] = "unscoped" }
            return [
                "package": package, "flags": [String: Any](), "searchScore": 1.0,
                "score": ["final": 1.0, "detail": ["quality": 1.0, "popularity": 1.0, "maintenance": 1.0]],
            ]
        }
        return Self.json(["objects": objects, "total": found.total, "time": ISO8601.string(Date())])
    }
}
