import DepotCore
import GRDB

// Resource tags of domains and repositories.
extension SQLiteMetadataStore {
    public func resourceTags(of resource: TaggedResource) async throws -> [ResourceTag] {
        let table = TagTable(resource)
        return try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT key, value FROM \(table.name) WHERE \(table.owner) = ? ORDER BY key", arguments: [table.id]
            ).map { ResourceTag(key: $0["key"], value: $0["value"]) }
        }
    }

    public func tagResource(_ resource: TaggedResource, with tags: [ResourceTag]) async throws {
        let table = TagTable(resource)
        try await write { db in
            try table.requireOwner(db)
            for tag in tags {
                try db.execute(
                    sql: """
                        INSERT INTO \(table.name) (\(table.owner), key, value) VALUES (?, ?, ?)
                        ON CONFLICT (\(table.owner), key) DO UPDATE SET value = excluded.value
                        """,
                    arguments: [table.id, tag.key, tag.value])
            }
            // Counted after the change, inside the transaction: two racing calls cannot together pass the limit.
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table.name) WHERE \(table.owner) = ?", arguments: [table.id]) ?? 0
            if count > ResourceTag.maximumPerResource { throw ResourceTag.tooMany(count) }
        }
    }

    public func untagResource(_ resource: TaggedResource, keys: [String]) async throws {
        let table = TagTable(resource)
        try await write { db in
            try table.requireOwner(db)
            let (membership, values) = KeysetQuery.membership("key", in: keys)
            try db.execute(
                sql: "DELETE FROM \(table.name) WHERE \(table.owner) = ? AND \(membership)", arguments: StatementArguments([table.id]) + values)
        }
    }
}

/// Where one resource's tags live.
private struct TagTable: Sendable {
    let name: String
    let owner: String
    let ownerTable: String
    let id: Int64

    init(_ resource: TaggedResource) {
        switch resource {
        case .domain(let id): (name, owner, ownerTable, self.id) = ("domain_tags", "domain_id", "domains", id)
        case .repository(let id): (name, owner, ownerTable, self.id) = ("repository_tags", "repository_id", "repositories", id)
        }
    }

    /// A resource deleted since it was looked up is not found (rather than a foreign-key conflict).
    func requireOwner(_ db: Database) throws {
        guard try Row.fetchOne(db, sql: "SELECT 1 FROM \(ownerTable) WHERE id = ?", arguments: [id]) != nil else {
            throw DepotError.notFound("the tagged resource no longer exists", code: "ResourceNotFound")
        }
    }
}
