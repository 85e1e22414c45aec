import DepotCore
import Foundation
import GRDB

// Reads of packages, versions, assets and tags.
extension SQLiteMetadataStore {
    public func package(repositoryID: Int64, key: PackageKey) async throws -> Package? {
        try await read { db in try Self.package(db, repositoryID: repositoryID, key: key) }
    }

    public func listPackages(repositoryID: Int64, filter: PackageFilter, page: PageRequest) async throws -> Page<PackageSummary> {
        var builder = KeysetQuery(listing: "packages", page: page)
        Self.filter(&builder, repositoryID: repositoryID, filter)
        try builder.after(Self.packageOrder)
        let query = builder
        return try await read { db in
            let rows = try Row.fetchAll(
                db, sql: Self.summarySQL(where: query.condition) + " LIMIT \(query.fetchLimit)", arguments: query.arguments)
            return try query.page(of: rows, map: { try Self.summary(db, $0) }) { [$0["namespace"], $0["name"], $0["format"]] }
        }
    }

    public func searchPackages(repositoryID: Int64, filter: PackageFilter, offset: Int, limit: Int) async throws -> PackageSearchResults {
        var builder = KeysetQuery(listing: "search", page: PageRequest(limit: limit))
        Self.filter(&builder, repositoryID: repositoryID, filter)
        let query = builder
        return try await read { db in
            // npm's protocol pages by `from`: an offset into the same order as the listing.
            let rows = try Row.fetchAll(
                db, sql: Self.summarySQL(where: query.condition) + " LIMIT \(max(limit, 0)) OFFSET \(max(offset, 0))",
                arguments: query.arguments)
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM packages p WHERE \(query.condition)", arguments: query.arguments) ?? 0
            return PackageSearchResults(summaries: try rows.map { try Self.summary(db, $0) }, total: total)
        }
    }

    /// The listing order of packages (and the columns of their cursor), served by the `packages_listing` index.
    static let packageOrder = ["p.namespace", "p.name", "p.format"]

    private static func filter(_ query: inout KeysetQuery, repositoryID: Int64, _ filter: PackageFilter) {
        // With a text, the trigram index's matches drive the query (each looked up by id): `+` keeps SQLite from
        // walking the repository's listing index instead and testing every package of it against the matches.
        let searching = !(filter.text ?? "").isEmpty
        query.require(searching ? "+p.repository_id = ?" : "p.repository_id = ?", [repositoryID])
        if let format = filter.format { query.require("p.format = ?", [format]) }
        if let namespace = filter.namespace { query.require("p.namespace = ?", [namespace]) }
        if let prefix = filter.prefix { query.require("p.name LIKE ? ESCAPE '\\'", [likeEscaped(prefix) + "%"]) }
        if let name = filter.name { query.require("p.name = ?", [name]) }
        if let publish = filter.publish { query.require("p.origin_publish = ?", [publish.rawValue]) }
        if let upstream = filter.upstream { query.require("p.origin_upstream = ?", [upstream.rawValue]) }
        if let text = filter.text, !text.isEmpty {
            // The trigram index answers LIKE only without ESCAPE, so it is given the text as it is: its `%` and `_`
            // can only widen the match, and the exact test below narrows the few candidates back.
            query.require(
                """
                p.id IN (SELECT t.package_id FROM package_terms t
                         WHERE t.id IN (SELECT rowid FROM package_terms_index WHERE body LIKE ?))
                """,
                ["%" + text + "%"])
            if text.contains(where: { "%_\\".contains($0) }) {
                let pattern = "%" + likeEscaped(text) + "%"
                query.require(
                    "(p.name LIKE ? ESCAPE '\\' OR p.namespace LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM package_versions s WHERE s.package_id = p.id AND s.summary LIKE ? ESCAPE '\\'))",
                    [pattern, pattern, pattern])
            }
        }
    }

    /// Packages with their version count and latest version (the `latest` tag, else the newest published version):
    /// per row, index lookups in `package_tags` and `package_versions_published`, never a scan.
    static func summarySQL(where condition: String) -> String {
        """
        SELECT p.*,
          (SELECT COUNT(*) FROM package_versions v WHERE v.package_id = p.id) AS version_count,
          COALESCE(
            (SELECT t.version FROM package_tags t WHERE t.package_id = p.id AND t.tag = 'latest'),
            (SELECT v.version FROM package_versions v WHERE v.package_id = p.id AND v.status = 'Published'
             ORDER BY v.published_at DESC LIMIT 1)) AS latest_version
        FROM packages p WHERE \(condition)
        ORDER BY \(packageOrder.joined(separator: ", "))
        """
    }

    private static func summary(_ db: Database, _ row: Row) throws -> PackageSummary {
        let package = Self.package(row)
        let latest: String? = row["latest_version"]
        let summary = try latest.flatMap {
            try String.fetchOne(
                db.cachedStatement(sql: "SELECT summary FROM package_versions WHERE package_id = ? AND version = ?"),
                arguments: [package.id, $0])
        }
        return PackageSummary(package: package, latestVersion: latest, summary: summary, versionCount: row["version_count"])
    }

    public func versions(packageID: Int64) async throws -> [PackageVersion] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM package_versions WHERE package_id = ? ORDER BY published_at, id", arguments: [packageID]
            ).map(Self.version)
        }
    }

    public func listVersions(
        packageID: Int64, status: VersionStatus?, origin: OriginType?, page: PageRequest
    ) async throws -> Page<PackageVersion> {
        var builder = KeysetQuery(listing: "versions", page: page)
        builder.require("package_id = ?", [packageID])
        if let status { builder.require("status = ?", [status.rawValue]) }
        if let origin { builder.require("origin_type = ?", [origin.rawValue]) }
        try builder.after(["published_at", "id"]) { [try PageCursor.number($0[0]), try PageCursor.integer($0[1])] }
        let query = builder
        return try await read { db in
            try query.page(db, select: "SELECT * FROM package_versions", order: "published_at, id", map: Self.version) {
                [PageCursor.key($0["published_at"]), String($0["id"] as Int64)]
            }
        }
    }

    public func version(packageID: Int64, version: String) async throws -> PackageVersion? {
        try await read { db in try Self.version(db, packageID: packageID, version: version) }
    }

    public func assets(versionID: Int64) async throws -> [Asset] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM assets WHERE version_id = ? ORDER BY name", arguments: [versionID]).map(Self.asset)
        }
    }

    public func assets(packageID: Int64) async throws -> [Int64: [Asset]] {
        try await read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT a.* FROM assets a JOIN package_versions v ON v.id = a.version_id
                    WHERE v.package_id = ? ORDER BY a.name
                    """,
                arguments: [packageID])
            return Dictionary(grouping: rows, by: { $0["version_id"] as Int64 }).mapValues { $0.map(Self.asset) }
        }
    }

    public func tags(packageID: Int64) async throws -> [String: String] {
        try await read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT tag, version FROM package_tags WHERE package_id = ?", arguments: [packageID])
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["tag"] as String, $0["version"] as String) })
        }
    }

    public func isBlobReferenced(sha256: String) async throws -> Bool {
        // Build logs and artifact zips share the blob store with package assets.
        try await read { db in
            try Row.fetchOne(
                db, sql: "SELECT 1 FROM assets WHERE sha256 = ? UNION ALL SELECT 1 FROM build_blobs WHERE sha256 = ? LIMIT 1",
                arguments: [sha256, sha256]) != nil
        }
    }

    public func properties(versionID: Int64) async throws -> [VersionProperty] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT name, value FROM version_properties WHERE version_id = ? ORDER BY name, value", arguments: [versionID]
            ).map { VersionProperty($0["name"], $0["value"]) }
        }
    }

    public func packages(repositoryID: Int64, withProperty property: VersionProperty, limit: Int) async throws -> [Package] {
        try await read { db in
            // The index finds the versions with the value; the join keeps this repository's, not disposed.
            try Row.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT p.* FROM version_properties vp
                    JOIN package_versions v ON v.id = vp.version_id
                    JOIN packages p ON p.id = v.package_id
                    WHERE vp.name = ? AND vp.value = ? AND p.repository_id = ? AND v.status != ?
                    ORDER BY p.namespace, p.name, p.format LIMIT ?
                    """,
                arguments: [property.name, property.value, repositoryID, VersionStatus.disposed.rawValue, max(0, limit)]
            ).map(Self.package)
        }
    }

    // MARK: Row mapping

    static func package(_ db: Database, repositoryID: Int64, key: PackageKey) throws -> Package? {
        try Row.fetchOne(
            db, sql: "SELECT * FROM packages WHERE repository_id = ? AND format = ? AND namespace = ? AND name = ?",
            arguments: [repositoryID, key.format, key.namespace, key.name]
        ).map(package)
    }

    static func version(_ db: Database, packageID: Int64, version: String) throws -> PackageVersion? {
        try Row.fetchOne(
            db, sql: "SELECT * FROM package_versions WHERE package_id = ? AND version = ?", arguments: [packageID, version]
        ).map(Self.version)
    }

    static func package(_ row: Row) -> Package {
        Package(
            id: row["id"], repositoryID: row["repository_id"],
            key: PackageKey(format: row["format"], namespace: row["namespace"], name: row["name"]),
            originControls: OriginControls(
                publish: OriginRestriction(rawValue: row["origin_publish"]) ?? .allow,
                upstream: OriginRestriction(rawValue: row["origin_upstream"]) ?? .block),
            revision: row["revision"], createdAt: Date(timeIntervalSince1970: row["created_at"]),
            modifiedAt: Date(timeIntervalSince1970: row["modified_at"]))
    }

    static func version(_ row: Row) -> PackageVersion {
        PackageVersion(
            id: row["id"], packageID: row["package_id"], version: row["version"],
            status: VersionStatus(rawValue: row["status"]) ?? .published,
            origin: VersionOrigin(type: OriginType(rawValue: row["origin_type"]) ?? .internal, repository: row["origin_repository"]),
            publishedAt: Date(timeIntervalSince1970: row["published_at"]), summary: row["summary"], metadata: row["metadata"])
    }

    static func asset(_ row: Row) -> Asset {
        Asset(
            name: row["name"],
            digests: BlobDigests(size: row["size"], md5: row["md5"], sha1: row["sha1"], sha256: row["sha256"], sha512: row["sha512"]))
    }

    static func likeEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }
}
