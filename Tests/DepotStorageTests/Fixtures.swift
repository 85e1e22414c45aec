import DepotCore
import DepotStorage
import Foundation
import Logging
import Testing

/// A fresh temporary directory holding a SQLite store and a blob store, with the services wired on top.
final class StorageFixture: Sendable {
    static let connections: Set<String> = ["public:npmjs", "public:pypi", "public:maven-central"]

    let directory: URL
    let databasePath: String
    let store: SQLiteMetadataStore
    let blobs: FileSystemBlobStore
    let repositories: RepositoryService
    let packages: PackageService

    /// `formats`: what the package service knows of the formats a test publishes (identity, version policy).
    init(formats: FormatRegistry = FormatRegistry([])) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("depot-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        databasePath = directory.appendingPathComponent("depot.sqlite").path
        store = try SQLiteMetadataStore(path: databasePath)
        blobs = try FileSystemBlobStore(directory: directory)
        let collector = BlobCollector(store: store, blobs: blobs, logger: Logger(label: "depot.tests"))
        repositories = RepositoryService(store: store, collector: collector, externalConnections: Self.connections)
        packages = PackageService(store: store, blobs: blobs, collector: collector, formats: formats)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    func access(
        defaultLifetime: TimeInterval = 12 * 3600, maxLifetime: TimeInterval = 24 * 3600, now: Date? = nil
    ) -> AccessService {
        if let now {
            return AccessService(store: store, defaultLifetime: defaultLifetime, maxLifetime: maxLifetime, now: { now })
        }
        return AccessService(store: store, defaultLifetime: defaultLifetime, maxLifetime: maxLifetime)
    }

    /// A domain with the given repositories (created in order, each with its upstreams).
    @discardableResult
    func makeDomain(_ name: String = "acme", repositories specs: [(String, [String])] = [("store", [])]) async throws -> [Repository] {
        _ = try await repositories.createDomain(name: name)
        var created: [Repository] = []
        for (repoName, upstreams) in specs {
            created.append(
                try await repositories.createRepository(
                    domain: name, name: repoName, settings: RepositorySettings(upstreams: upstreams)))
        }
        return created
    }

    /// Streams `bytes` into a new blob writer, finished but not committed.
    func stage(_ bytes: [UInt8], chunkSize: Int = 7) throws -> (writer: any BlobWriter, digests: BlobDigests) {
        let writer = try blobs.makeWriter()
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + chunkSize, bytes.count)
            try writer.write(bytes[offset..<end])
            offset = end
        }
        return (writer, try writer.finish())
    }

    func stage(_ text: String) throws -> (writer: any BlobWriter, digests: BlobDigests) {
        try stage(Array(text.utf8))
    }

    /// Publishes one version with one asset whose bytes are `content`.
    @discardableResult
    func publish(
        _ key: PackageKey, _ version: String, content: String, to repository: Repository, origin: OriginType = .internal,
        tags: [String] = [], summary: String? = nil, assetName: String? = nil, allowsAddingAssets: Bool = false
    ) async throws -> PublishOutcome {
        let (writer, digests) = try stage(content)
        let new = NewVersion(
            key: key, version: version, origin: VersionOrigin(type: origin, repository: repository.name),
            publishedAt: Date(), summary: summary, metadata: Data("{\"v\":\"\(version)\"}".utf8),
            assets: [Asset(name: assetName ?? "\(key.name)-\(version).tgz", digests: digests)], tags: tags,
            allowsAddingAssets: allowsAddingAssets)
        return try await packages.publish(new, to: repository, blobs: [writer])
    }

    /// Every committed blob file, as digests.
    func committedBlobs() throws -> [String] {
        let root = directory.appendingPathComponent("blobs/sha256")
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else {
            return []
        }
        var found: [String] = []
        for case let url as URL in enumerator where (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
            found.append(url.lastPathComponent)
        }
        return found.sorted()
    }

    func temporaryFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("blobs/tmp").path)
    }

    func readBlob(_ sha256: String) throws -> [UInt8]? {
        guard let reader = try blobs.openReader(sha256: sha256) else { return nil }
        defer { reader.close() }
        var out: [UInt8] = []
        while true {
            let chunk = try reader.read(maxLength: 4096)
            if chunk.isEmpty { return out }
            out += chunk
        }
    }
}

func sha256(of text: String) -> String {
    var hasher = MultiHasher()
    Array(text.utf8).withUnsafeBytes { hasher.update($0) }
    return hasher.finalize().sha256
}

let npmKey = PackageKey(format: "npm", name: "left-pad")
