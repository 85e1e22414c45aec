import DepotCore
import Foundation
import GRDB

/// Build projects, builds and secrets in the same SQLite database as the packages.
extension SQLiteMetadataStore: BuildStore {
    public func createProject(_ project: BuildProject) async throws {
        let document = String(decoding: try Self.encoder.encode(project), as: UTF8.self)
        try await write { db in
            if try Row.fetchOne(db, sql: "SELECT 1 FROM build_projects WHERE domain = ? AND name = ?", arguments: [project.domain, project.name]) != nil {
                throw DepotError.conflict("project '\(project.name)' already exists", code: "ProjectExists")
            }
            try db.execute(
                sql: "INSERT INTO build_projects (domain, name, document) VALUES (?, ?, ?)",
                arguments: [project.domain, project.name, document])
        }
    }

    public func project(domain: String, name: String) async throws -> BuildProject? {
        try await read { db in
            try String.fetchOne(db, sql: "SELECT document FROM build_projects WHERE domain = ? AND name = ?", arguments: [domain, name])
        }.map(Self.decodeProject)
    }

    public func listProjects(domain: String, repositories: [String]?, page: PageRequest) async throws -> Page<BuildProject> {
        var builder = KeysetQuery(listing: "projects", page: page)
        builder.require("domain = ?", [domain])
        builder.require(names: repositories, column: Self.projectRepository)
        try builder.after(["name"])
        let query = builder
        return try await read { db in
            try query.page(db, select: "SELECT name, document FROM build_projects", order: "name", map: { row in
                try Self.decodeProject(row["document"])
            }) { [$0["name"]] }
        }
    }

    public func updateProject(_ project: BuildProject) async throws {
        let document = String(decoding: try Self.encoder.encode(project), as: UTF8.self)
        try await write { db in
            try db.execute(
                sql: "UPDATE build_projects SET document = ? WHERE domain = ? AND name = ?", arguments: [document, project.domain, project.name])
            guard db.changesCount > 0 else { throw DepotError.notFound("project '\(project.name)' not found", code: "ProjectNotFound") }
        }
    }

    public func deleteProject(domain: String, name: String) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM build_projects WHERE domain = ? AND name = ?", arguments: [domain, name])
            return db.changesCount > 0
        }
    }

    /// A project's repository, from its document (projects are few per domain: no column of its own).
    private static let projectRepository = "json_extract(document, '$.repository')"

    public func createBuild(
        id: String, domain: String, project: String, initiator: String, overrides: BuildOverrides, at date: Date
    ) async throws -> StoredBuild {
        let overridesDocument = overrides.isEmpty ? nil : String(decoding: try Self.encoder.encode(overrides), as: UTF8.self)
        return try await write { db in
            guard let number = try Int.fetchOne(
                db, sql: "SELECT next_number FROM build_projects WHERE domain = ? AND name = ?", arguments: [domain, project])
            else { throw DepotError.notFound("project '\(project)' not found", code: "ProjectNotFound") }
            try db.execute(
                sql: "UPDATE build_projects SET next_number = next_number + 1 WHERE domain = ? AND name = ?", arguments: [domain, project])
            try db.execute(
                sql: "INSERT INTO builds (id, domain, project, number, status, initiator, queued_at, overrides) VALUES (?, ?, ?, ?, 'QUEUED', ?, ?, ?)",
                arguments: [id, domain, project, number, initiator, date.timeIntervalSince1970, overridesDocument])
            return StoredBuild(
                id: id, domain: domain, project: project, number: number, status: "QUEUED", initiator: initiator, queuedAt: date,
                overrides: overrides)
        }
    }

    public func updateBuild(_ build: StoredBuild) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE builds SET status = ?, started_at = ?, ended_at = ?, result = ? WHERE id = ?",
                arguments: [
                    build.status, build.startedAt?.timeIntervalSince1970, build.endedAt?.timeIntervalSince1970,
                    build.resultJSON.map { String(decoding: $0, as: UTF8.self) }, build.id,
                ])
        }
    }

    public func addBuildBlobs(buildID: String, sha256: [String]) async throws {
        try await write { db in
            for digest in sha256 {
                try db.execute(sql: "INSERT OR IGNORE INTO build_blobs (build_id, sha256) VALUES (?, ?)", arguments: [buildID, digest])
            }
        }
    }

    public func build(domain: String, id: String) async throws -> StoredBuild? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM builds WHERE domain = ? AND id = ?", arguments: [domain, id]).map(Self.storedBuild)
        }
    }

    public func listBuilds(
        domain: String, project: String?, repositories: [String]?, page: PageRequest
    ) async throws -> Page<StoredBuild> {
        var builder = KeysetQuery(listing: "builds", page: page)
        builder.require("domain = ?", [domain])
        if let project { builder.require("project = ?", [project]) }
        if let repositories {
            let (using, names) = KeysetQuery.membership(Self.projectRepository, in: repositories)
            builder.require("project IN (SELECT name FROM build_projects WHERE domain = ? AND \(using))", [domain] + names)
        }
        try builder.after(["queued_at", "id"], descending: true) { [try PageCursor.number($0[0]), $0[1]] }
        let query = builder
        return try await read { db in
            try query.page(db, select: "SELECT * FROM builds", order: "queued_at DESC, id DESC", map: Self.storedBuild) {
                [PageCursor.key($0["queued_at"]), $0["id"]]
            }
        }
    }

    public func faultUnfinishedBuilds(at date: Date) async throws -> Int {
        try await write { db in try Self.faultUnfinished(db, at: date) }
    }

    /// The same, synchronously, for server start-up (before any request can queue a build); returns their ids.
    public func faultUnfinishedBuildsBeforeStart(at date: Date) throws -> [String] {
        try pool.write { db in
            let ids = try String.fetchAll(db, sql: "SELECT id FROM builds WHERE status IN ('QUEUED', 'IN_PROGRESS')")
            _ = try Self.faultUnfinished(db, at: date)
            return ids
        }
    }

    private static func faultUnfinished(_ db: Database, at date: Date) throws -> Int {
        try db.execute(
            sql: "UPDATE builds SET status = 'FAULT', ended_at = ? WHERE status IN ('QUEUED', 'IN_PROGRESS')",
            arguments: [date.timeIntervalSince1970])
        return db.changesCount
    }

    public func putSecret(_ secret: StoredSecret) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO build_secrets (domain, name, sealed_value, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (domain, name) DO UPDATE SET sealed_value = excluded.sealed_value, updated_at = excluded.updated_at
                    """,
                arguments: [secret.domain, secret.name, secret.sealedValue, secret.updatedAt.timeIntervalSince1970])
        }
    }

    public func secret(domain: String, name: String) async throws -> StoredSecret? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM build_secrets WHERE domain = ? AND name = ?", arguments: [domain, name]).map(Self.storedSecret)
        }
    }

    public func listSecrets(domain: String, page: PageRequest) async throws -> Page<StoredSecret> {
        var builder = KeysetQuery(listing: "secrets", page: page)
        builder.require("domain = ?", [domain])
        try builder.after(["name"])
        let query = builder
        return try await read { db in
            try query.page(db, select: "SELECT * FROM build_secrets", order: "name", map: Self.storedSecret) { [$0["name"]] }
        }
    }

    public func deleteSecret(domain: String, name: String) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM build_secrets WHERE domain = ? AND name = ?", arguments: [domain, name])
            return db.changesCount > 0
        }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        return encoder
    }()

    private static func decodeProject(_ document: String) throws -> BuildProject {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try decoder.decode(BuildProject.self, from: Data(document.utf8))
    }

    private static func storedBuild(_ row: Row) -> StoredBuild {
        StoredBuild(
            id: row["id"], domain: row["domain"], project: row["project"], number: row["number"], status: row["status"],
            initiator: row["initiator"], queuedAt: Date(timeIntervalSince1970: row["queued_at"]),
            startedAt: (row["started_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            endedAt: (row["ended_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            resultJSON: (row["result"] as String?).map { Data($0.utf8) },
            overrides: (row["overrides"] as String?).flatMap { try? JSONDecoder().decode(BuildOverrides.self, from: Data($0.utf8)) } ?? BuildOverrides())
    }

    private static func storedSecret(_ row: Row) -> StoredSecret {
        StoredSecret(
            domain: row["domain"], name: row["name"], sealedValue: row["sealed_value"],
            updatedAt: Date(timeIntervalSince1970: row["updated_at"]))
    }
}
