import DepotCore
import Foundation
import ZIPFoundation

/// Keeps written bytes in memory (the form only writes and finishes).
final class InMemoryBlobWriter: BlobWriter {
    private(set) var bytes: [UInt8] = []
    private var hasher = MultiHasher()
    var localFile: URL? { nil }

    func write(_ chunk: UnsafeRawBufferPointer) throws {
        bytes.append(contentsOf: chunk)
        hasher.update(chunk)
    }

    func finish() throws -> BlobDigests { hasher.finalize() }
    func commit() throws -> Bool { true }
    func discard() {}
}

/// Zip archives written by ZIPFoundation into a temporary directory, one entry per path.
struct TestArchive {
    let url: URL

    init(_ files: [(path: String, contents: String)], compressed: Bool = true) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swift-registry-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        url = directory.appendingPathComponent("source.zip")
        let archive = try Archive(url: url, accessMode: .create)
        for (path, contents) in files {
            let data = Data(contents.utf8)
            try archive.addEntry(
                with: path, type: path.hasSuffix("/") ? .directory : .file, uncompressedSize: Int64(data.count),
                compressionMethod: compressed ? .deflate : .none
            ) { position, size in
                data.subdata(in: Int(position)..<(Int(position) + size))
            }
        }
    }

    /// Bytes written as they are (not a zip, or a zip edited by hand).
    init(bytes: Data) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swift-registry-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        url = directory.appendingPathComponent("source.zip")
        try bytes.write(to: url)
    }

    var data: Data { (try? Data(contentsOf: url)) ?? Data() }

    func remove() { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
}

let libraryManifest = """
    // swift-tools-version:5.9
    import PackageDescription

    let package = Package(name: "LinkedList", products: [.library(name: "LinkedList", targets: ["LinkedList"])], targets: [.target(name: "LinkedList")])

    """
