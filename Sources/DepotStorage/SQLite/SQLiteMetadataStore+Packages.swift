import DepotCore
import Foundation
import GRDB

// Reads of packages, versions, assets and tags.
extension SQLiteMetadataStore {
    public func package(repositoryID: Int64, key: PackageKey) async throws -> Package? {
        try await read { db in try Self.package(db, repositoryID: repositoryID, key: key) }
    }

    public func listPackages(repositoryID: Int64, filter: PackageFilter) async throws -> [PackageSummary] {
        var conditions = ["p.repository_id = ?"]
        var arguments: StatementArguments = [repositoryID]
        if let format = filter.format {
            conditions.append("p.format = ?")
            arguments += [format]
        }
        if let namespace = filter.namespace {
            conditions.append("p.namespace = ?")
            arguments += [namespace]
        }
        if let prefix = filter.prefix {
            conditions.append("p.name LIKE ? ESCAPE '\\'")
            arguments += [Self.likeEscaped(prefix) + "%"]
        }
        if let text = filter.text, !text.isEmpty {
            let pattern = "%" + Self.likeEscaped(text) + "%"
            conditions.append(
                "(p.name LIKE ? ESCAPE '\\' OR p.namespace LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM package_versions s WHERE s.package_id = p.id AND s.summary LIKE ? ESCAPE '\\'))"
            )
            arguments += [pattern, pattern, pattern]
        }
        let sql = """
            SELECT p.*,
              (SELECT COUNT(*) FROM package_versions v WHERE v.package_id = p.id) AS version_count,
              COALESCE(
                (SELECT t.version FROM package_tags t WHERE t.package_id = p.id AND t.tag = 'latest'),
                (SELECT v.version FROM package_versions v WHERE v.package_id = p.id AND v.status = 'Published'
                 ORDER BY v.published_at DESC LIMIT 1)) AS latest_version
            FROM packages p WHERE \(conditions.joined(separator: " AND "))
            ORDER BY p.namespace, p.name
            """
        let finalArguments = arguments
        return try await read { db in
            try Row.fetchAll(db, sql: sql, arguments: finalArguments).map { row in
                let package = Self.package(row)
                let latest: String? = row["latest_version"]
                let summary = try latest.flatMap {
                    try String.fetchOne(
                        db, sql: "SELECT summary FROM package_versions WHERE package_id = ? AND version = ?",
                        arguments: [package.id, $0])
                }
                return PackageSummary(package: package, latestVersion: latest, summary: summary, versionCount: row["version_count"])
            }
        }
    }

    public func versions(packageID: Int64) async throws -> [PackageVersion] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM package_versions WHERE package_id = ? ORDER BY published_at, id", arguments: [packageID]
            ).map(Self.version)
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
