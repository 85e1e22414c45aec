import DepotCore
import Foundation
import Testing
import ZIPFoundation

/// A fresh directory under the system temp directory, removed by `remove()`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("depot-pypi-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes `data` at `relative`, creating parent directories.
    @discardableResult
    func write(_ relative: String, _ data: Data) throws -> URL {
        let file = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: file)
        return file
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

enum Fixtures {
    static func metadata(name: String, version: String, requiresPython: String = ">=3.8") -> Data {
        Data(
            """
            Metadata-Version: 2.1
            Name: \(name)
            Version: \(version)
            Summary: A test package
            Requires-Python: \(requiresPython)
            Requires-Dist: requests>=2.0
            Requires-Dist: tomli; python_version < "3.11"

            # \(name)

            Long description.

            """.utf8)
    }

    /// A zip archive (wheel or zip sdist) with the given entries, deflated.
    static func makeZip(at path: String, entries: [(path: String, data: Data)]) throws {
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        for entry in entries {
            let data = entry.data
            try archive.addEntry(
                with: entry.path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate
            ) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
    }

    /// Runs a command through `/usr/bin/env` in `directory` and requires it to succeed.
    static func run(_ arguments: [String], in directory: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "\(arguments.joined(separator: " ")) failed")
    }

    /// Deterministic pseudo-random bytes (xorshift), so that gzip cannot shrink them.
    static func noise(count: Int) -> Data {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var out = Data(capacity: count)
        for _ in 0..<count {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            out.append(UInt8(truncatingIfNeeded: state))
        }
        return out
    }
}

/// Runs `body`, requiring a `DepotError` of kind badRequest; returns it for further checks.
@discardableResult
func expectBadRequest(
    _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation
) -> DepotError? {
    do {
        try body()
        Issue.record("expected a bad request", sourceLocation: sourceLocation)
    } catch let error as DepotError {
        #expect(error.kind == .badRequest, sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
    return nil
}
