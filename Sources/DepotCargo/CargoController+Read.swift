import DepotCore
import DepotHTTP
import Foundation
import Hummingbird

extension CargoController {
    /// `config.json`: where Cargo downloads and calls the API, and that it must always send its token.
    func configDocument(request: Request, target: Target) throws -> Response {
        let config: [String: Any] = ["dl": "\(target.registryURL)/api/v1/crates", "api": target.registryURL, "auth-required": true]
        let body = try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys, .withoutEscapingSlashes])
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-cache"
        return RenderedDocumentCache.response(for: RenderedDocumentCache.document(body: ByteBuffer(bytes: body)), headers: headers, request: request)
    }

    /// A crate's index file: one line per version the repository sees (its own, its upstreams', the external
    /// connection's), oldest first. Rendered once per change of the package view (304 on a matching ETag).
    func indexFile(_ name: CargoCrateName, request: Request, target: Target) async throws -> Response {
        // The asking repository's unlisted versions stay in the file as yanked, so lockfiles that pin them still resolve.
        let view = try await upstreams.view(of: name.key, from: target.repository, includeLocalHidden: true)
        let cacheKey = "\(target.repository.id)|\(name.lowercased)"
        let document: RenderedDocumentCache.Document
        if let hit = cache.lookup(key: cacheKey, fingerprint: view.fingerprint) {
            document = hit
        } else {
            let lines = CargoIndexFile.lines(of: view)
            guard !lines.isEmpty else { throw Self.crateNotFound(name) }
            document = cache.store(key: cacheKey, fingerprint: view.fingerprint, body: ByteBuffer(bytes: CargoIndexFile.render(lines)))
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        headers[.cacheControl] = "no-cache"
        return RenderedDocumentCache.response(for: document, headers: headers, request: request)
    }

    /// A `.crate` from the blob store (fetched through the upstreams on first use). Yanked and unlisted versions
    /// stay downloadable (lockfiles pin them); archived and disposed ones do not.
    func download(_ name: CargoCrateName, version: CargoVersion, request: Request, target: Target) async throws -> Response {
        let file = CargoIndexFile.crateFileName(name, version: version)
        guard let (_, record, asset) = try await upstreams.asset(named: file, version: version.identity, of: name.key, in: target.repository)
        else {
            throw DepotError.notFound("crate \(name) has no version \(version)", code: "VersionNotFound")
        }
        guard record.status.isDownloadable else {
            throw DepotError.notFound("version \(version) of \(name) is \(record.status.rawValue)", code: "VersionNotFound")
        }
        var headers = StoredFileHeaders.fields()
        headers[.cacheControl] = "public, max-age=31536000, immutable"
        return try downloads.response(for: asset, request: request, headers: headers)
    }

    /// `GET api/v1/crates?q=&per_page=`: this repository's crates whose name or description holds `q`.
    func search(request: Request, target: Target) async throws -> Response {
        let query = request.uri.queryParameters
        let text = query["q"].map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
        let size = min(max(query["per_page"].flatMap { Int(String($0)) } ?? 10, 1), 100)
        let found = try await packages.searchPackages(
            in: target.repository, filter: PackageFilter(format: CargoFormat.id, text: text.isEmpty ? nil : text), from: 0, size: size)
        let crates: [[String: Any]] = found.summaries.map {
            ["name": $0.package.key.name, "max_version": $0.latestVersion ?? "", "description": $0.summary ?? ""]
        }
        return Self.json(["crates": crates, "meta": ["total": found.total]])
    }

    /// Depot has no crate owners: whoever holds a publish token for the repository may publish. Cargo's listing
    /// shows that as one pseudo-user.
    func owners(_ name: CargoCrateName, target: Target) async throws -> Response {
        _ = try await requirePackage(name, in: target)
        let user: [String: Any] = ["id": 1, "login": "depot", "name": "publishers of \(target.domain)/\(target.repository.name)"]
        return Self.json(["users": [user]])
    }

    static func crateNotFound(_ name: CargoCrateName) -> DepotError {
        DepotError.notFound("crate \(name) not found", code: "PackageNotFound")
    }
}
