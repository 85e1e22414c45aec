import CompressNIO
import DepotCore
import Foundation
import NIOCore

/// Reads one file of an uploaded zip (a wheel's METADATA, a jar's plugin descriptor) from the exact bytes the
/// central directory names (`ZipProbe`), inflated into a buffer of at most `limit` bytes. Unlike ZIPFoundation's
/// reader, whose inflate loop never returns when a deflate stream runs to the end of the file, this always ends.
public enum ZipEntryReader {
    public enum Failure: Error, Equatable {
        /// It inflates (or is stored) beyond the limit.
        case tooLarge
        /// Cut short, corrupt, or compressed with a method other than stored and deflate.
        case unreadable
    }

    public static func contents(of entry: ZipProbe.Entry, in file: URL, limit: Int) throws -> Data {
        guard entry.uncompressedSize <= UInt64(limit), entry.compressedSize <= UInt64(limit) + 1024 else { throw Failure.tooLarge }
        guard let raw = try? ZipProbe.rawBytes(of: entry, in: file) else { throw Failure.unreadable }
        switch entry.method {
        case 0:
            return raw
        case 8:
            var input = ByteBuffer(bytes: raw)
            var output = ByteBufferAllocator().buffer(capacity: limit)
            do {
                try input.decompress(to: &output, with: .deflate())
            } catch let error as CompressNIOError where error == .bufferOverflow {
                throw Failure.tooLarge
            } catch {
                throw Failure.unreadable
            }
            return Data(output.readableBytesView)
        default:
            throw Failure.unreadable
        }
    }
}
