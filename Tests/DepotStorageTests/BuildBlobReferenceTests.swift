import DepotCore
import DepotStorage
import Foundation
import Testing

/// Build logs and artifact zips live in the same blob store as package assets: the package blob collector
/// must treat a blob a build keeps as referenced.
@Suite("Build blobs and the blob collector")
struct BuildBlobReferenceTests {
    @Test("deleting a package whose bytes a build also keeps leaves the build's blob in place")
    func packageDeletionSparesBuildBlob() async throws {
        let fixture = try StorageFixture()
        let repo = try #require(try await fixture.makeDomain().first)
        try await fixture.publish(npmKey, "1.0.0", content: "shared bytes", to: repo)
        let digest = sha256(of: "shared bytes")
        try await fixture.store.addBuildBlobs(buildID: "p:1", sha256: [digest, digest])
        #expect(try await fixture.store.isBlobReferenced(sha256: digest))

        let package = try #require(try await fixture.packages.package(in: repo, key: npmKey))
        try await fixture.packages.deleteVersion("1.0.0", of: package)
        #expect(try fixture.committedBlobs() == [digest])
        #expect(try fixture.readBlob(digest) == Array("shared bytes".utf8))
    }

    @Test("a blob only a package referenced is still deleted with it")
    func unsharedBlobIsDeleted() async throws {
        let fixture = try StorageFixture()
        let repo = try #require(try await fixture.makeDomain().first)
        try await fixture.publish(npmKey, "1.0.0", content: "package only", to: repo)
        try await fixture.store.addBuildBlobs(buildID: "p:1", sha256: [sha256(of: "a build log")])

        let package = try #require(try await fixture.packages.package(in: repo, key: npmKey))
        try await fixture.packages.deleteVersion("1.0.0", of: package)
        #expect(try fixture.committedBlobs().isEmpty)
        #expect(try await !fixture.store.isBlobReferenced(sha256: sha256(of: "package only")))
    }
}
