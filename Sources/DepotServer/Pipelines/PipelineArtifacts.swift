import DepotBuild
import DepotCore
import Foundation

/// Artifacts passed between a pipeline's actions: zips in the blob store, recorded (like a build's blobs) under the
/// pipeline so the blob collector spares them; unpacked into a job's directory when an action needs them.
struct PipelineArtifacts: Sendable {
    let blobs: any BlobStore
    let store: any BuildStore
    let collector: BlobCollector
    /// Where jobs unpack and pack their files; outside the storage directory (builds copy from it).
    let scratch: URL

    /// A fresh directory for one job.
    func workDirectory() throws -> URL {
        let directory = scratch.appendingPathComponent(UUID().uuidString.lowercased(), isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Zips every file under `directory` and stores the zip; returns its SHA-256.
    func keep(directory: URL, job: PipelineJob) async throws -> String {
        let output = directory.deletingLastPathComponent().appendingPathComponent("zip-\(UUID().uuidString.lowercased())", isDirectory: true)
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: output) }
        let artifact = try ArtifactPackager(sourceDirectory: directory, outputDirectory: output).package(BuildspecArtifacts(files: ["**/*"]))[0]
        return try await keep(zip: URL(fileURLWithPath: artifact.location), job: job)
    }

    /// Stores a zip and records it as the pipeline's.
    func keep(zip: URL, job: PipelineJob) async throws -> String {
        let handle = try FileHandle(forReadingFrom: zip)
        defer { try? handle.close() }
        let writer = try blobs.makeWriter()
        let committing = UncommittedBlob(writer)
        do {
            while let chunk = try handle.read(upToCount: 64 * 1024), !chunk.isEmpty { try writer.write(chunk) }
            let digest = try writer.finish()
            let store = self.store
            let owner = "pipeline:\(job.domain)/\(job.pipeline)"
            try await collector.whileReferencing {
                try committing.commit()
                try await store.addBuildBlobs(buildID: owner, sha256: [digest.sha256])
            }
            return digest.sha256
        } catch {
            writer.discard()
            throw error
        }
    }

    /// Unpacks a stored zip into `directory`.
    func unpack(_ sha256: String, into directory: URL) async throws {
        guard let reader = try blobs.openReader(sha256: sha256) else {
            throw DepotError.notFound("artifact blob \(sha256) is missing", code: "ArtifactNotFound")
        }
        let zip = directory.deletingLastPathComponent().appendingPathComponent("in-\(UUID().uuidString.lowercased()).zip")
        defer { try? FileManager.default.removeItem(at: zip) }
        _ = FileManager.default.createFile(atPath: zip.path, contents: nil)
        let handle = try FileHandle(forWritingTo: zip)
        defer { reader.close() }
        do {
            while case let chunk = try reader.read(maxLength: 64 * 1024), !chunk.isEmpty { try handle.write(contentsOf: chunk) }
            try handle.close()
        } catch {
            try? handle.close()
            throw error
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let status = try await PipelineProcess.run(["unzip", "-q", "-o", zip.path, "-d", directory.path])
        guard status.code == 0 else { throw DepotError.badRequest("cannot unpack artifact: \(status.output)", code: "InvalidArtifact") }
    }
}

/// A finished writer handed to the collector's lock body; only that body touches it meanwhile.
private final class UncommittedBlob: @unchecked Sendable {
    private let writer: any BlobWriter

    init(_ writer: any BlobWriter) {
        self.writer = writer
    }

    func commit() throws {
        try writer.commit()
    }
}
