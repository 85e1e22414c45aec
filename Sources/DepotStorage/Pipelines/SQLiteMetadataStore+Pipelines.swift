import DepotCore
import Foundation
import GRDB

/// Pipelines and their events in the same SQLite database as the packages and builds.
extension SQLiteMetadataStore: PipelineStore {
    public func createPipeline(_ pipeline: StoredPipeline) async throws {
        try await write { db in
            if try Row.fetchOne(db, sql: "SELECT 1 FROM pipelines WHERE domain = ? AND name = ?", arguments: [pipeline.domain, pipeline.name]) != nil {
                throw DepotError.conflict("pipeline '\(pipeline.name)' already exists", code: "PipelineExists")
            }
            try db.execute(
                sql: """
                    INSERT INTO pipelines (domain, name, definition, record, created_by, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    pipeline.domain, pipeline.name, pipeline.definition, pipeline.record, pipeline.createdBy,
                    pipeline.createdAt.timeIntervalSince1970, pipeline.updatedAt.timeIntervalSince1970,
                ])
        }
    }

    public func pipeline(domain: String, name: String) async throws -> StoredPipeline? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM pipelines WHERE domain = ? AND name = ?", arguments: [domain, name]).map(Self.storedPipeline)
        }
    }

    public func listPipelines(domain: String, page: PageRequest) async throws -> Page<StoredPipeline> {
        var builder = KeysetQuery(listing: "pipelines", page: page)
        builder.require("domain = ?", [domain])
        try builder.after(["name"])
        let query = builder
        return try await read { db in
            try query.page(db, select: "SELECT * FROM pipelines", order: "name", map: Self.storedPipeline) { [$0["name"]] }
        }
    }

    public func allPipelines() async throws -> [StoredPipeline] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM pipelines ORDER BY domain, name").map(Self.storedPipeline)
        }
    }

    public func savePipeline(_ pipeline: StoredPipeline, appending events: [StoredPipelineEvent]) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE pipelines SET definition = ?, record = ?, updated_at = ? WHERE domain = ? AND name = ?",
                arguments: [pipeline.definition, pipeline.record, pipeline.updatedAt.timeIntervalSince1970, pipeline.domain, pipeline.name])
            guard db.changesCount > 0 else {
                throw DepotError.notFound("pipeline '\(pipeline.name)' not found", code: "PipelineNotFound")
            }
            for event in events {
                try db.execute(
                    sql: """
                        INSERT INTO pipeline_events (domain, pipeline, execution_id, time, type, stage, action, detail)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        pipeline.domain, pipeline.name, event.executionId, event.time.timeIntervalSince1970, event.type, event.stageName,
                        event.actionName, event.detail,
                    ])
            }
        }
    }

    public func deletePipeline(domain: String, name: String) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM pipelines WHERE domain = ? AND name = ?", arguments: [domain, name])
            let deleted = db.changesCount > 0
            try db.execute(sql: "DELETE FROM pipeline_events WHERE domain = ? AND pipeline = ?", arguments: [domain, name])
            // Its artifacts' blobs are no longer its: the orphan sweep of the next start collects those nothing else holds.
            try db.execute(sql: "DELETE FROM build_blobs WHERE build_id = ?", arguments: ["pipeline:\(domain)/\(name)"])
            return deleted
        }
    }

    public func pipelineEvents(domain: String, name: String, after: Int64, limit: Int) async throws -> [StoredPipelineEvent] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM pipeline_events WHERE domain = ? AND pipeline = ? AND id > ? ORDER BY id LIMIT ?",
                arguments: [domain, name, after, limit]
            ).map { row in
                StoredPipelineEvent(
                    id: row["id"], executionId: row["execution_id"], time: Date(timeIntervalSince1970: row["time"]), type: row["type"],
                    stageName: row["stage"], actionName: row["action"], detail: row["detail"])
            }
        }
    }

    private static func storedPipeline(_ row: Row) -> StoredPipeline {
        StoredPipeline(
            domain: row["domain"], name: row["name"], definition: row["definition"], record: row["record"], createdBy: row["created_by"],
            createdAt: Date(timeIntervalSince1970: row["created_at"]), updatedAt: Date(timeIntervalSince1970: row["updated_at"]))
    }
}
