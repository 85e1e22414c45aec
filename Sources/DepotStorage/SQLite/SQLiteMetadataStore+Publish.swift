import DepotCore
import Foundation
import GRDB

// The write path. Each method is one transaction; SQLite serializes writers, so of two
// publishes of one version exactly one inserts it and the other sees it.
extension SQLiteMetadataStore {
    public func publish(repositoryID: Int64, _ new: NewVersion, defaultControls: OriginControls) async throws -> PublishOutcome {
        try await write { db in
            let now = Date().timeIntervalSince1970
            let packageID: Int64
            if let existing = try Self.package(db, repositoryID: repositoryID, key: new.key) {
                try Self.checkOrigin(of: new, against: existing, db: db)
                packageID = existing.id
            } else {
                if let identity = new.identity { try Self.ensureNoTwin(of: new.key, identity: identity, repositoryID: repositoryID, db: db) }
                try db.execute(
                    sql: """
                        INSERT INTO packages (repository_id, format, namespace, name, origin_publish, origin_upstream,
                                              revision, created_at, modified_at)
                        VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)
                        """,
                    arguments: [
                        repositoryID, new.key.format, new.key.namespace, new.key.name, defaultControls.publish.rawValue,
                        defaultControls.upstream.rawValue, now, now,
                    ])
                packageID = db.lastInsertedRowID
            }

            if let existing = try Self.version(db, packageID: packageID, version: new.version) {
                guard existing.status != .disposed else {
                    throw DepotError.conflict(
                        "version \(new.version) of \(new.key) was disposed and cannot be published again", code: "VersionExists")
                }
                let stored = try Row.fetchAll(db, sql: "SELECT * FROM assets WHERE version_id = ?", arguments: [existing.id])
                    .map(Self.asset)
                let storedByName = Dictionary(uniqueKeysWithValues: stored.map { ($0.name, $0) })
                var added: [Asset] = []
                for asset in new.assets {
                    if let same = storedByName[asset.name] {
                        guard same.digests.sha256 == asset.digests.sha256 else {
                            throw DepotError.conflict(
                                "\(asset.name) of \(new.key) \(new.version) already exists with different content",
                                code: "VersionExists")
                        }
                    } else {
                        added.append(asset)
                    }
                }
                guard !added.isEmpty else { return .unchanged(existing) }
                guard new.allowsAddingAssets else {
                    throw DepotError.conflict(
                        "version \(new.version) of \(new.key) already exists with different content", code: "VersionExists")
                }
                try Self.insert(added, versionID: existing.id, db: db)
                try Self.insert(new.properties, versionID: existing.id, db: db)
                var updated = existing
                if let merge = new.mergeMetadata {
                    updated.metadata = try merge(existing.metadata, new.metadata)
                    try db.execute(
                        sql: "UPDATE package_versions SET metadata = ? WHERE id = ?", arguments: [updated.metadata, existing.id])
                }
                try Self.touch(db, packageID: packageID)
                return .created(updated)
            }

            try db.execute(
                sql: """
                    INSERT INTO package_versions (package_id, version, status, origin_type, origin_repository, published_at,
                                                  summary, metadata)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    packageID, new.version, new.status.rawValue, new.origin.type.rawValue, new.origin.repository,
                    new.publishedAt.timeIntervalSince1970, new.summary, new.metadata,
                ])
            let versionID = db.lastInsertedRowID
            try Self.insert(new.assets, versionID: versionID, db: db)
            try Self.insert(new.properties + [new.identity].compactMap { $0 }, versionID: versionID, db: db)
            for tag in new.tags {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO package_tags (package_id, tag, version) VALUES (?, ?, ?)",
                    arguments: [packageID, tag, new.version])
            }
            try Self.touch(db, packageID: packageID)
            return .created(
                PackageVersion(
                    id: versionID, packageID: packageID, version: new.version, status: new.status, origin: new.origin,
                    publishedAt: new.publishedAt, summary: new.summary, metadata: new.metadata))
        }
    }

    /// A name spelled differently from a package the repository holds under the same identity (crates.io's `-`/`_`
    /// twins) is refused here, inside the write, so two racing first publishes of twins cannot both land.
    private static func ensureNoTwin(of key: PackageKey, identity: VersionProperty, repositoryID: Int64, db: Database) throws {
        let twin = try String.fetchOne(
            db,
            sql: """
                SELECT p.name FROM version_properties vp
                JOIN package_versions v ON v.id = vp.version_id
                JOIN packages p ON p.id = v.package_id
                WHERE vp.name = ? AND vp.value = ? AND p.repository_id = ? AND p.format = ?
                  AND NOT (p.namespace = ? AND p.name = ?)
                LIMIT 1
                """,
            arguments: [identity.name, identity.value, repositoryID, key.format, key.namespace, key.name])
        if let twin {
            throw DepotError.conflict("\(key.name) is the same package as \(twin), which this repository holds", code: "PackageExists")
        }
    }

    /// The caller's origin-control check, repeated in the write: the package may have been created since.
    private static func checkOrigin(of new: NewVersion, against existing: Package, db: Database) throws {
        guard let check = new.originCheck, check.isBlocked(by: existing.originControls) else { return }
        let repository = try String.fetchOne(db, sql: "SELECT name FROM repositories WHERE id = ?", arguments: [existing.repositoryID]) ?? ""
        throw check.refusal(of: new.key, repository: repository)
    }

    public func setVersionStatus(packageID: Int64, version: String, status: VersionStatus) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE package_versions SET status = ? WHERE package_id = ? AND version = ?",
                arguments: [status.rawValue, packageID, version])
            try Self.touch(db, packageID: packageID)
        }
    }

    public func updateVersionMetadata(
        packageID: Int64, version: String, _ transform: @escaping @Sendable (Data) throws -> Data
    ) async throws -> Data {
        try await write { db in
            guard
                let stored = try Data.fetchOne(
                    db, sql: "SELECT metadata FROM package_versions WHERE package_id = ? AND version = ?", arguments: [packageID, version])
            else { throw DepotError.notFound("version \(version) not found", code: "VersionNotFound") }
            let metadata = try transform(stored)
            guard metadata != stored else { return stored }
            try db.execute(
                sql: "UPDATE package_versions SET metadata = ? WHERE package_id = ? AND version = ?",
                arguments: [metadata, packageID, version])
            try Self.touch(db, packageID: packageID)
            return metadata
        }
    }

    public func deleteVersion(packageID: Int64, version: String) async throws -> [Asset] {
        try await write { db in
            let assets = try Self.assets(db, packageID: packageID, version: version)
            try db.execute(sql: "DELETE FROM package_versions WHERE package_id = ? AND version = ?", arguments: [packageID, version])
            try db.execute(sql: "DELETE FROM package_tags WHERE package_id = ? AND version = ?", arguments: [packageID, version])
            let remaining = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM package_versions WHERE package_id = ?", arguments: [packageID])
            if remaining == 0 {
                try db.execute(sql: "DELETE FROM packages WHERE id = ?", arguments: [packageID])
            } else {
                try Self.touch(db, packageID: packageID)
            }
            return assets
        }
    }

    public func disposeVersion(packageID: Int64, version: String) async throws -> [Asset] {
        try await write { db in
            let assets = try Self.assets(db, packageID: packageID, version: version)
            try db.execute(
                sql: "DELETE FROM assets WHERE version_id = (SELECT id FROM package_versions WHERE package_id = ? AND version = ?)",
                arguments: [packageID, version])
            try db.execute(
                sql: "UPDATE package_versions SET status = 'Disposed' WHERE package_id = ? AND version = ?",
                arguments: [packageID, version])
            try db.execute(sql: "DELETE FROM package_tags WHERE package_id = ? AND version = ?", arguments: [packageID, version])
            try Self.touch(db, packageID: packageID)
            return assets
        }
    }

    public func deletePackage(packageID: Int64) async throws -> [Asset] {
        try await write { db in
            let assets = try Row.fetchAll(
                db,
                sql: "SELECT a.* FROM assets a JOIN package_versions v ON v.id = a.version_id WHERE v.package_id = ?",
                arguments: [packageID]
            ).map(Self.asset)
            try db.execute(sql: "DELETE FROM packages WHERE id = ?", arguments: [packageID])
            return assets
        }
    }

    public func setTag(packageID: Int64, tag: String, version: String) async throws {
        try await write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO package_tags (package_id, tag, version) VALUES (?, ?, ?)",
                arguments: [packageID, tag, version])
            try Self.touch(db, packageID: packageID)
        }
    }

    public func removeTag(packageID: Int64, tag: String) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM package_tags WHERE package_id = ? AND tag = ?", arguments: [packageID, tag])
            try Self.touch(db, packageID: packageID)
        }
    }

    public func setOriginControls(packageID: Int64, _ controls: OriginControls) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE packages SET origin_publish = ?, origin_upstream = ? WHERE id = ?",
                arguments: [controls.publish.rawValue, controls.upstream.rawValue, packageID])
            try Self.touch(db, packageID: packageID)
        }
    }

    public func ensurePackage(repositoryID: Int64, key: PackageKey, controls: OriginControls) async throws -> Package {
        try await write { db in
            if let existing = try Self.package(db, repositoryID: repositoryID, key: key) { return existing }
            let now = Date().timeIntervalSince1970
            try db.execute(
                sql: """
                    INSERT INTO packages (repository_id, format, namespace, name, origin_publish, origin_upstream,
                                          revision, created_at, modified_at)
                    VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)
                    """,
                arguments: [
                    repositoryID, key.format, key.namespace, key.name, controls.publish.rawValue, controls.upstream.rawValue, now, now,
                ])
            guard let created = try Self.package(db, repositoryID: repositoryID, key: key) else {
                throw DepotError(.internalError, code: "InternalError", "package \(key) vanished after insert")
            }
            return created
        }
    }

    private static func insert(_ assets: [Asset], versionID: Int64, db: Database) throws {
        for asset in assets {
            let d = asset.digests
            try db.execute(
                sql: "INSERT INTO assets (version_id, name, size, md5, sha1, sha256, sha512) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [versionID, asset.name, d.size, d.md5, d.sha1, d.sha256, d.sha512])
        }
    }

    /// A file added to a version may bring properties the version already has: those stay as they are.
    private static func insert(_ properties: [VersionProperty], versionID: Int64, db: Database) throws {
        for property in properties {
            try db.execute(
                sql: "INSERT OR IGNORE INTO version_properties (version_id, name, value) VALUES (?, ?, ?)",
                arguments: [versionID, property.name, property.value])
        }
    }

    private static func assets(_ db: Database, packageID: Int64, version: String) throws -> [Asset] {
        try Row.fetchAll(
            db,
            sql: "SELECT a.* FROM assets a JOIN package_versions v ON v.id = a.version_id WHERE v.package_id = ? AND v.version = ?",
            arguments: [packageID, version]
        ).map(asset)
    }

    /// Bumps the revision (npm `_rev`) and modification time after any change to a package.
    private static func touch(_ db: Database, packageID: Int64) throws {
        try db.execute(
            sql: "UPDATE packages SET revision = revision + 1, modified_at = ? WHERE id = ?",
            arguments: [Date().timeIntervalSince1970, packageID])
    }
}
