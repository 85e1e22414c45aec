import DepotCore
import DepotHTTP
import Foundation
import Hummingbird

extension PyPIController {
    /// twine's legacy upload: multipart/form-data streamed part by part; the `content` part goes straight
    /// into a blob writer, the other fields are small and kept.
    @Sendable func upload(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let target = try await open(context, request: request, permission: .publish)
        guard let boundary = Self.boundary(request.headers[.contentType]) else {
            throw DepotError.badRequest("the upload must be multipart/form-data with a boundary", code: "MalformedBody")
        }
        let files = uploads.files()
        let form = try UploadForm(
            boundary: boundary, writer: try files.makeWriter(), limit: maxUploadSize, maxFields: limits.maxFormFields,
            maxFieldsSize: limits.maxFormFieldsSize)
        try await uploads.receive(request, limit: maxUploadSize, what: "the upload") { try form.feed($0) }
        let upload = try form.finish()

        let filename = try DistributionFilename(upload.filename)
        guard upload.fields[":action"] == "file_upload" else {
            throw DepotError.badRequest("unsupported :action (only file_upload)", code: "MalformedBody")
        }
        guard let name = upload.fields["name"], let versionText = upload.fields["version"],
            let project = try? PyPIProjectName(name), let version = PEP440Version(versionText)
        else {
            throw DepotError.badRequest("the form needs a valid name and PEP 440 version", code: "MalformedBody")
        }
        guard filename.matches(project: name, version: versionText) else {
            throw DepotError.badRequest(
                "the filename \(filename.filename) does not match the project \(name) \(versionText)", code: "FilenameMismatch")
        }
        let filetype = upload.fields["filetype"]
        guard filetype == (filename.kind == .wheel ? "bdist_wheel" : "sdist") else {
            throw DepotError.badRequest("filetype \(filetype ?? "(none)") does not match \(filename.filename)", code: "MalformedBody")
        }
        let digests = upload.digests
        try Self.verifyDigests(upload.fields, against: digests)
        guard digests.size > 0 else { throw DepotError.badRequest("the file is empty", code: "MalformedBody") }

        guard let local = form.writer.localFile else {
            throw DepotError(.internalError, code: "NoLocalFile", "the blob store cannot expose uploads for inspection")
        }
        let inspected = try inspector.inspect(fileAt: local.path, as: filename)
        guard (try? PyPIProjectName(inspected.metadata.name))?.normalized == project.normalized,
            PEP440Version(inspected.metadata.version) == version
        else {
            throw DepotError.badRequest(
                "the distribution's metadata names \(inspected.metadata.name) \(inspected.metadata.version), not \(name) \(versionText)",
                code: "MetadataMismatch")
        }

        // The wheel's METADATA is served at `<file>.metadata` (PEP 658), stored as an asset of its own.
        var assets = [Asset(name: filename.filename, digests: digests)]
        let hasMetadata = filename.kind == .wheel
        if hasMetadata {
            let metadataWriter = try files.makeWriter()
            try inspected.metadataBytes.withUnsafeBytes { try metadataWriter.write($0) }
            assets.append(Asset(name: filename.filename + ".metadata", digests: try metadataWriter.finish()))
        }
        let metadata = PyPIVersionMetadata(
            files: [
                filename.filename: .init(
                    requiresPython: inspected.metadata.requiresPython, uploadTime: Date(), hasMetadata: hasMetadata)
            ],
            summary: inspected.metadata.summary, requiresDist: inspected.metadata.requiresDist)
        let new = NewVersion(
            key: Self.key(project), version: version.normalized,
            origin: VersionOrigin(type: .internal, repository: target.repository.name), publishedAt: Date(),
            summary: inspected.metadata.summary, metadata: try metadata.encoded(), assets: assets)
        do {
            try await uploads.publish(new, files: files, to: target.repository)
        } catch let error as DepotError where error.code == "VersionExists" {
            // PyPI's wording: a filename once used never comes back with other bytes.
            throw DepotError.badRequest(
                "File already exists ('\(filename.filename)'). See https://pypi.org/help/#file-name-reuse", code: "FileExists")
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "OK\n")))
    }

    /// `sha256_digest` and `md5_digest` (either may be sent; at least one must be) are checked against the bytes.
    static func verifyDigests(_ fields: [String: String], against digests: BlobDigests) throws {
        let sha256 = fields["sha256_digest"]?.lowercased()
        let md5 = fields["md5_digest"]?.lowercased()
        guard sha256 != nil || md5 != nil else {
            throw DepotError.badRequest("the upload must carry sha256_digest", code: "MissingDigest")
        }
        if let sha256, sha256 != digests.sha256 {
            throw DepotError.badRequest("sha256_digest does not match the uploaded file", code: "DigestMismatch")
        }
        if let md5, md5 != digests.md5 {
            throw DepotError.badRequest("md5_digest does not match the uploaded file", code: "DigestMismatch")
        }
    }

    static func boundary(_ contentType: String?) -> String? {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                let value = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                return value.isEmpty || value.count > 200 ? nil : value
            }
        }
        return nil
    }

    // MARK: Yank (PEP 592)

    @Sendable func yank(_ request: Request, context: DepotRequestContext) async throws -> Response {
        struct Body: Decodable {
            var reason: String?
            var file: String?
        }
        // The caller's right before the body is read.
        let target = try await open(context, request: request, permission: .publish)
        let body = try await BodyStreaming.collectJSON(request, limit: 64 * 1024, limits: limits)
        let decoded = body.isEmpty ? Body() : (try? JSONDecoder().decode(Body.self, from: body))
        guard let decoded else { throw DepotError.badRequest("malformed JSON body", code: "MalformedBody") }
        return try await setYanked(true, reason: decoded.reason, file: decoded.file, target: target, context: context)
    }

    @Sendable func unyank(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let file = request.uri.queryParameters["file"].map(String.init)
        let target = try await open(context, request: request, permission: .publish)
        return try await setYanked(false, reason: nil, file: file, target: target, context: context)
    }

    private func setYanked(
        _ yanked: Bool, reason: String?, file: String?, target: Target, context: DepotRequestContext
    ) async throws -> Response {
        let raw = try context.parameters.require("project")
        let project = try PyPIProjectName(raw.removingPercentEncoding ?? raw)
        let versionName = try context.parameters.require("version")
        guard let package = try await packages.package(in: target.repository, key: Self.key(project)) else {
            throw DepotError.notFound("project \(project.normalized) not found", code: "PackageNotFound")
        }
        let outcome = try await packages.setYanked(
            YankChange(yanked: yanked, reason: reason, file: file), of: PEP440Version(versionName)?.normalized ?? versionName, in: package)
        let files = outcome.files.keys.sorted().map { ["file": $0, "yanked": outcome.files[$0]! ? "true" : "false"] }
        let data = try JSONSerialization.data(withJSONObject: ["project": project.normalized, "version": outcome.version, "files": files])
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Streams a multipart/form-data body: the `content` part into the blob writer (hashing as it goes), the
/// other parts into small strings. Used by one task only.
final class UploadForm {
    struct Result {
        var fields: [String: String]
        var filename: String
        var digests: BlobDigests
    }

    let writer: any BlobWriter
    private let parser: MultipartFormParser
    private let limit: Int
    /// Parts of the form (the file part included) and bytes of all non-file fields together: junk fields are
    /// refused while they arrive instead of being kept.
    private let maxFields: Int
    private let maxFieldsSize: Int
    private var partCount = 0
    private var fieldBytes = 0
    private var received = 0
    private var currentName: String?
    private var currentFilename: String?
    private var currentValue: [UInt8] = []
    private var fields: [String: String] = [:]
    private var contentFilename: String?
    private var contentComplete = false
    private var failure: DepotError?

    init(
        boundary: String, writer: any BlobWriter, limit: Int, maxFields: Int = InputLimits().maxFormFields,
        maxFieldsSize: Int = InputLimits().maxFormFieldsSize
    ) throws {
        self.writer = writer
        self.limit = limit
        self.maxFields = maxFields
        self.maxFieldsSize = maxFieldsSize
        parser = MultipartFormParser(boundary: boundary)
        parser.onHeader = { [unowned self] name, value in
            guard name.lowercased() == "content-disposition" else { return }
            partCount += 1
            guard partCount <= maxFields else {
                if failure == nil {
                    failure = DepotError.badRequest("the form has more than \(maxFields) fields", code: "TooManyFields")
                }
                return
            }
            currentName = Self.parameter("name", in: value)
            currentFilename = Self.parameter("filename", in: value)
            if currentName == "content" { contentFilename = currentFilename }
        }
        parser.onBody = { [unowned self] buffer in
            guard failure == nil else { return }
            if currentName == "content" {
                do {
                    try buffer.withUnsafeReadableBytes { try writer.write($0) }
                } catch {
                    failure = DepotError(.internalError, code: "WriteFailed", "could not store the upload")
                }
            } else {
                fieldBytes += buffer.readableBytes
                guard fieldBytes <= maxFieldsSize else {
                    failure = DepotError.tooLarge(
                        "the form's fields (without the file) are larger than \(maxFieldsSize) bytes (at \(currentName ?? "?"))")
                    return
                }
                currentValue.append(contentsOf: buffer.readableBytesView)
            }
        }
        parser.onPartComplete = { [unowned self] in
            if currentName == "content" {
                contentComplete = true
            } else if let name = currentName {
                fields[name] = String(decoding: currentValue, as: UTF8.self)
            }
            currentName = nil
            currentFilename = nil
            currentValue = []
        }
    }

    func feed(_ chunk: ByteBuffer) throws {
        received += chunk.readableBytes
        guard received <= limit else { throw DepotError.tooLarge("the upload is larger than the limit of \(limit) bytes") }
        do {
            try parser.execute(chunk)
        } catch {
            throw DepotError.badRequest("malformed multipart body", code: "MalformedBody")
        }
        if let failure { throw failure }
    }

    /// The parsed form; a body cut off before the file part ended is refused.
    func finish() throws -> Result {
        guard let filename = contentFilename, contentComplete else {
            throw DepotError.badRequest("the multipart body is incomplete or has no file part named content", code: "MalformedBody")
        }
        return Result(fields: fields, filename: filename, digests: try writer.finish())
    }

    /// `name="x"` or `filename="y"` from a Content-Disposition value.
    static func parameter(_ key: String, in header: String) -> String? {
        for part in header.split(separator: ";").dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == key else { continue }
            var value = pair[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }
}
