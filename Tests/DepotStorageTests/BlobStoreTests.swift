import DepotCore
import Foundation
import Testing

@testable import DepotStorage

@Suite("FileSystemBlobStore")
struct BlobStoreTests {
    static let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

    @Test("creating the store makes blobs/sha256 and blobs/tmp")
    func layout() throws {
        let fixture = try StorageFixture()
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: fixture.directory.appendingPathComponent("blobs/sha256").path, isDirectory: &isDirectory))
        #expect(isDirectory.boolValue)
        #expect(FileManager.default.fileExists(atPath: fixture.directory.appendingPathComponent("blobs/tmp").path, isDirectory: &isDirectory))
        #expect(isDirectory.boolValue)
    }

    @Test("the writer streams chunks and finish() returns the digests of all of them")
    func streamedDigests() throws {
        let fixture = try StorageFixture()
        let writer = try fixture.blobs.makeWriter()
        defer { writer.discard() }
        try writer.write(Array("a".utf8))
        try writer.write([UInt8]())
        try writer.write(Array("bc".utf8))
        let digests = try writer.finish()
        #expect(digests.size == 3)
        #expect(digests.md5 == "900150983cd24fb0d6963f7d28e17f72")
        #expect(digests.sha1 == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(digests.sha256 == Self.abc)
        // finish() is idempotent.
        #expect(try writer.finish() == digests)
    }

    @Test("nothing is visible before commit; commit places the file at blobs/sha256/ab/cd/<digest>")
    func commitPlacesFile() throws {
        let fixture = try StorageFixture()
        let (writer, digests) = try fixture.stage("abc")
        #expect(!fixture.blobs.contains(sha256: digests.sha256))
        #expect(try fixture.blobs.openReader(sha256: digests.sha256) == nil)
        #expect(try fixture.committedBlobs().isEmpty)
        #expect(try fixture.temporaryFiles().count == 1)

        #expect(try writer.commit())
        let expectedPath = fixture.directory.appendingPathComponent("blobs/sha256/ba/78/\(Self.abc)").path
        #expect(FileManager.default.fileExists(atPath: expectedPath))
        #expect(FileManager.default.contents(atPath: expectedPath) == Data("abc".utf8))
        #expect(fixture.blobs.contains(sha256: Self.abc))
        #expect(try fixture.temporaryFiles().isEmpty)
        #expect(try fixture.readBlob(Self.abc) == Array("abc".utf8))
        // Discard after commit does nothing to the committed blob.
        writer.discard()
        #expect(FileManager.default.fileExists(atPath: expectedPath))
        // Committing twice is harmless.
        #expect(try writer.commit() == false)
        #expect(FileManager.default.fileExists(atPath: expectedPath))
    }

    @Test("committing identical bytes again returns false and leaves one copy")
    func duplicateCommit() throws {
        let fixture = try StorageFixture()
        let first = try fixture.stage("same bytes")
        let second = try fixture.stage("same bytes")
        #expect(first.digests == second.digests)
        #expect(try first.writer.commit())
        #expect(try second.writer.commit() == false)
        #expect(try fixture.committedBlobs() == [first.digests.sha256])
        #expect(try fixture.temporaryFiles().isEmpty)
        #expect(try fixture.readBlob(first.digests.sha256) == Array("same bytes".utf8))
    }

    @Test("discard() removes the temporary file and publishes nothing")
    func discard() throws {
        let fixture = try StorageFixture()
        let (writer, digests) = try fixture.stage("throw me away")
        #expect(try fixture.temporaryFiles().count == 1)
        writer.discard()
        #expect(try fixture.temporaryFiles().isEmpty)
        #expect(!fixture.blobs.contains(sha256: digests.sha256))
        #expect(try fixture.committedBlobs().isEmpty)
        writer.discard()  // twice is fine

        // Discarding before finish() also cleans up.
        let unfinished = try fixture.blobs.makeWriter()
        try unfinished.write(Array("partial".utf8))
        unfinished.discard()
        #expect(try fixture.temporaryFiles().isEmpty)
    }

    @Test("a writer dropped without commit leaves no temporary file")
    func droppedWriter() throws {
        let fixture = try StorageFixture()
        do {
            let writer = try fixture.blobs.makeWriter()
            try writer.write(Array("abandoned".utf8))
        }
        #expect(try fixture.temporaryFiles().isEmpty)
    }

    @Test("temporary files left by a crash are cleared when the store opens")
    func leftoverTemporaryFiles() throws {
        let fixture = try StorageFixture()
        let tmp = fixture.directory.appendingPathComponent("blobs/tmp/leftover")
        try Data("half a file".utf8).write(to: tmp)
        _ = try FileSystemBlobStore(directory: fixture.directory)
        #expect(try fixture.temporaryFiles().isEmpty)
    }

    @Test(
        "digests that are not 64 lowercase hex digits never map to a path",
        arguments: [
            "", "abc", "../../../../etc/passwd", "ba/78/../../../../../etc/passwd",
            String(repeating: "a", count: 63), String(repeating: "a", count: 65), String(repeating: "g", count: 64),
            BlobStoreTests.abc.uppercased(), "../" + String(BlobStoreTests.abc.dropFirst(3)), String(BlobStoreTests.abc.dropLast()) + "/",
            String(BlobStoreTests.abc.dropLast(2)) + "%2", String(repeating: "é", count: 32),
        ])
    func rejectsBadDigests(digest: String) throws {
        let fixture = try StorageFixture()
        // Make sure a real blob exists, so uppercase lookups cannot succeed by accident of a case-insensitive filesystem.
        let (writer, _) = try fixture.stage("abc")
        try writer.commit()

        #expect(fixture.blobs.path(of: digest) == nil)
        #expect(try fixture.blobs.openReader(sha256: digest) == nil)
        #expect(!fixture.blobs.contains(sha256: digest))
        try fixture.blobs.delete(sha256: digest)  // a no-op, never an escape
        #expect(fixture.blobs.contains(sha256: Self.abc))
    }

    @Test("a valid digest maps below blobs/sha256")
    func pathOfValidDigest() throws {
        let fixture = try StorageFixture()
        let path = try #require(fixture.blobs.path(of: Self.abc))
        #expect(path.path.hasSuffix("/blobs/sha256/ba/78/\(Self.abc)"))
        #expect(path.path.hasPrefix(fixture.directory.path))
    }

    @Test("a missing blob opens as nil")
    func missingBlob() throws {
        let fixture = try StorageFixture()
        #expect(try fixture.blobs.openReader(sha256: Self.abc) == nil)
        #expect(!fixture.blobs.contains(sha256: Self.abc))
    }

    @Test("the reader reads back the same bytes in chunks, then empty")
    func readerChunks() throws {
        let fixture = try StorageFixture()
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<200_003).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let (writer, digests) = try fixture.stage(bytes, chunkSize: 65_536)
        #expect(digests.size == 200_003)
        try writer.commit()

        let reader = try #require(try fixture.blobs.openReader(sha256: digests.sha256))
        #expect(reader.size == 200_003)
        var read: [UInt8] = []
        var chunkCount = 0
        while true {
            let chunk = try reader.read(maxLength: 4096)
            if chunk.isEmpty { break }
            #expect(chunk.count <= 4096)
            read += chunk
            chunkCount += 1
        }
        #expect(read == bytes)
        #expect(chunkCount >= 49)
        #expect(try reader.read(maxLength: 4096).isEmpty)
        reader.close()
        #expect(try reader.read(maxLength: 4096).isEmpty)
        reader.close()  // twice is fine
    }

    @Test("an empty blob can be written and read")
    func emptyBlob() throws {
        let fixture = try StorageFixture()
        let (writer, digests) = try fixture.stage([UInt8]())
        #expect(digests.sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(try writer.commit())
        let reader = try #require(try fixture.blobs.openReader(sha256: digests.sha256))
        #expect(reader.size == 0)
        #expect(try reader.read(maxLength: 10).isEmpty)
    }

    @Test("delete removes a blob; deleting a missing one is not an error")
    func delete() throws {
        let fixture = try StorageFixture()
        let (writer, digests) = try fixture.stage("to delete")
        try writer.commit()
        #expect(fixture.blobs.contains(sha256: digests.sha256))
        try fixture.blobs.delete(sha256: digests.sha256)
        #expect(!fixture.blobs.contains(sha256: digests.sha256))
        #expect(try fixture.blobs.openReader(sha256: digests.sha256) == nil)
        try fixture.blobs.delete(sha256: digests.sha256)
    }
}
