import DepotCore
import Foundation
import NIOCore

@testable import DepotPyPI

extension FuzzTargets {
    /// Selector bit 0 clear: a raw tar stream through `TarStreamReader`, in chunks; set: a .tar.gz sdist
    /// through `DistributionInspector` (gzip, tar, then core metadata), as an upload is inspected.
    static let sdist = FuzzTarget(name: "sdist", summary: "tar reader and .tar.gz sdist inspection") { bytes in
        let input = FuzzInput(bytes)
        if input.selector & 1 == 0 {
            var reader = TarStreamReader(maxEntrySize: 1 << 16) { $0.hasSuffix("PKG-INFO") }
            for chunk in input.chunks {
                guard let entry = try? chunk.withUnsafeBytes({ try reader.consume($0) }) else { continue }
                _ = try? CoreMetadata(Data(entry.data))
                return
            }
        } else {
            inspect(input.rest, as: "pkg-1.0.tar.gz")
        }
    }

    /// A wheel (zip) through `ZipProbe`, ZIPFoundation and `DistributionInspector`.
    static let wheel = FuzzTarget(name: "wheel", summary: "wheel (zip) inspection") { bytes in
        inspect(bytes, as: "pkg-1.0-py3-none-any.whl")
    }

    /// Selector picks PEP 440 versions, distribution file names, semver, npm names or Maven versions;
    /// parsed values must survive their own canonical spelling.
    static let names = FuzzTarget(name: "names", summary: "PEP 440, wheel/sdist file names, semver, npm names, Maven versions") {
        bytes in
        let input = FuzzInput(bytes)
        let text = input.text
        switch input.selector % 5 {
        case 0:
            guard let version = PEP440Version(text) else { return }
            let again = PEP440Version(version.description)
            check(again == version, "PEP 440 '\(text)' -> '\(version)' does not parse back to itself")
            _ = version < PEP440Version("1.0")!
            _ = version.hashValue
        case 1:
            guard let file = try? DistributionFilename(text) else { return }
            check(file.matches(project: file.name, version: file.version), "\(text) does not match its own name and version")
            _ = (file.pythonTags, file.abiTags, file.platformTags)
        default:
            fuzzOtherFormatNames(input.selector % 5, text)
        }
    }

    static let coreMetadata = FuzzTarget(name: "core-metadata", summary: "wheel METADATA / sdist PKG-INFO") { bytes in
        guard let metadata = try? CoreMetadata(Data(bytes)) else { return }
        _ = (metadata.name, metadata.version, metadata.summary, metadata.requiresPython, metadata.requiresDist)
        _ = (metadata.providesExtra, metadata.classifiers, metadata.description, metadata.descriptionContentType)
        _ = PEP440Version(metadata.version)
        _ = try? PyPIProjectName(metadata.name)
    }

    /// twine's multipart upload: the first line is the Content-Type header, the rest the body, fed in chunks.
    static let multipart = FuzzTarget(name: "multipart", summary: "twine multipart/form-data upload form") { bytes in
        let input = FuzzInput(bytes)
        let newline = input.rest.firstIndex(of: UInt8(ascii: "\n")) ?? input.rest.endIndex
        let header = String(decoding: input.rest[..<newline], as: UTF8.self)
        let body = FuzzInput([input.selector] + input.rest[min(newline + 1, input.rest.endIndex)...])
        let boundary = PyPIController.boundary(header) ?? "boundary"
        guard let form = try? UploadForm(boundary: boundary, writer: MemoryBlobWriter(), limit: 1 << 20) else { return }
        for chunk in body.chunks {
            guard (try? form.feed(ByteBuffer(bytes: chunk))) != nil else { return }
        }
        guard let upload = try? form.finish() else { return }
        _ = try? DistributionFilename(upload.filename)
        _ = try? PyPIController.verifyDigests(upload.fields, against: upload.digests)
        _ = upload.fields["version"].flatMap(PEP440Version.init)
        _ = upload.fields["name"].flatMap { try? PyPIProjectName($0) }
    }

    /// Writes the bytes where the inspector can open them, as the upload path does with its temp file.
    private static func inspect(_ bytes: [UInt8], as name: String) {
        let path = scratchFile(name)
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)),
            let filename = try? DistributionFilename(name)
        else { return }
        let inspector = DistributionInspector(maxMetadataSize: 1 << 16, maxExpandedSize: 4 << 20)
        _ = try? inspector.inspect(fileAt: path, as: filename)
    }

    /// One file per process and name, in memory when /dev/shm exists.
    private static func scratchFile(_ name: String) -> String {
        let directory = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        return "\(directory)/depot-fuzz-\(getpid())-\(name)"
    }
}
