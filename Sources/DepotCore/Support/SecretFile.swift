import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file that holds a secret (the bootstrap admin token, the build-secrets key): mode 0600 from its first byte
/// (`O_CREAT|O_EXCL`, never created readable and then chmod'ed), written whole to a temporary name, fsynced, then
/// linked into place, which fails rather than replace a file that appeared meanwhile.
public enum SecretFile {
    /// Creates `path` holding `contents`; false when it already exists (its contents are left alone).
    @discardableResult
    public static func create(atPath path: String, contents: Data) throws -> Bool {
        let temp = path + ".tmp-\(getpid())"
        unlink(temp)
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw SecretFileError(path: temp, operation: "create") }
        defer { unlink(temp) }
        let written = contents.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let count = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
        let synced = fsync(fd) == 0
        close(fd)
        guard written, synced else { throw SecretFileError(path: temp, operation: "write") }
        if link(temp, path) != 0 {
            if errno == EEXIST { return false }
            throw SecretFileError(path: path, operation: "link")
        }
        return true
    }
}

public struct SecretFileError: Error, CustomStringConvertible {
    public let path: String
    public let operation: String
    public let code: Int32

    init(path: String, operation: String) {
        self.path = path
        self.operation = operation
        code = errno
    }

    public var description: String { "cannot \(operation) \(path): \(String(cString: strerror(code)))" }
}
