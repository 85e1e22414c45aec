import DepotCore
import DepotStorage
import Foundation
import Testing

/// Interleavings of blob commits and unreferenced-blob cleanup, forced with a gated store.
@Suite("Blob cleanup races")
struct BlobRaceTests {
    @Test("a failed publish must not delete a blob that a concurrent publish of the same bytes is about to record")
    func failedPublishVersusConcurrentPublish() async throws {
        let fixture = try StorageFixture()
        let (gated, _, packages) = fixture.gatedPackages()
        let repo = try #require(try await fixture.makeDomain().first)
        let key = npmKey

        // 1.0.0 exists with other bytes, so publishing "shared" as 1.0.0 will conflict.
        try await fixture.publish(key, "1.0.0", content: "original", to: repo)

        func newVersion(_ version: String, _ digests: BlobDigests) -> NewVersion {
            NewVersion(
                key: key, version: version, origin: VersionOrigin(type: .internal, repository: repo.name), publishedAt: Date(),
                summary: nil, metadata: Data(), assets: [Asset(name: "left-pad-\(version).tgz", digests: digests)])
        }

        let conflicting = gated.gate(version: "1.0.0")
        let fresh = gated.gate(version: "2.0.0")

        // A: commits the "shared" blob (it is new), then waits before the store says 409.
        let a = Task {
            let (writer, digests) = try fixture.stage("shared")
            return try await packages.publish(newVersion("1.0.0", digests), to: repo, blobs: [writer])
        }
        await conflicting.arrived.wait()
        #expect(fixture.blobs.contains(sha256: sha256(of: "shared")))

        // B: same bytes as 2.0.0. Blob commits and the metadata write that follows run under one lock,
        // so B cannot reach the store while A holds it.
        let b = Task {
            let (writer, digests) = try fixture.stage("shared")
            return try await packages.publish(newVersion("2.0.0", digests), to: repo, blobs: [writer])
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(!fresh.arrived.isSignalled, "B reached the store while A held the blob lock")

        // A fails and releases the lock; B (queued first) commits and records its version; A's cleanup,
        // queued behind B, then finds the blob referenced and keeps it.
        conflicting.release.signal()
        await fresh.arrived.wait()
        fresh.release.signal()
        let aResult = await a.result
        #expect(throws: DepotError.self) { try aResult.get() }
        let bOutcome = try await b.value
        guard case .created = bOutcome else {
            Issue.record("expected 2.0.0 to be created, got \(bOutcome)")
            return
        }

        // 2.0.0 is recorded; its bytes must still be there.
        let package = try #require(try await fixture.packages.package(in: repo, key: key))
        let version = try await fixture.packages.requireVersion(of: package, "2.0.0")
        let asset = try #require(try await fixture.packages.assets(of: version).first)
        #expect(asset.digests.sha256 == sha256(of: "shared"))
        #expect(fixture.blobs.contains(sha256: sha256(of: "shared")), "2.0.0's asset points at a blob that was deleted")
    }
}
