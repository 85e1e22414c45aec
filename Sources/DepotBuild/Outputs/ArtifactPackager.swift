import Crypto
import DepotCore
import Foundation
import ZIPFoundation

/// Packs `artifacts:` (and each secondary artifact) into zip files: `files` globs under `base-directory`, minus
/// `exclude-paths`, flattened with `discard-paths`.
public struct ArtifactPackager: Sendable {
    public var sourceDirectory: URL
    public var outputDirectory: URL

    public init(sourceDirectory: URL, outputDirectory: URL) {
        self.sourceDirectory = sourceDirectory
        self.outputDirectory = outputDirectory
    }

    public func package(_ artifacts: BuildspecArtifacts) throws -> [BuildArtifact] {
        var all = [try package(artifacts, identifier: "primary", defaultName: "artifacts")]
        for (identifier, secondary) in artifacts.secondary.sorted(by: { $0.key < $1.key }) {
            all.append(try package(secondary, identifier: identifier, defaultName: identifier))
        }
        return all
    }

    /// The files an artifact takes: zip entry path -> file on disk.
    public func entries(_ artifacts: BuildspecArtifacts) throws -> [(entry: String, file: URL)] {
        guard let base = FileTree.contained(artifacts.baseDirectory ?? ".", in: sourceDirectory) else {
            throw DepotError.badRequest("base-directory \(artifacts.baseDirectory ?? "") is outside the source directory", code: "InvalidArtifacts")
        }
        let includes = artifacts.files.map(GlobPattern.init)
        let excludes = artifacts.excludePaths.map(GlobPattern.init)
        var seen: Set<String> = []
        var entries: [(entry: String, file: URL)] = []
        for path in FileTree.files(under: base) where includes.contains(where: { $0.matches(path) }) {
            guard !excludes.contains(where: { $0.matches(path) }) else { continue }
            let entry = artifacts.discardPaths ? (path as NSString).lastPathComponent : path
            guard seen.insert(entry).inserted else {
                throw DepotError.badRequest("two files would be \(entry) in the artifact (discard-paths)", code: "InvalidArtifacts")
            }
            entries.append((entry, base.appendingPathComponent(path)))
        }
        guard !entries.isEmpty else {
            throw DepotError.badRequest(
                "no matching artifact paths found for \(artifacts.files.joined(separator: ", "))", code: "InvalidArtifacts")
        }
        return entries
    }

    private func package(_ artifacts: BuildspecArtifacts, identifier: String, defaultName: String) throws -> BuildArtifact {
        let entries = try entries(artifacts)
        var name = artifacts.name ?? defaultName
        name = name.replacingOccurrences(of: "/", with: "-")
        if !name.hasSuffix(".zip") { name += ".zip" }
        try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
        let zip = outputDirectory.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: zip)
        let archive = try Archive(url: zip, accessMode: .create)
        for (entry, file) in entries {
            try archive.addEntry(with: entry, fileURL: file, compressionMethod: .deflate)
        }
        let (size, digest) = try Self.sizeAndDigest(zip)
        return BuildArtifact(identifier: identifier, name: name, files: entries.map(\.entry), size: size, sha256: digest, location: zip.path)
    }

    static func sizeAndDigest(_ file: URL) throws -> (Int64, String) {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        var hasher = SHA256()
        var size: Int64 = 0
        while let chunk = try handle.read(upToCount: 1 << 16), !chunk.isEmpty {
            hasher.update(data: chunk)
            size += Int64(chunk.count)
        }
        return (size, hasher.finalize().map { String(format: "%02x", $0) }.joined())
    }
}
