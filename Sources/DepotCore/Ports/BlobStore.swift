import Foundation

/// The blob port: content-addressed bytes, keyed by SHA-256 hex.
public protocol BlobStore: Sendable {
    /// Starts a streamed write to a temporary file; digests are computed as bytes arrive.
    func makeWriter() throws -> any BlobWriter
    func contains(sha256: String) -> Bool
    /// Opens a blob for streamed reading; nil when it does not exist.
    func openReader(sha256: String) throws -> (any BlobReader)?
    func delete(sha256: String) throws
    /// Every stored blob last written before `date` (the start-up sweep looks for ones no record names).
    func digests(modifiedBefore date: Date) throws -> [String]
}

/// Receives the bytes of one blob. Used by one task at a time.
public protocol BlobWriter: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Flushes and fsyncs the temporary file and returns its digests; nothing is visible yet.
    func finish() throws -> BlobDigests
    /// Moves the finished file to its content address (atomic rename). Returns false when the blob
    /// was already there (the temporary copy is then dropped).
    @discardableResult func commit() throws -> Bool
    /// Removes the temporary file. Safe to call after commit (then it does nothing).
    func discard()
    /// A local file holding the finished, uncommitted bytes, when the store keeps one (formats inspect
    /// uploads, e.g. a wheel's METADATA, before anything is recorded).
    var localFile: URL? { get }
}

extension BlobWriter {
    public func write(_ bytes: some Collection<UInt8>) throws {
        if let done: Void = try bytes.withContiguousStorageIfAvailable({ try write(UnsafeRawBufferPointer($0)) }) {
            return done
        }
        try Array(bytes).withUnsafeBytes { try write($0) }
    }
}

/// Reads one blob in chunks. Used by one task at a time.
public protocol BlobReader: AnyObject {
    var size: Int64 { get }
    /// Up to `maxLength` bytes; empty at the end.
    func read(maxLength: Int) throws -> [UInt8]
    /// Fills `buffer` from the current position and returns how many bytes it holds: fewer than `buffer.count`
    /// only at the end (0 there). A file reader reads straight into it (downloads read into the response's own
    /// buffers); the default copies from `read(maxLength:)`.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// Moves the position `count` bytes forward (where a `Range` request starts). The default reads and drops them.
    func skip(_ count: Int64) throws
    func close()
}

extension BlobReader {
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var filled = 0
        while filled < buffer.count {
            let chunk = try read(maxLength: buffer.count - filled)
            if chunk.isEmpty { break }
            UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]).copyBytes(from: chunk)
            filled += chunk.count
        }
        return filled
    }

    public func skip(_ count: Int64) throws {
        var left = count
        while left > 0 {
            let dropped = try read(maxLength: Int(min(left, 256 * 1024)))
            if dropped.isEmpty { return }
            left -= Int64(dropped.count)
        }
    }
}
