import DepotCore
import Foundation
import GRDB

extension SQLiteMetadataStore {
    public func insertToken(_ record: TokenRecord, secretHash: String) async throws {
        let repositories = try record.scope.repositories.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        let permissions = record.scope.permissions.map(\.rawValue).sorted().joined(separator: ",")
        try await write { db in
            // Checked in the same transaction as the insert: a parent revoked meanwhile cannot leave a live child.
            if let parent = record.parentID,
                try Row.fetchOne(db, sql: "SELECT 1 FROM tokens WHERE id = ? AND revoked_at IS NOT NULL", arguments: [parent]) != nil
            {
                throw DepotError.unauthorized("the token is unknown, expired or revoked")
            }
            try db.execute(
                sql: """
                    INSERT INTO tokens (id, name, secret_hash, domain, repositories, permissions, created_at, expires_at, parent_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    record.id, record.name, secretHash, record.scope.domain, repositories, permissions,
                    record.createdAt.timeIntervalSince1970, record.expiresAt?.timeIntervalSince1970, record.parentID,
                ])
        }
    }

    public func token(secretHash: String) async throws -> TokenRecord? {
        try await read { db in
            let row = try Row.fetchOne(db, sql: "SELECT * FROM tokens WHERE secret_hash = ?", arguments: [secretHash])
            // The lookup is by hash; compare the stored hash in constant time as well.
            guard let row, ConstantTime.equal(row["secret_hash"] as String, secretHash) else { return nil }
            return try Self.token(row)
        }
    }

    public func token(id: String) async throws -> TokenRecord? {
        try await read { db in try Row.fetchOne(db, sql: "SELECT * FROM tokens WHERE id = ?", arguments: [id]).map(Self.token) }
    }

    public func listTokens(domain: String?, page: PageRequest) async throws -> Page<TokenRecord> {
        var builder = KeysetQuery(listing: "tokens", page: page)
        builder.require("domain IS ?", [domain])
        try builder.after(["created_at", "id"]) { [try PageCursor.number($0[0]), $0[1]] }
        let query = builder
        return try await read { db in
            try query.page(db, select: "SELECT * FROM tokens", order: "created_at, id", map: Self.token) {
                [PageCursor.key($0["created_at"]), $0["id"]]
            }
        }
    }

    public func revokeToken(id: String, domain: String?, at date: Date) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql: "UPDATE tokens SET revoked_at = ? WHERE id = ? AND domain IS ? AND revoked_at IS NULL",
                arguments: [date.timeIntervalSince1970, id, domain])
            guard db.changesCount > 0 else { return false }
            // Every token minted from it, directly or not, in the same transaction.
            try db.execute(
                sql: """
                    WITH RECURSIVE descendants(id) AS (
                        SELECT id FROM tokens WHERE parent_id = ?
                        UNION SELECT t.id FROM tokens t JOIN descendants d ON t.parent_id = d.id
                    )
                    UPDATE tokens SET revoked_at = ? WHERE id IN (SELECT id FROM descendants) AND revoked_at IS NULL
                    """,
                arguments: [id, date.timeIntervalSince1970])
            return true
        }
    }

    static func token(_ row: Row) throws -> TokenRecord {
        let repositories: [String]? = try (row["repositories"] as String?).map {
            try JSONDecoder().decode([String].self, from: Data($0.utf8))
        }
        let permissions = Set((row["permissions"] as String).split(separator: ",").compactMap { Permission(rawValue: String($0)) })
        return TokenRecord(
            id: row["id"], name: row["name"],
            scope: TokenScope(domain: row["domain"], repositories: repositories, permissions: permissions),
            createdAt: Date(timeIntervalSince1970: row["created_at"]),
            expiresAt: (row["expires_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            revokedAt: (row["revoked_at"] as Double?).map(Date.init(timeIntervalSince1970:)), parentID: row["parent_id"])
    }
}

enum ConstantTime {
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<x.count { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}
