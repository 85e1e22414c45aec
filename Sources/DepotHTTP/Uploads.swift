import DepotCore
import Hummingbird

/// The one way a client's upload becomes a version, whatever its format: the body is streamed under one size
/// limit into blob writers this type owns, and the parsed version is published with both halves of origin control
/// (the upstream check against dependency confusion, then the package's own controls inside the write) and the
/// format's version policy. Controllers only parse the bytes and render the answer.
public struct Uploads: Sendable {
    let packages: PackageService
    let upstreams: UpstreamService

    public init(packages: PackageService, upstreams: UpstreamService) {
        self.packages = packages
        self.upstreams = upstreams
    }

    /// Feeds the request body to `consume` chunk by chunk, refusing it with 413 as soon as it is larger than
    /// `limit` (before reading anything when `Content-Length` says so). `what` names the body in the error.
    public func receive(
        _ request: Request, limit: Int, what: String = "the request body", _ consume: (ByteBuffer) throws -> Void
    ) async throws {
        let tooLarge = DepotError.tooLarge("\(what) is larger than the limit of \(limit) bytes")
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit { throw tooLarge }
        var received = 0
        for try await chunk in request.body {
            // Adding a chunk's size cannot overflow before the limit (both are far below Int.max) is passed.
            received += chunk.readableBytes
            guard received <= limit else { throw tooLarge }
            try consume(chunk)
        }
    }

    /// Where an upload's files are written while it is parsed.
    public func files() -> UploadFiles { UploadFiles(packages: packages) }

    /// Publishes `new`, whose assets are the finished writers of `files`, to `repository`.
    @discardableResult
    public func publish(_ new: NewVersion, files: UploadFiles, to repository: Repository) async throws -> PublishOutcome {
        try await upstreams.ensurePublishable(new.key, to: repository)
        return try await packages.publish(new, to: repository, blobs: files.writers)
    }
}

/// The blob writers of one upload. Whatever is not published is discarded when the upload ends (this object goes
/// away), so no path through a controller can leave a temporary file behind.
public final class UploadFiles {
    private let packages: PackageService
    public private(set) var writers: [any BlobWriter] = []

    init(packages: PackageService) {
        self.packages = packages
    }

    /// A new writer, owned by this upload.
    public func makeWriter() throws -> any BlobWriter {
        let writer = try packages.makeBlobWriter()
        writers.append(writer)
        return writer
    }

    deinit {
        // Discarding after a commit does nothing: the committed blob stays.
        for writer in writers { writer.discard() }
    }
}
