import DepotCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streams one blob to a temporary file while hashing it; `commit` renames it to its content address.
final class FileBlobWriter: BlobWriter {
    private let store: FileSystemBlobStore
    private let tempPath: String
    private var fd: Int32
    private var hasher = MultiHasher()
    private var digests: BlobDigests?
    private var committed = false

    init(store: FileSystemBlobStore) throws {
        self.store = store
        tempPath = store.tmpDirectory.appendingPathComponent(UUID().uuidString).path
        fd = open(tempPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw POSIXFileError(operation: "create", path: tempPath) }
    }

    deinit { discard() }

    var localFile: URL? { committed ? nil : URL(fileURLWithPath: tempPath) }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        precondition(digests == nil, "write after finish")
        hasher.update(bytes)
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw POSIXFileError(operation: "write", path: tempPath)
            }
            offset += n
        }
    }

    func finish() throws -> BlobDigests {
        if let digests { return digests }
        guard fsync(fd) == 0 else { throw POSIXFileError(operation: "fsync", path: tempPath) }
        close(fd)
        fd = -1
        let result = hasher.finalize()
        digests = result
        return result
    }

    @discardableResult
    func commit() throws -> Bool {
        let digests = try finish()
        guard !committed else { return false }
        guard let final = store.path(of: digests.sha256) else { return false }
        if FileManager.default.fileExists(atPath: final.path) {
            unlink(tempPath)
            committed = true
            return false
        }
        let directory = final.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        guard rename(tempPath, final.path) == 0 else { throw POSIXFileError(operation: "rename", path: final.path) }
        committed = true
        syncDirectory(directory)
        return true
    }

    func discard() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        if !committed {
            unlink(tempPath)
            committed = true
        }
    }
}

/// Reads a blob file in chunks.
final class FileBlobReader: BlobReader {
    private var fd: Int32
    let size: Int64

    init(fd: Int32) {
        self.fd = fd
        var info = stat()
        size = fstat(fd, &info) == 0 ? Int64(info.st_size) : 0
    }

    deinit { close() }

    func read(maxLength: Int) throws -> [UInt8] {
        guard fd >= 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: maxLength)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, maxLength) }
            if n < 0 {
                if errno == EINTR { continue }
                throw POSIXFileError(operation: "read", path: "blob")
            }
            buffer.removeSubrange(n...)
            return buffer
        }
    }

    /// read(2) straight into the caller's memory (a response's ByteBuffer), until it is full or the file ends.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard fd >= 0, let base = buffer.baseAddress else { return 0 }
        var filled = 0
        while filled < buffer.count {
            let n = Glibc.read(fd, base + filled, buffer.count - filled)
            if n < 0 {
                if errno == EINTR { continue }
                throw POSIXFileError(operation: "read", path: "blob")
            }
            if n == 0 { break }
            filled += n
        }
        return filled
    }

    func skip(_ count: Int64) throws {
        guard fd >= 0, count > 0 else { return }
        if lseek(fd, off_t(count), SEEK_CUR) < 0 { throw POSIXFileError(operation: "lseek", path: "blob") }
    }

    func close() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }
}
