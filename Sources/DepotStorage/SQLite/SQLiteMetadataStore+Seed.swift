import DepotCore
import Foundation
import GRDB

// Bulk seeding for benchmarks (`depot seed`): a million versions in minutes. One `publish` per version is one
// transaction and one WAL fsync each; this writes the same rows for a whole batch in one transaction.
// Not a serving path: no origin checks, no re-publish handling, no change events (the server is not running).
extension SQLiteMetadataStore {
    /// Records `versions`, all new, in one transaction: the rows `publish` writes (packages created with `controls`
    /// when missing, versions, assets, tags), and each touched package's revision bumped once.
    public func seed(repositoryID: Int64, _ versions: [NewVersion], controls: OriginControls) async throws {
        try await write { db in
            let now = Date().timeIntervalSince1970
            let findPackage = try db.cachedStatement(
                sql: "SELECT id FROM packages WHERE repository_id = ? AND format = ? AND namespace = ? AND name = ?")
            let insertPackage = try db.cachedStatement(
                sql: """
                    INSERT INTO packages (repository_id, format, namespace, name, origin_publish, origin_upstream,
                                          revision, created_at, modified_at)
                    VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)
                    """)
            let insertVersion = try db.cachedStatement(
                sql: """
                    INSERT INTO package_versions (package_id, version, status, origin_type, origin_repository, published_at,
                                                  summary, metadata)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            let insertAsset = try db.cachedStatement(
                sql: "INSERT INTO assets (version_id, name, size, md5, sha1, sha256, sha512) VALUES (?, ?, ?, ?, ?, ?, ?)")
            let insertTag = try db.cachedStatement(
                sql: "INSERT OR REPLACE INTO package_tags (package_id, tag, version) VALUES (?, ?, ?)")
            let touch = try db.cachedStatement(sql: "UPDATE packages SET revision = revision + 1, modified_at = ? WHERE id = ?")

            var packageIDs: [PackageKey: Int64] = [:]
            for new in versions {
                let packageID: Int64
                if let known = packageIDs[new.key] {
                    packageID = known
                } else if let existing = try Int64.fetchOne(
                    findPackage, arguments: [repositoryID, new.key.format, new.key.namespace, new.key.name])
                {
                    packageID = existing
                } else {
                    try insertPackage.execute(arguments: [
                        repositoryID, new.key.format, new.key.namespace, new.key.name, controls.publish.rawValue,
                        controls.upstream.rawValue, now, now,
                    ])
                    packageID = db.lastInsertedRowID
                }
                packageIDs[new.key] = packageID
                try insertVersion.execute(arguments: [
                    packageID, new.version, new.status.rawValue, new.origin.type.rawValue, new.origin.repository,
                    new.publishedAt.timeIntervalSince1970, new.summary, new.metadata,
                ])
                let versionID = db.lastInsertedRowID
                for asset in new.assets {
                    let d = asset.digests
                    try insertAsset.execute(arguments: [versionID, asset.name, d.size, d.md5, d.sha1, d.sha256, d.sha512])
                }
                for tag in new.tags {
                    try insertTag.execute(arguments: [packageID, tag, new.version])
                }
            }
            for packageID in packageIDs.values {
                try touch.execute(arguments: [now, packageID])
            }
        }
    }
}
