import DepotCore
import Foundation

/// What Depot stores per PyPI version (opaque to the core): each file's index attributes, yank state
/// (PEP 592) and the version's summary and dependencies from its core metadata.
struct PyPIVersionMetadata: Codable, Sendable, Equatable {
    struct File: Codable, Sendable, Equatable {
        var requiresPython: String?
        var uploadTime: Date
        var yanked: Bool = false
        var yankedReason: String?
        /// The file's METADATA is stored as the asset `<filename>.metadata` (PEP 658).
        var hasMetadata: Bool
    }

    var files: [String: File]
    var summary: String?
    var requiresDist: [String]

    init(files: [String: File], summary: String?, requiresDist: [String]) {
        self.files = files
        self.summary = summary
        self.requiresDist = requiresDist
    }

    init(data: Data) throws {
        do {
            self = try Self.decoder.decode(Self.self, from: data)
        } catch {
            throw DepotError(.internalError, code: "CorruptMetadata", "stored PyPI metadata is unreadable")
        }
    }

    func encoded() throws -> Data { try Self.encoder.encode(self) }

    /// Adds the files of a new upload to a version's stored metadata (the core calls this in its transaction).
    @Sendable static func merge(stored: Data, new: Data) throws -> Data {
        var merged = try PyPIVersionMetadata(data: stored)
        let added = try PyPIVersionMetadata(data: new)
        for (name, file) in added.files where merged.files[name] == nil { merged.files[name] = file }
        if merged.summary == nil { merged.summary = added.summary }
        return try merged.encoded()
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }()
}
