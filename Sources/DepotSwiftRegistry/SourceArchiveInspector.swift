import DepotCore
import DepotHTTP
import Foundation

/// A manifest read out of a source archive at publish time, so that manifest requests never open the zip.
struct ExtractedManifest: Sendable, Equatable {
    let file: PackageManifestFile
    let contents: Data
    /// The manifest's `swift-tools-version` (`5.9`).
    let toolsVersion: String
}

/// Checks an uploaded source archive without unpacking it: a zip that `swift package archive-source` could have
/// made (one top directory, as SwiftPM strips it on download) with safe entry names, within the limits on entries
/// and expanded size, holding `Package.swift` (and maybe version-specific manifests) in that top directory. Only the
/// manifests are read, each from its exact bytes with a bounded inflate (`ZipEntryReader`).
struct SourceArchiveInspector: Sendable {
    var maxEntries: Int
    var maxExpandedSize: Int
    var maxManifestSize = 1 << 20
    /// Version-specific manifests kept (each is a `Link` of every manifest response).
    var maxManifests = 32

    struct Inspection: Sendable, Equatable {
        /// `Package.swift` first, then the version-specific ones by name.
        var manifests: [ExtractedManifest]
        var topDirectory: String
    }

    func inspect(fileAt archive: URL) throws -> Inspection {
        guard ZipProbe.hasEndOfCentralDirectory(at: archive), let entries = ZipProbe.centralDirectory(at: archive) else {
            throw ProblemDetails.unprocessable("the source archive is not a readable zip archive (ZIP64 is not supported)")
        }
        guard !entries.isEmpty else { throw ProblemDetails.unprocessable("the source archive is empty") }
        guard entries.count <= maxEntries else {
            throw ProblemDetails.unprocessable("the source archive has more than \(maxEntries) entries")
        }
        var expanded: UInt64 = 0
        var top: Substring?
        for entry in entries {
            guard Self.isSafePath(entry.path) else {
                throw ProblemDetails.unprocessable("the source archive holds an unsafe path: '\(entry.path.prefix(200))'")
            }
            let (sum, overflow) = expanded.addingReportingOverflow(entry.uncompressedSize)
            guard !overflow, sum <= UInt64(maxExpandedSize) else {
                throw DepotError.tooLarge("the source archive expands to more than \(maxExpandedSize) bytes")
            }
            expanded = sum
            let first = entry.path.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            // A file at the top, or a second top directory: SwiftPM could not strip the first level.
            guard first.count == 2, top == nil || top == first[0] else {
                throw ProblemDetails.unprocessable("the source archive must hold the package in one top-level directory")
            }
            top = first[0]
        }
        let topDirectory = String(top ?? "")
        var manifests: [ExtractedManifest] = []
        var versioned = 0
        for entry in entries {
            let relative = entry.path.dropFirst(topDirectory.utf8.count + 1)
            guard !relative.contains("/"), let file = PackageManifestFile(filename: String(relative)) else { continue }
            guard !manifests.contains(where: { $0.file == file }) else {
                throw ProblemDetails.unprocessable("the source archive holds \(file.filename) twice")
            }
            if file.swiftVersion != nil {
                versioned += 1
                guard versioned <= maxManifests else {
                    throw ProblemDetails.unprocessable("the source archive has more than \(maxManifests) version-specific manifests")
                }
            }
            manifests.append(try read(file, entry: entry, in: archive))
        }
        guard manifests.contains(where: { $0.file.swiftVersion == nil }) else {
            throw ProblemDetails.unprocessable("package doesn't contain a valid manifest (Package.swift) in its top directory")
        }
        manifests.sort { $0.file < $1.file }
        return Inspection(manifests: manifests, topDirectory: topDirectory)
    }

    private func read(_ file: PackageManifestFile, entry: ZipProbe.Entry, in archive: URL) throws -> ExtractedManifest {
        let contents: Data
        do {
            contents = try ZipEntryReader.contents(of: entry, in: archive, limit: maxManifestSize)
        } catch ZipEntryReader.Failure.tooLarge {
            throw ProblemDetails.unprocessable("\(file.filename) is larger than \(maxManifestSize) bytes")
        } catch {
            throw ProblemDetails.unprocessable("\(file.filename) cannot be read from the source archive")
        }
        guard let text = String(data: contents, encoding: .utf8) else {
            throw ProblemDetails.unprocessable("\(file.filename) is not UTF-8 text")
        }
        guard let toolsVersion = ManifestToolsVersion.parse(text) else {
            throw ProblemDetails.unprocessable("\(file.filename) does not begin with a // swift-tools-version comment")
        }
        return ExtractedManifest(file: file, contents: contents, toolsVersion: toolsVersion)
    }

    /// A relative path of plain segments: no absolute path, backslash, NUL or control character, no `.` or `..`.
    static func isSafePath(_ path: String) -> Bool {
        guard !path.isEmpty, path.utf8.count <= 4096, !path.hasPrefix("/") else { return false }
        guard !path.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "\\") }) else {
            return false
        }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        // A directory entry ends with "/": only its last segment may be empty.
        for (index, segment) in segments.enumerated() {
            if segment.isEmpty, index == segments.count - 1, index > 0 { continue }
            if segment.isEmpty || segment == "." || segment == ".." { return false }
        }
        return true
    }
}
