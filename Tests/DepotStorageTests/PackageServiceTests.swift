import DepotCore
import DepotStorage
import Foundation
import Testing

@Suite("PackageService")
struct PackageServiceTests {
    // MARK: Publish

    @Test("the first direct publish creates the package with publish=ALLOW, upstream=BLOCK")
    func firstPublish() async throws {
        let fixture = try StorageFixture()
        let repo = try #require(try await fixture.makeDomain().first)
        let outcome = try await fixture.publish(npmKey, "1.0.0", content: "tarball 1", to: repo, tags: ["latest"], summary: "pads left")
        guard case .created(let version) = outcome else {
            Issue.record("expected .created, got \(outcome)")
            return
        }
        #expect(version.version == "1.0.0")
        #expect(version.status == .published)
        #expect(version.origin == VersionOrigin(type: .internal, repository: "store"))

        let package = try #require(try await fixture.packages.package(in: repo, key: npmKey))
        #expect(package.originControls == OriginControls(publish: .allow, upstream: .block))
        #expect(package.key == npmKey)
        #expect(try await fixture.packages.versions(of: package).map(\.version) == ["1.0.0"])
        #expect(try await fixture.packages.tags(of: package) == ["latest": "1.0.0"])

        let assets = try await fixture.packages.assets(of: version)
        #expect(assets.count == 1)
        #expect(assets.first?.name == "left-pad-1.0.0.tgz")
        #expect(assets.first?.digests.sha256 == sha256(of: "tarball 1"))
        #expect(assets.first?.digests.size == Int64("tarball 1".utf8.count))

        // The bytes are in the blob store and nothing is left in tmp.
        #expect(try fixture.committedBlobs() == [sha256(of: "tarball 1")])
        #expect(try fixture.temporaryFiles().isEmpty)
        let reader = try fixture.packages.openBlob(try #require(assets.first))
        defer { reader.close() }
        #expect(try reader.read(maxLength: 1000) == Array("tarball 1".utf8))
    }

    @Test("a package first seen from an upstream gets publish=BLOCK, upstream=ALLOW, and direct publishes are then refused")
    func externalFirst() async throws {
        let fixture = try StorageFixture()
        let repo = try #require(try await fixture.makeDomain().first)
        try await fixture.publish(npmKey, "1.0.0", content: "from npmjs", to: repo, origin: .external)
        let package = try #require(try await fixture.packages.package(in: repo, key: npmKey))
        #expect(package.originControls == OriginControls(publish: .block, upstream: .allow))

        let error = await #expect(throws: DepotError.self) {
            try await fixture.publish(npmKey, "1.0.1", content: "evil internal", to: repo)
        }
        #expect(error?.kind == .forbidden)
        #expect(error?.code == "PublishBlocked")
        #expect(!fixture.blobs.contains(sha256: sha256(of: "evil internal")))
        #expect(try fixture.temporaryFiles().isEmpty)

        // After allowing publish, it works.
        try await fixture.packages.setOriginControls(OriginControls(publish: .allow, upstream: .allow), of: package)
        try await fixture.publish(npmKey, "1.0.1", content: "good internal", to: repo)
        let updated = try #require(try await fixture.packages.package(in: repo, key: npmKey))
        #expect(updated.originControls == OriginControls(publish: .allow, upstream: .allow))
    }

    @Test("publishing the same bytes again is .unchanged and keeps a single blob")
    func samePublishUnchanged() async throws {
        let fixture = try StorageFixture()
        let repo = try #require(try await fixture.makeDomain().first)
        let first = try await fixture.publish(npmKey, "1.0.0", content: "identical", to: repo)
        let second = try await fixture.publish(npmKey, "1.0.0", content: "identical", to: repo)
        guard case .unchanged(let version) = second else {
            Issue.record("expected .unchanged, got \(second)")
            return
        }
        #expect(version.id == first.version.id)
        #expect(try fixture.committedBlobs() == [sha256(of: "identical")])
        #expect(try fixture.temporaryFiles().isEmpty)
        let package = try #require(try await fixture.packages.package(in: repo, key: npmKey))
        #expect(try await fixture.packages.versions(of: package).count == 1)
    }

    @Test("different bytes for an existing version are a 409 VersionExists, and the new blob is not kept")
    func conflictingPublish() async throws {
        let fixture = try StorageFixture()
        let repo = try #require(try await fixture.makeDomain().first)
        try await fixture.publish(npmKey, "1.0.0", content: "original", to: repo)

        let error = await #expect(throws: DepotError.self) {
            try await fixture.publish(npmKey, "1.0.0", content: "tampered", to: repo)
        }
        #expect(error?.kind == .conflict)
        #expect(error?.code == "VersionExists")

        #expect(!fixture.blobs.contains(sha256: sha256(of: "tampered")))
        #expect(fixture.blobs.contains(sha256: sha256(of: "original")))
        #expect(try fixture.committedBlobs() == [sha256(of: "original")])
        #expect(try fixture.temporaryFiles().isEmpty)

        let package = try #require(try await fixture.packages.package(in: repo, key: npmKey))
        let version = try await fixture.packages.requireVersion(of: package, "1.0.0")
        #expect(try await fixture.packages.assets(of: version).map(\.digests.sha256) == [sha256(of: "original")])
    }

    @Test("an ingest refused with a 409 does not leave its fetched blob behind")
    func conflictingIngest() async throws {
        let fixture = try StorageFixture()
        let repo = try #require(try await fixture.makeDomain().first)
        try await fixture.publish(npmKey, "1.0.0", content: "fetched first", to: repo, origin: .external)

        let (writer, digests) = try fixture.stage("fetched again, other bytes")
        let new = NewVersion(
            key: npmKey, version: "1.0.0", origin: VersionOrigin(type: .external, repository: "public:npmjs"),
            publishedAt: Date(), summary: nil, metadata: Data("{}".utf8),
            assets: [Asset(name: "\(npmKey.name)-1.0.0.tgz", digests: digests)])
        let error = await #expect(throws: DepotError.self) { try await fixture.packages.ingest(new, into: repo, blobs: [writer]) }
        #expect(error?.code == "VersionExists")
        #expect(try fixture.committedBlobs() == [sha256(of: "fetched first")])
        #expect(try fixture.temporaryFiles().isEmpty)
    }

    @Test(
        "a first publish and a first fetch racing: the one whose origin the other's package blocks is refused in the write",
        arguments: [OriginType.internal, .external])
    func originCheckedInTheWrite(late: OriginType) async throws {
        let fixture = try StorageFixture()
        let (gated, _, packages) = fixture.gatedPackages()
        let repo = try #require(try await fixture.makeDomain().first)

        func record(_ origin: OriginType, _ version: String, through packages: PackageService) async throws {
            let (writer, digests) = try fixture.stage("\(origin) \(version)")
            let new = NewVersion(
                key: npmKey, version: version, origin: VersionOrigin(type: origin, repository: repo.name), publishedAt: Date(),
                summary: nil, metadata: Data("{}".utf8), assets: [Asset(name: "left-pad-\(version).tgz", digests: digests)])
            if origin == .internal {
                _ = try await packages.publish(new, to: repo, blobs: [writer])
            } else {
                _ = try await packages.ingest(new, into: repo, blobs: [writer])
            }
        }

        // The late one finds no package, then the other origin creates it before the late one writes.
        let lookup = gated.gateNextPackageLookup()
        let lateWrite = Task { try await record(late, "1.0.0", through: packages) }
        await lookup.arrived.wait()
        try await record(late == .internal ? .external : .internal, "2.0.0", through: fixture.packages)
        lookup.release.signal()

        let error = await #expect(throws: DepotError.self) { try await lateWrite.value }
        #expect(error?.kind == .forbidden)
        #expect(error?.code == (late == .internal ? "PublishBlocked" : "UpstreamBlocked"))
        #expect(error?.message.contains("'\(repo.name)'") == true)
        let package = try #require(try await fixture.packages.package(in: repo, key: npmKey))
        #expect(try await fixture.packages.versions(of: package).map(\.version) == ["2.0.0"])
        #expect(try fixture.committedBlobs() == [sha256(of: "\(late == .internal ? OriginType.external : .internal) 2.0.0")])
    }

    @Test("a conflicting publish does not delete a blob that other assets still use")
    func conflictingPublishWithSharedBlob() async throws {
        let fixture = try StorageFixture()
        let repo = try #require(try await fixture.makeDomain().first)
        try await fixture.publish(npmKey, "1.0.0", content: "v1 bytes", to: repo)
        try await fixture.publish(npmKey, "2.0.0", content: "v2 bytes", to: repo)
        // Re-publishing 1.0.0 with 2.0.0's bytes conflicts; the blob must survive for 2.0.0.
        await #expect(throws: DepotError.self) { try await fixture.publish(npmKey, "1.0.0", content: "v2 bytes", to: repo) }
        #expect(fixture.blobs.contains(sha256: sha256(of: "v2 bytes")))
        #expect(fixture.blobs.contains(sha256: sha256(of: "v1 bytes")))
    }

    @Test("new assets can be added to an existing version only when the format allows it")
    func addingAssets() async throws {
        let fixture = try StorageFixture()
        let repo = try #require(try await fixture.makeDomain().first)
        let key = PackageKey(format: "pypi", name: "requests")
        try await fixture.publish(key, "2.0", content: "wheel", to: repo, assetName: "requests-2.0-py3-none-any.whl", allowsAddingAssets: true)

        let added = try await fixture.publish(key, "2.0", content: "sdist", to: repo, assetName: "requests-2.0.tar.gz", allowsAddingAssets: true)
        guard case .created(let version) = added else {
            Issue.record("expected .created, got \(added)")
            return
        }
        #expect(try await fixture.packages.assets(of: version).map(\.name) == ["requests-2.0-py3-none-any.whl", "requests-2.0.tar.gz"])

        let refused = await #expect(throws: DepotError.self) {
            try await fixture.publish(npmKey, "1.0.0", content: "a", to: repo, assetName: "one.tgz")
            try await fixture.publish(npmKey, "1.0.0", content: "b", to: repo, assetName: "two.tgz")
        }
        #expect(refused?.code == "VersionExists")
        #expect(!fixture.blobs.contains(sha256: sha256(of: "b")))
    }

    @Test("20 concurrent publishes of one version with different bytes: exactly one wins, 19 get 409")
    func concurrentPublishes() async throws {
        let fixture = try StorageFixture()
        let repo = try #require(try await fixture.makeDomain().first)

        enum Outcome: Sendable {
            case success(String)
            case conflict
            case other(String)
        }
        let results = await withTaskGroup(of: Outcome.self) { group in
            for i in 0..<20 {
                group.addTask {
                    let content = "contender \(i)"
                    do {
                        let outcome = try await fixture.publish(npmKey, "1.0.0", content: content, to: repo)
                        if case .created = outcome { return .success(sha256(of: content)) }
                        return .other("unexpected \(outcome)")
                    } catch let error as DepotError where error.kind == .conflict && error.code == "VersionExists" {
                        return .conflict
                    } catch {
                        return .other("\(error)")
                    }
                }
            }
            var all: [Outcome] = []
            for await result in group { all.append(result) }
            return all
        }

        var winners: [String] = []
        var conflicts = 0
        var others: [String] = []
        for result in results {
            switch result {
            case .success(let digest): winners.append(digest)
            case .conflict: conflicts += 1
            case .other(let message): others.append(message)
            }
        }
        #expect(others.isEmpty, "unexpected outcomes: \(others)")
        #expect(winners.count == 1)
        #expect(conflicts == 19)

        // Only the winner's bytes remain, and the record points at them.
        let winner = try #require(winners.first)
        #expect(try fixture.committedBlobs() == [winner])
        #expect(try fixture.temporaryFiles().isEmpty)
        let package = try #require(try await fixture.packages.package(in: repo, key: npmKey))
        let version = try await fixture.packages.requireVersion(of: package, "1.0.0")
        #expect(try await fixture.packages.assets(of: version).map(\.digests.sha256) == [winner])
    }

    // MARK: Delete and dispose

    @Test("deleting the last version removes the package and its unreferenced blob")
    func deleteLastVersion() async throws {
        let fixture = try StorageFixture()
        let repo = try #require(try await fixture.makeDomain().first)
        try await fixture.publish(npmKey, "1.0.0", content: "only version", to: repo, tags: ["latest"])
        let package = try #require(try await fixture.packages.package(in: repo, key: npmKey))

        try await fixture.packages.deleteVersion("1.0.0", of: package)
        #expect(try await fixture.packages.package(in: repo, key: npmKey) == nil)
        #expect(!fixture.blobs.contains(sha256: sha256(of: "only version")))
        #expect(try fixture.committedBlobs().isEmpty)
        #expect(try await fixture.store.isBlobReferenced(sha256: sha256(of: "only version")) == false)
        #expect(try await fixture.packages.listPackages(in: repo, filter: PackageFilter()).isEmpty)
    }

    @Test("deleting one of several versions keeps the package and drops tags pointing at it")
    func deleteOneVersion() async throws {
        let fixture = try StorageFixture()
        let repo = try #require(try await fixture.makeDomain().first)
        try await fixture.publish(npmKey, "1.0.0", content: "v1", to: repo, tags: ["stable"])
        try await fixture.publish(npmKey, "2.0.0", content: "v2", to: repo, tags: ["latest", "next"])
        let package = try #require(try await fixture.packages.package(in: repo, key: npmKey))

        try await fixture.packages.deleteVersion("2.0.0", of: package)
        let after = try #require(try await fixture.packages.package(in: repo, key: npmKey))
        #expect(after.id == package.id)
        #expect(try await fixture.packages.versions(of: after).map(\.version) == ["1.0.0"])
        #expect(try await fixture.packages.tags(of: after) == ["stable": "1.0.0"])
        #expect(!fixture.blobs.contains(sha256: sha256(of: "v2")))
        #expect(fixture.blobs.contains(sha256: sha256(of: "v1")))
    }

    @Test("deleting an unknown version is a 404")
    func deleteUnknownVersion() async throws {
        let fixture = try StorageFixture()
        let repo = try #require(try await fixture.makeDomain().first)
        try await fixture.publish(npmKey, "1.0.0", content: "v1", to: repo)
        let package = try #require(try await fixture.packages.package(in: repo, key: npmKey))
        let error = await #expect(throws: DepotError.self) { try await fixture.packages.deleteVersion("9.9.9", of: package) }
        #expect(error?.kind == .notFound)
        #expect(error?.code == "VersionNotFound")
    }

    @Test("a blob another repository's asset still references is kept until that one goes too")
    func sharedBlobKept() async throws {
        let fixture = try StorageFixture()
        let repos = try await fixture.makeDomain("acme", repositories: [("first", []), ("second", [])])
        try await fixture.publish(npmKey, "1.0.0", content: "shared bytes", to: repos[0])
        try await fixture.publish(npmKey, "1.0.0", content: "shared bytes", to: repos[1])
        #expect(try fixture.committedBlobs() == [sha256(of: "shared bytes")])

        let inFirst = try #require(try await fixture.packages.package(in: repos[0], key: npmKey))
        try await fixture.packages.deleteVersion("1.0.0", of: inFirst)
        #expect(fixture.blobs.contains(sha256: sha256(of: "shared bytes")))

        let inSecond = try #require(try await fixture.packages.package(in: repos[1], key: npmKey))
        let version = try await fixture.packages.requireVersion(of: inSecond, "1.0.0")
        let asset = try #require(try await fixture.packages.assets(of: version).first)
        let reader = try fixture.packages.openBlob(asset)
        #expect(try reader.read(maxLength: 100) == Array("shared bytes".utf8))
        reader.close()

        try await fixture.packages.deleteVersion("1.0.0", of: inSecond)
        #expect(!fixture.blobs.contains(sha256: sha256(of: "shared bytes")))
    }

    @Test("disposing keeps the record with status Disposed, removes assets, tags and the blob")
    func dispose() async throws {
        let fixture = try StorageFixture()
        let repo = try #require(try await fixture.makeDomain().first)
        try await fixture.publish(npmKey, "1.0.0", content: "v1", to: repo)
        try await fixture.publish(npmKey, "2.0.0", content: "v2", to: repo, tags: ["latest"])
        let package = try #require(try await fixture.packages.package(in: repo, key: npmKey))

        try await fixture.packages.disposeVersion("2.0.0", of: package)
        let disposed = try await fixture.packages.requireVersion(of: package, "2.0.0")
        #expect(disposed.status == .disposed)
        #expect(try await fixture.packages.assets(of: disposed).isEmpty)
        #expect(try await fixture.packages.tags(of: package)["latest"] == nil)
        #expect(!fixture.blobs.contains(sha256: sha256(of: "v2")))
        #expect(fixture.blobs.contains(sha256: sha256(of: "v1")))
        #expect(try await fixture.packages.versions(of: package).map(\.version) == ["1.0.0", "2.0.0"])

        // A disposed version cannot come back, whatever the bytes.
        let again = await #expect(throws: DepotError.self) { try await fixture.publish(npmKey, "2.0.0", content: "v2", to: repo) }
        #expect(again?.kind == .conflict)
        #expect(again?.code == "VersionExists")
        #expect(!fixture.blobs.contains(sha256: sha256(of: "v2")))
        #expect(try fixture.temporaryFiles().isEmpty)

        // Nor can its status change.
        let status = await #expect(throws: DepotError.self) { try await fixture.packages.setStatus(.published, of: "2.0.0", in: package) }
        #expect(status?.kind == .conflict)
        #expect(status?.code == "VersionDisposed")
    }

    // MARK: Status and tags

    @Test("status can change, but not to Disposed")
    func setStatus() async throws {
        let fixture = try StorageFixture()
        let repo = try #require(try await fixture.makeDomain().first)
        try await fixture.publish(npmKey, "1.0.0", content: "v1", to: repo)
        let package = try #require(try await fixture.packages.package(in: repo, key: npmKey))

        let error = await #expect(throws: DepotError.self) { try await fixture.packages.setStatus(.disposed, of: "1.0.0", in: package) }
        #expect(error?.kind == .badRequest)
        #expect(error?.code == "InvalidStatus")
        #expect(try await fixture.packages.requireVersion(of: package, "1.0.0").status == .published)
        #expect(fixture.blobs.contains(sha256: sha256(of: "v1")))

        for status in [VersionStatus.unlisted, .archived, .unfinished, .published] {
            try await fixture.packages.setStatus(status, of: "1.0.0", in: package)
            #expect(try await fixture.packages.requireVersion(of: package, "1.0.0").status == status)
        }

        let missing = await #expect(throws: DepotError.self) { try await fixture.packages.setStatus(.unlisted, of: "3.0.0", in: package) }
        #expect(missing?.kind == .notFound)
    }

    @Test("tags can be set, moved and removed; each change bumps the revision")
    func tags() async throws {
        let fixture = try StorageFixture()
        let repo = try #require(try await fixture.makeDomain().first)
        try await fixture.publish(npmKey, "1.0.0", content: "v1", to: repo, tags: ["latest"])
        try await fixture.publish(npmKey, "2.0.0-beta", content: "v2", to: repo)
        let package = try #require(try await fixture.packages.package(in: repo, key: npmKey))
        var revision = package.revision

        try await fixture.packages.setTag("next", to: "2.0.0-beta", in: package)
        #expect(try await fixture.packages.tags(of: package) == ["latest": "1.0.0", "next": "2.0.0-beta"])
        var current = try #require(try await fixture.packages.package(in: repo, key: npmKey))
        #expect(current.revision > revision)
        revision = current.revision

        try await fixture.packages.setTag("latest", to: "2.0.0-beta", in: package)
        #expect(try await fixture.packages.tags(of: package) == ["latest": "2.0.0-beta", "next": "2.0.0-beta"])

        try await fixture.packages.removeTag("next", from: package)
        #expect(try await fixture.packages.tags(of: package) == ["latest": "2.0.0-beta"])
        current = try #require(try await fixture.packages.package(in: repo, key: npmKey))
        #expect(current.revision > revision)

        let missing = await #expect(throws: DepotError.self) { try await fixture.packages.setTag("x", to: "7.7.7", in: package) }
        #expect(missing?.kind == .notFound)

        try await fixture.packages.setStatus(.archived, of: "1.0.0", in: package)
        let archived = await #expect(throws: DepotError.self) { try await fixture.packages.setTag("old", to: "1.0.0", in: package) }
        #expect(archived?.kind == .badRequest)
        #expect(archived?.code == "InvalidTagTarget")
    }

    @Test("metadata can be replaced")
    func updateMetadata() async throws {
        let fixture = try StorageFixture()
        let repo = try #require(try await fixture.makeDomain().first)
        try await fixture.publish(npmKey, "1.0.0", content: "v1", to: repo)
        let package = try #require(try await fixture.packages.package(in: repo, key: npmKey))
        try await fixture.packages.updateMetadata(Data("{\"deprecated\":true}".utf8), of: "1.0.0", in: package)
        #expect(try await fixture.packages.requireVersion(of: package, "1.0.0").metadata == Data("{\"deprecated\":true}".utf8))
    }

    @Test("deleting a package removes all versions and their blobs")
    func deletePackage() async throws {
        let fixture = try StorageFixture()
        let repo = try #require(try await fixture.makeDomain().first)
        try await fixture.publish(npmKey, "1.0.0", content: "v1", to: repo)
        try await fixture.publish(npmKey, "2.0.0", content: "v2", to: repo)
        let package = try #require(try await fixture.packages.package(in: repo, key: npmKey))
        try await fixture.packages.deletePackage(package)
        #expect(try await fixture.packages.package(in: repo, key: npmKey) == nil)
        #expect(try fixture.committedBlobs().isEmpty)
    }

    // MARK: Copy

    @Test("copy between repositories of a domain shares blobs and carries tags")
    func copy() async throws {
        let fixture = try StorageFixture()
        let repos = try await fixture.makeDomain("acme", repositories: [("staging", []), ("release", [])])
        try await fixture.publish(npmKey, "1.0.0", content: "v1", to: repos[0], tags: ["latest"], summary: "pads")
        try await fixture.publish(npmKey, "2.0.0", content: "v2", to: repos[0], tags: ["next"])

        let result = try await fixture.packages.copy(key: npmKey, versions: ["1.0.0", "9.9.9"], from: repos[0], to: repos[1])
        #expect(result.copied == ["1.0.0"])
        #expect(result.failed.keys.sorted() == ["9.9.9"])
        #expect(result.failed["9.9.9"]?.kind == .notFound)

        let copied = try #require(try await fixture.packages.package(in: repos[1], key: npmKey))
        #expect(copied.originControls == .internalPackage)
        let version = try await fixture.packages.requireVersion(of: copied, "1.0.0")
        #expect(version.summary == "pads")
        #expect(version.origin == VersionOrigin(type: .internal, repository: "staging"))
        #expect(try await fixture.packages.assets(of: version).map(\.digests.sha256) == [sha256(of: "v1")])
        #expect(try await fixture.packages.tags(of: copied) == ["latest": "1.0.0"])
        #expect(try fixture.committedBlobs().sorted() == [sha256(of: "v1"), sha256(of: "v2")].sorted())

        // Copying again is idempotent (same bytes).
        let again = try await fixture.packages.copy(key: npmKey, versions: ["1.0.0"], from: repos[0], to: repos[1])
        #expect(again.copied == ["1.0.0"])
        #expect(again.failed.isEmpty)

        // Deleting the source keeps the blob for the copy.
        let source = try #require(try await fixture.packages.package(in: repos[0], key: npmKey))
        try await fixture.packages.deleteVersion("1.0.0", of: source)
        #expect(fixture.blobs.contains(sha256: sha256(of: "v1")))
    }

    @Test("copy refuses disposed versions and other domains")
    func copyRefusals() async throws {
        let fixture = try StorageFixture()
        let repos = try await fixture.makeDomain("acme", repositories: [("staging", []), ("release", [])])
        let foreign = try await fixture.makeDomain("other", repositories: [("elsewhere", [])])
        try await fixture.publish(npmKey, "1.0.0", content: "v1", to: repos[0])
        try await fixture.publish(npmKey, "2.0.0", content: "v2", to: repos[0])
        let package = try #require(try await fixture.packages.package(in: repos[0], key: npmKey))
        try await fixture.packages.disposeVersion("2.0.0", of: package)

        let result = try await fixture.packages.copy(key: npmKey, versions: ["2.0.0"], from: repos[0], to: repos[1])
        #expect(result.copied.isEmpty)
        #expect(result.failed["2.0.0"]?.code == "VersionDisposed")

        let cross = await #expect(throws: DepotError.self) {
            try await fixture.packages.copy(key: npmKey, versions: ["1.0.0"], from: repos[0], to: foreign[0])
        }
        #expect(cross?.kind == .badRequest)
        #expect(cross?.code == "CrossDomainCopy")

        let missing = await #expect(throws: DepotError.self) {
            try await fixture.packages.copy(key: PackageKey(format: "npm", name: "nope"), versions: ["1.0.0"], from: repos[0], to: repos[1])
        }
        #expect(missing?.code == "PackageNotFound")
    }

    // MARK: Listing

    @Test("packages can be listed and filtered by format, namespace, prefix and text")
    func listPackages() async throws {
        let fixture = try StorageFixture()
        let repo = try #require(try await fixture.makeDomain().first)
        try await fixture.publish(PackageKey(format: "npm", name: "left-pad"), "1.0.0", content: "lp1", to: repo, summary: "String padding")
        try await fixture.publish(PackageKey(format: "npm", name: "left-pad"), "1.1.0", content: "lp2", to: repo, tags: ["latest"], summary: "String padding v2")
        try await fixture.publish(PackageKey(format: "npm", name: "left-right"), "0.1.0", content: "lr", to: repo, summary: "Directions")
        try await fixture.publish(PackageKey(format: "npm", name: "lodash"), "4.0.0", content: "lo", to: repo, summary: "Utilities")
        try await fixture.publish(PackageKey(format: "npm", namespace: "babel", name: "core"), "7.0.0", content: "bc", to: repo, summary: "Compiler")
        try await fixture.publish(PackageKey(format: "pypi", name: "left_pad"), "1.0", content: "py", to: repo, summary: "Python padding")
        try await fixture.publish(PackageKey(format: "npm", name: "leftxpad"), "1.0.0", content: "lx", to: repo)

        let all = try await fixture.packages.listPackages(in: repo, filter: PackageFilter())
        #expect(all.count == 6)

        let npmLeft = try await fixture.packages.listPackages(in: repo, filter: PackageFilter(format: "npm", prefix: "left"))
        #expect(npmLeft.map(\.package.key.name) == ["left-pad", "left-right", "leftxpad"])

        // LIKE wildcards in the prefix are literal.
        let underscore = try await fixture.packages.listPackages(in: repo, filter: PackageFilter(prefix: "left_"))
        #expect(underscore.map(\.package.key.name) == ["left_pad"])
        #expect(try await fixture.packages.listPackages(in: repo, filter: PackageFilter(prefix: "%")).isEmpty)

        let namespaced = try await fixture.packages.listPackages(in: repo, filter: PackageFilter(namespace: "babel"))
        #expect(namespaced.map(\.package.key.name) == ["core"])

        // Text matches name or summary, case-insensitively.
        let byName = try await fixture.packages.listPackages(in: repo, filter: PackageFilter(format: "npm", text: "PAD"))
        #expect(byName.map(\.package.key.name) == ["left-pad", "leftxpad"])
        let bySummary = try await fixture.packages.listPackages(in: repo, filter: PackageFilter(text: "utilit"))
        #expect(bySummary.map(\.package.key.name) == ["lodash"])
        #expect(try await fixture.packages.listPackages(in: repo, filter: PackageFilter(text: "no such thing")).isEmpty)

        // Summaries carry the latest version and count.
        let leftPad = try #require(all.first { $0.package.key == PackageKey(format: "npm", name: "left-pad") })
        #expect(leftPad.versionCount == 2)
        #expect(leftPad.latestVersion == "1.1.0")
        #expect(leftPad.summary == "String padding v2")
    }

    @Test("listing only shows the repository's own packages")
    func listIsPerRepository() async throws {
        let fixture = try StorageFixture()
        let repos = try await fixture.makeDomain("acme", repositories: [("one", []), ("two", [])])
        try await fixture.publish(npmKey, "1.0.0", content: "x", to: repos[0])
        #expect(try await fixture.packages.listPackages(in: repos[0], filter: PackageFilter()).count == 1)
        #expect(try await fixture.packages.listPackages(in: repos[1], filter: PackageFilter()).isEmpty)
    }
}
