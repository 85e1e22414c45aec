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
    func close()
}
