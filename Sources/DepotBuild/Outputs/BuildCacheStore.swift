import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Keeps `cache.paths` between builds of one project: saved under the cache key after a build, restored before
/// the next from the key or else the first fallback key that matches (exactly, then as a prefix of a saved key).
/// Paths are directories under the source directory or the build's HOME (`~/.m2`, `node_modules/**/*`).
public struct BuildCacheStore: Sendable {
    public var root: URL

    public init(root: URL) {
        self.root = root
    }

    /// Restores the best matching entry; returns the key it came from, or nil when nothing matched.
    public func restore(project: String, cache: BuildspecCache, sourceDirectory: URL, home: URL) throws -> String? {
        let projectDirectory = root.appendingPathComponent(Self.hex(project))
        let saved = ((try? FileManager.default.contentsOfDirectory(atPath: projectDirectory.path)) ?? []).compactMap(Self.unhex)
        let wanted = [cache.key ?? "default"] + cache.fallbackKeys
        let match = wanted.lazy.compactMap { key in saved.contains(key) ? key : saved.sorted().last { $0.hasPrefix(key) } }.first
        guard let match else { return nil }
        let entry = projectDirectory.appendingPathComponent(Self.hex(match))
        // A save of the same project must not swap the entry while it is copied.
        let lock = try Self.lock(projectDirectory)
        defer { Self.unlock(lock) }
        for (index, path) in cache.paths.enumerated() {
            guard let target = Self.directory(path, sourceDirectory: sourceDirectory, home: home) else { continue }
            let stored = entry.appendingPathComponent(String(index))
            guard FileManager.default.fileExists(atPath: stored.path) else { continue }
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: stored, to: target)
        }
        return match
    }

    /// Saves the cache paths that exist under the build's key, replacing what was there.
    public func save(project: String, cache: BuildspecCache, sourceDirectory: URL, home: URL) throws {
        let projectDirectory = root.appendingPathComponent(Self.hex(project))
        let entry = projectDirectory.appendingPathComponent(Self.hex(cache.key ?? "default"))
        let staging = projectDirectory.appendingPathComponent(".staging-\(UUID().uuidString)")
        // Gone after the move; a failed copy must not leave it behind.
        defer { try? FileManager.default.removeItem(at: staging) }
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        for (index, path) in cache.paths.enumerated() {
            guard let source = Self.directory(path, sourceDirectory: sourceDirectory, home: home),
                FileManager.default.fileExists(atPath: source.path)
            else { continue }
            try FileManager.default.copyItem(at: source, to: staging.appendingPathComponent(String(index)))
        }
        // Concurrent builds of the project (in this server, or a `depot build run` sharing the directory) swap
        // entries one at a time: remove-then-move would race.
        let lock = try Self.lock(projectDirectory)
        defer { Self.unlock(lock) }
        try? FileManager.default.removeItem(at: entry)
        try FileManager.default.moveItem(at: staging, to: entry)
    }

    /// Removes the caches of every project of `domain` (server builds key them `domain/project`).
    public func removeProjects(inDomain domain: String) {
        let prefix = Self.hex(domain + "/")
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [] where entry.hasPrefix(prefix) {
            try? FileManager.default.removeItem(at: root.appendingPathComponent(entry))
        }
    }

    /// An exclusive lock on a project's cache (`flock` on its `.lock` file, which `unhex` never lists).
    private static func lock(_ projectDirectory: URL) throws -> Int32 {
        try FileManager.default.createDirectory(at: projectDirectory, withIntermediateDirectories: true)
        let descriptor = open(projectDirectory.appendingPathComponent(".lock").path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: projectDirectory.path]) }
        flock(descriptor, LOCK_EX)
        return descriptor
    }

    private static func unlock(_ descriptor: Int32) {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    /// `node_modules/**/*` -> <src>/node_modules, `~/.m2/**/*` or `$HOME/.m2` -> <home>/.m2; nil outside both.
    static func directory(_ path: String, sourceDirectory: URL, home: URL) -> URL? {
        var text = path
        for suffix in ["/**/*", "/**", "/*"] where text.hasSuffix(suffix) {
            text.removeLast(suffix.count)
            break
        }
        for prefix in ["~/", "$HOME/", "${HOME}/"] where text.hasPrefix(prefix) {
            return FileTree.contained(String(text.dropFirst(prefix.count)), in: home)
        }
        guard !text.contains("*") else { return nil }
        return FileTree.contained(text, in: sourceDirectory) ?? FileTree.contained(text, in: home)
    }

    static func hex(_ text: String) -> String {
        text.utf8.map { String(format: "%02x", $0) }.joined()
    }

    static func unhex(_ text: String) -> String? {
        guard text.count % 2 == 0, !text.hasPrefix(".") else { return nil }
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
