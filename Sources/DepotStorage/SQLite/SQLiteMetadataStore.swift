import DepotCore
import Foundation
import GRDB

/// The metadata port on SQLite (WAL mode through a GRDB pool: concurrent readers, one writer at a time).
public final class SQLiteMetadataStore: MetadataStore {
    let pool: DatabasePool

    /// Opens (creating if needed) the database at `path` and runs pending migrations.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        pool = try DatabasePool(path: path, configuration: configuration)
        try SchemaMigrations.migrator().migrate(pool)
    }

    /// Applied migration identifiers, oldest first.
    public func appliedMigrations() throws -> [String] {
        try pool.read { db in try SchemaMigrations.migrator().appliedMigrations(db) }
    }

    /// Runs a write transaction, translating constraint violations into 409s.
    func write<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw DepotError.conflict("the change conflicts with existing data: \(error.message ?? "constraint failed")")
        }
    }

    func read<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws -> T {
        try await pool.read(body)
    }

    // MARK: Domains

    public func createDomain(name: String, at date: Date) async throws -> Domain {
        try await write { db in
            if try Row.fetchOne(db, sql: "SELECT 1 FROM domains WHERE name = ?", arguments: [name]) != nil {
                throw DepotError.conflict("domain '\(name)' already exists", code: "DomainExists")
            }
            try db.execute(sql: "INSERT INTO domains (name, created_at) VALUES (?, ?)", arguments: [name, date.timeIntervalSince1970])
            return Domain(id: db.lastInsertedRowID, name: name, createdAt: date)
        }
    }

    public func domain(named name: String) async throws -> Domain? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM domains WHERE name = ?", arguments: [name]).map(Self.domain)
        }
    }

    public func listDomains(names: [String]?, page: PageRequest) async throws -> Page<Domain> {
        var builder = KeysetQuery(listing: "domains", page: page)
        builder.require(names: names, column: "name")
        try builder.after(["name"])
        let query = builder
        return try await read { db in
            try query.page(db, select: "SELECT * FROM domains", order: "name", map: Self.domain) { [$0["name"]] }
        }
    }

    @discardableResult
    public func deleteDomain(id: Int64) async throws -> [String] {
        try await write { db in
            guard let name = try String.fetchOne(db, sql: "SELECT name FROM domains WHERE id = ?", arguments: [id]) else { return [] }
            // A domain created later under the same name must inherit nothing: not its tokens, projects, builds, secrets
            // or pipelines (their executions and events; their artifacts are blobs owned by `pipeline:<domain>/<name>`).
            let owners = "build_id IN (SELECT id FROM builds WHERE domain = ?) OR substr(build_id, 1, ?) = ?"
            let pipelineOwner = "pipeline:\(name)/"
            let ownerArguments: StatementArguments = [name, pipelineOwner.count, pipelineOwner]
            let released = try String.fetchAll(db, sql: "SELECT DISTINCT sha256 FROM build_blobs WHERE \(owners)", arguments: ownerArguments)
            try db.execute(sql: "DELETE FROM build_blobs WHERE \(owners)", arguments: ownerArguments)
            for table in ["builds", "build_projects", "build_secrets", "tokens", "pipelines", "pipeline_events"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE domain = ?", arguments: [name])
            }
            try db.execute(sql: "DELETE FROM domains WHERE id = ?", arguments: [id])
            return released
        }
    }

    static func domain(_ row: Row) -> Domain {
        Domain(id: row["id"], name: row["name"], createdAt: Date(timeIntervalSince1970: row["created_at"]))
    }

    // MARK: Repositories

    public func createRepository(_ repository: Repository) async throws -> Repository {
        try await write { db in
            if try Row.fetchOne(
                db, sql: "SELECT 1 FROM repositories WHERE domain_id = ? AND name = ?",
                arguments: [repository.domainID, repository.name]) != nil
            {
                throw DepotError.conflict("repository '\(repository.name)' already exists", code: "RepositoryExists")
            }
            try db.execute(
                sql: """
                    INSERT INTO repositories (domain_id, name, description, external_connection, allow_anonymous_read, created_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    repository.domainID, repository.name, repository.description, repository.externalConnection,
                    repository.allowAnonymousRead, repository.createdAt.timeIntervalSince1970,
                ])
            var created = repository
            created.id = db.lastInsertedRowID
            try Self.saveUpstreams(db, of: created)
            return created
        }
    }

    public func repository(domainID: Int64, name: String) async throws -> Repository? {
        try await read { db in
            try Self.repositories(db, where: "r.domain_id = ? AND r.name = ?", arguments: [domainID, name]).first?.repository
        }
    }

    public func listRepositories(domainID: Int64) async throws -> [Repository] {
        try await read { db in try Self.repositories(db, where: "r.domain_id = ?", arguments: [domainID]).map(\.repository) }
    }

    public func listRepositories(_ filter: RepositoryFilter, page: PageRequest) async throws -> Page<ListedRepository> {
        var builder = KeysetQuery(listing: "repositories", page: page)
        builder.require(names: filter.domains, column: "d.name")
        builder.require(names: filter.names, column: "r.name")
        if let prefix = filter.prefix {
            // Case-sensitive, unlike LIKE; names are ASCII, so characters and code points agree.
            builder.require("substr(r.name, 1, ?) = ?", [prefix.unicodeScalars.count, prefix])
        }
        try builder.after(["d.name", "r.name"])
        let query = builder
        return try await read { db in
            let rows = try Self.repositories(
                db, where: query.condition, arguments: query.arguments, order: "d.name, r.name", limit: query.fetchLimit)
            let listed = rows.map { ListedRepository(domain: $0.domain, repository: $0.repository) }
            return Page(fetched: listed, for: page) { PageCursor(listing: "repositories", keys: [$0.domain, $0.repository.name]) }
        }
    }

    public func updateRepository(_ repository: Repository) async throws -> Repository {
        try await write { db in
            try db.execute(
                sql: "UPDATE repositories SET description = ?, external_connection = ?, allow_anonymous_read = ? WHERE id = ?",
                arguments: [repository.description, repository.externalConnection, repository.allowAnonymousRead, repository.id])
            try Self.saveUpstreams(db, of: repository)
            return repository
        }
    }

    public func deleteRepository(id: Int64) async throws -> [Asset] {
        try await write { db in
            let assets = try Row.fetchAll(
                db,
                sql: """
                    SELECT a.* FROM assets a JOIN package_versions v ON v.id = a.version_id
                    JOIN packages p ON p.id = v.package_id WHERE p.repository_id = ?
                    """,
                arguments: [id]
            ).map(Self.asset)
            try db.execute(sql: "DELETE FROM repositories WHERE id = ?", arguments: [id])
            return assets
        }
    }

    private static func saveUpstreams(_ db: Database, of repository: Repository) throws {
        try db.execute(sql: "DELETE FROM repository_upstreams WHERE repository_id = ?", arguments: [repository.id])
        for (position, name) in repository.upstreams.enumerated() {
            guard
                let upstreamID = try Int64.fetchOne(
                    db, sql: "SELECT id FROM repositories WHERE domain_id = ? AND name = ?",
                    arguments: [repository.domainID, name])
            else {
                throw DepotError.badRequest("upstream repository '\(name)' does not exist", code: "UnknownUpstream")
            }
            try db.execute(
                sql: "INSERT INTO repository_upstreams (repository_id, position, upstream_id) VALUES (?, ?, ?)",
                arguments: [repository.id, position, upstreamID])
        }
    }

    /// Repositories (with their domain's name) in `order`; `condition` may name the repository `r` and its domain `d`.
    private static func repositories(
        _ db: Database, where condition: String, arguments: StatementArguments, order: String = "r.name", limit: Int? = nil
    ) throws -> [(domain: String, repository: Repository)] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT r.*, d.name AS domain_name FROM repositories r JOIN domains d ON d.id = r.domain_id
                WHERE \(condition) ORDER BY \(order)
                """ + (limit.map { " LIMIT \($0)" } ?? ""),
            arguments: arguments)
        return try rows.map { row in
            let id: Int64 = row["id"]
            let upstreams = try String.fetchAll(
                db,
                sql: """
                    SELECT u.name FROM repository_upstreams l JOIN repositories u ON u.id = l.upstream_id
                    WHERE l.repository_id = ? ORDER BY l.position
                    """,
                arguments: [id])
            let repository = Repository(
                id: id, domainID: row["domain_id"], name: row["name"], description: row["description"],
                upstreams: upstreams, externalConnection: row["external_connection"],
                allowAnonymousRead: row["allow_anonymous_read"], createdAt: Date(timeIntervalSince1970: row["created_at"]))
            return (row["domain_name"], repository)
        }
    }
}
