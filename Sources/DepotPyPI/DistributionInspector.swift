import CompressNIO
import DepotCore
import DepotHTTP
import Foundation
import NIOCore

/// The core metadata found inside an uploaded distribution.
public struct InspectedDistribution: Sendable, Hashable {
    /// The `METADATA` / `PKG-INFO` bytes exactly as stored in the archive: served unmodified at
    /// `<file>.metadata` (PEP 658), so their SHA-256 must match what the index advertises.
    public let metadataBytes: Data
    public let metadata: CoreMetadata
    /// Where in the archive the metadata was found (`pkg-1.0.dist-info/METADATA`).
    public let metadataPath: String
}

/// Opens an uploaded distribution (already on disk) and extracts its core metadata, reading only what
/// is needed and within fixed limits, so a hostile archive costs bounded memory and time.
/// Blocking file I/O: call it off the event loop.
public struct DistributionInspector: Sendable {
    /// Largest metadata file accepted.
    public var maxMetadataSize: Int
    /// How many bytes of an sdist tar stream may be decompressed while looking for PKG-INFO
    /// (hatchling writes PKG-INFO last, so the whole tar may have to be read).
    public var maxExpandedSize: Int
    /// Most entries an archive may have (zip central directory, tar headers).
    public var maxEntries: Int

    public init(
        maxMetadataSize: Int = CoreMetadata.maxSize, maxExpandedSize: Int = InputLimits().maxDecompressedSize,
        maxEntries: Int = InputLimits().maxArchiveEntries
    ) {
        self.maxMetadataSize = maxMetadataSize
        self.maxExpandedSize = maxExpandedSize
        self.maxEntries = maxEntries
    }

    public func inspect(fileAt path: String, as filename: DistributionFilename) throws -> InspectedDistribution {
        let found: (path: String, bytes: Data)
        switch (filename.kind, filename.fileExtension) {
        case (.wheel, _):
            found = try readZip(path, kind: "wheel", filename: filename) { components in
                components.count == 2 && components[1] == "METADATA" && components[0].hasSuffix(".dist-info")
                    && DistributionFilename.stem(
                        components[0].dropLast(".dist-info".count), matches: filename.projectName, version: filename.version)
            }
        case (.sdist, ".zip"):
            found = try readZip(path, kind: "sdist", filename: filename) { Self.isSdistPKGINFO($0, filename) }
        case (.sdist, ".tar.gz"):
            found = try readTarGz(path, filename: filename)
        default:
            throw DepotError.badRequest(
                "\(filename.fileExtension) sdists are not accepted (PEP 527): upload a .tar.gz sdist", code: "InvalidDistribution")
        }
        let metadata = try CoreMetadata(found.bytes)
        return InspectedDistribution(metadataBytes: found.bytes, metadata: metadata, metadataPath: found.path)
    }

    /// `{name}-{version}/PKG-INFO` at the top of the sdist, the directory naming this release.
    static func isSdistPKGINFO(_ components: [Substring], _ filename: DistributionFilename) -> Bool {
        components.count == 2 && components[1] == "PKG-INFO"
            && DistributionFilename.stem(components[0], matches: filename.projectName, version: filename.version)
    }

    private static func components(_ path: String) -> [Substring] {
        TarStreamReader.normalize(path).split(separator: "/")
    }

    private func readZip(
        _ path: String, kind: String, filename: DistributionFilename, isMetadata: ([Substring]) -> Bool
    ) throws -> (path: String, bytes: Data) {
        let file = URL(fileURLWithPath: path)
        // Read with ZipProbe, not ZIPFoundation: its inflater never returns from a deflate stream that does not end
        // before the end of the file (a 544-byte wheel found by fuzzing hung a thread).
        guard ZipProbe.hasEndOfCentralDirectory(at: file), let entries = ZipProbe.centralDirectory(at: file) else {
            throw DepotError.badRequest(
                "not a valid \(kind): \(filename.filename) is not a zip archive (or a ZIP64 one, which is not read)", code: "InvalidDistribution")
        }
        guard entries.count <= maxEntries else {
            throw DepotError.badRequest("not a valid \(kind): \(filename.filename) has more than \(maxEntries) entries", code: "TooManyEntries")
        }
        let candidates = entries.filter { !$0.path.hasSuffix("/") && isMetadata(Self.components($0.path)) }
        guard let entry = candidates.first else {
            let expected = kind == "wheel"
                ? "\(filename.name)-\(filename.version).dist-info/METADATA" : "\(filename.name)-\(filename.version)/PKG-INFO"
            throw DepotError.badRequest("not a valid \(kind): \(filename.filename) has no \(expected)", code: "InvalidDistribution")
        }
        guard candidates.count == 1 else {
            throw DepotError.badRequest(
                "not a valid \(kind): \(filename.filename) has more than one metadata file for this release", code: "InvalidDistribution")
        }
        do {
            return (entry.path, try ZipEntryReader.contents(of: entry, in: file, limit: maxMetadataSize))
        } catch ZipEntryReader.Failure.tooLarge {
            throw DepotError.badRequest("\(entry.path) inflates to more than the \(maxMetadataSize) bytes allowed", code: "MetadataTooLarge")
        } catch {
            throw DepotError.badRequest(
                "not a valid \(kind): \(entry.path) in \(filename.filename) cannot be read", code: "InvalidDistribution")
        }
    }

    /// Streams the file through gzip and a tar reader, stopping at PKG-INFO.
    private func readTarGz(_ path: String, filename: DistributionFilename) throws -> (path: String, bytes: Data) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DepotError(.internalError, code: "InternalError", "cannot open the uploaded file")
        }
        defer { try? handle.close() }
        let decompressor = CompressionAlgorithm.gzip().decompressor
        try decompressor.startStream()
        defer { try? decompressor.finishStream() }

        var tar = TarStreamReader(maxEntrySize: maxMetadataSize, maxEntries: maxEntries) { Self.isSdistPKGINFO(Self.components($0), filename) }
        let chunkSize = 64 * 1024
        var output = ByteBufferAllocator().buffer(capacity: chunkSize)
        var expanded = 0
        reading: while true {
            guard let chunk = try handle.read(upToCount: chunkSize), !chunk.isEmpty else { break }
            var input = ByteBuffer(bytes: chunk)
            while input.readableBytes > 0 {
                output.clear()
                let unread = input.readableBytes
                var streamEnded = false
                do {
                    try decompressor.streamInflate(from: &input, to: &output)
                    // A normal return with input left over means the gzip stream has ended.
                    streamEnded = input.readableBytes > 0
                } catch let error as CompressNIOError where error == .bufferOverflow || error == .inputBufferOverflow {
                    // Output full, or more input needed: both are the normal course of streaming.
                } catch {
                    throw DepotError.badRequest(
                        "not a valid sdist: \(filename.filename) is not a valid gzip file", code: "InvalidDistribution")
                }
                expanded += output.readableBytes
                guard expanded <= maxExpandedSize else {
                    throw DepotError(
                        .payloadTooLarge, code: "DecompressedTooLarge",
                        "\(filename.filename) expands to more than \(maxExpandedSize) bytes before PKG-INFO")
                }
                if let entry = try output.withUnsafeReadableBytes({ try tar.consume($0) }) {
                    return (entry.path, Data(entry.data))
                }
                if tar.isFinished || streamEnded || (output.readableBytes == 0 && input.readableBytes == unread) {
                    break reading
                }
            }
        }
        throw DepotError.badRequest(
            "not a valid sdist: \(filename.filename) has no \(filename.name)-\(filename.version)/PKG-INFO", code: "InvalidDistribution")
    }
}
