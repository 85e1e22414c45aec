import DepotCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Content-addressed blobs on a local filesystem: `blobs/sha256/ab/cd/<digest>`.
/// Writes go to `blobs/tmp/`, are fsynced, then renamed into place, so a crash never exposes half a file.
public struct FileSystemBlobStore: BlobStore {
    let root: URL

    public init(directory: URL) throws {
        root = directory.appendingPathComponent("blobs", isDirectory: true)
        try FileManager.default.createDirectory(at: tmpDirectory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("sha256", isDirectory: true), withIntermediateDirectories: true)
        // Temporary files left by a crash are never referenced: clear them.
        for leftover in (try? FileManager.default.contentsOfDirectory(atPath: tmpDirectory.path)) ?? [] {
            try? FileManager.default.removeItem(at: tmpDirectory.appendingPathComponent(leftover))
        }
    }

    var tmpDirectory: URL { root.appendingPathComponent("tmp", isDirectory: true) }

    /// The final path of a digest; nil unless it is 64 lowercase hex digits (no path can be smuggled in).
    func path(of sha256: String) -> URL? {
        guard sha256.utf8.count == 64, sha256.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            return nil
        }
        let chars = Array(sha256)
        return root.appendingPathComponent("sha256/\(String(chars[0..<2]))/\(String(chars[2..<4]))/\(sha256)")
    }

    public func makeWriter() throws -> any BlobWriter {
        try FileBlobWriter(store: self)
    }

    public func contains(sha256: String) -> Bool {
        guard let path = path(of: sha256) else { return false }
        return FileManager.default.fileExists(atPath: path.path)
    }

    public func openReader(sha256: String) throws -> (any BlobReader)? {
        guard let path = path(of: sha256) else { return nil }
        let fd = open(path.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw POSIXFileError(operation: "open", path: path.path)
        }
        return FileBlobReader(fd: fd)
    }

    public func digests(modifiedBefore date: Date) throws -> [String] {
        let base = root.appendingPathComponent("sha256", isDirectory: true)
        var found: [String] = []
        for first in try FileManager.default.contentsOfDirectory(atPath: base.path) {
            let level1 = base.appendingPathComponent(first)
            for second in (try? FileManager.default.contentsOfDirectory(atPath: level1.path)) ?? [] {
                let level2 = level1.appendingPathComponent(second)
                for name in (try? FileManager.default.contentsOfDirectory(atPath: level2.path)) ?? [] where path(of: name) != nil {
                    let attributes = try? FileManager.default.attributesOfItem(atPath: level2.appendingPathComponent(name).path)
                    if let modified = attributes?[.modificationDate] as? Date, modified < date { found.append(name) }
                }
            }
        }
        return found
    }

    public func delete(sha256: String) throws {
        guard let path = path(of: sha256) else { return }
        if unlink(path.path) != 0, errno != ENOENT {
            throw POSIXFileError(operation: "unlink", path: path.path)
        }
    }
}

struct POSIXFileError: Error, CustomStringConvertible {
    let operation: String
    let path: String
    let code: Int32

    init(operation: String, path: String) {
        self.operation = operation
        self.path = path
        self.code = errno
    }

    var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
}

/// fsyncs a directory so a rename inside it survives a crash.
func syncDirectory(_ url: URL) {
    let fd = open(url.path, O_RDONLY | O_DIRECTORY)
    if fd >= 0 {
        fsync(fd)
        close(fd)
    }
}
