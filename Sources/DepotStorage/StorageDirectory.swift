import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The server's data directory holds tokens' hashes, the secrets key, every blob: only its owner may enter it.
public enum StorageDirectory {
    /// Creates the directory (mode 0700) or narrows an existing one to 0700.
    public static func prepare(_ directory: URL) throws {
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        guard chmod(directory.path, 0o700) == 0 else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: directory.path])
        }
    }

    /// The SQLite database and its WAL and shared-memory files: 0600 (SQLite creates them 0644).
    public static func restrictDatabase(at path: String) {
        for file in [path, path + "-wal", path + "-shm"] { chmod(file, 0o600) }
    }
}
