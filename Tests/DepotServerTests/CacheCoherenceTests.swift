import DepotCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import DepotServer

/// Reads are answered from memory; each kind of change must show on the very next request, never a cached
/// answer from before it. Every test reads twice first (the second is a cache hit), then changes, then reads.
/// The server runs as `depot serve` does, so repeated reads are answered by the connection's edge cache.
@Suite("Cache coherence")
struct CacheCoherenceTests {
    static let packument = "/acme/main/npm/pkg"
    static let api = "/api/v1/domains/acme/repositories/main/packages/npm/pkg"

    private func versions(_ depot: Depot, _ path: String = packument, auth: Depot.Auth = .admin) async throws -> Set<String> {
        let response = try await depot.request(.get, path, auth: auth)
        guard response.status == .ok else { return [] }
        return Set((try response.object()["versions"] as? [String: Any] ?? [:]).keys)
    }

    private func warm(_ depot: Depot, _ path: String = packument) async throws -> Set<String> {
        _ = try await versions(depot, path)
        return try await versions(depot, path)
    }

    @Test("repeated reads are answered by the connection's edge cache; a publish shows on the next read")
    func edgeCacheAnswers() async throws {
        try await Depot.run(live: true) { depot in
            try await depot.standardSetup()
            try await depot.publish("pkg", tarball: NpmPublish.tarball(1))
            func hits() async throws -> Int {
                let text = try await depot.request(.get, "/metrics", auth: .anonymous).text
                let line = text.split(separator: "\n").first { $0.hasPrefix("depot_edge_cache_hits_total ") }
                return line.flatMap { Double($0.split(separator: " ")[1]) }.map { Int($0) } ?? 0
            }
            let before = try await hits()
            let first = try await depot.request(.get, Self.packument)
            let again = try await depot.request(.get, Self.packument)
            #expect(try await hits() == before + 1)
            #expect(again.status == .ok && again.body == first.body)
            #expect(again.headers[.eTag] == first.headers[.eTag] && again.headers[.date] != nil)
            #expect(again.headers[HTTPField.Name("X-Depot-Edge-Cache")!] == nil)
            // The 304 for the kept answer's ETag comes from the edge too.
            let etag = try #require(first.headers[.eTag])
            let revalidated = try await depot.request(.get, Self.packument, headers: [.ifNoneMatch: etag])
            #expect(revalidated.status == .notModified && revalidated.headers[.contentLength] == nil)
            #expect(try await hits() == before + 2)
            // Another token, another key: its first read goes the whole way (and is authorized there).
            let reader = try await depot.createToken(permissions: ["read"])
            #expect(try await versions(depot, auth: .bearer(reader.secret)) == ["1.0.0"])
            #expect(try await depot.request(.get, Self.packument, auth: .bearer("dpt_wrong")).status == .unauthorized)
            #expect(try await depot.request(.get, Self.packument, auth: .anonymous).status == .unauthorized)
            try await depot.publish("pkg", version: "2.0.0", tarball: NpmPublish.tarball(2))
            #expect(try await versions(depot) == ["1.0.0", "2.0.0"])
            // After a change, a fleet with warm caches only revalidates: the first revalidation refills the edge
            // (the application gives it the whole answer, the client still gets its 304), the next is a hit.
            let json: HTTPFields = [.accept: "application/json"]
            let current = try #require(try await depot.request(.get, Self.packument, auth: .bearer(reader.secret), headers: json).headers[.eTag])
            let beforeRefill = try await hits()
            for _ in 0..<2 {
                let revalidated = try await depot.request(.get, Self.packument, headers: [.accept: "application/json", .ifNoneMatch: current])
                #expect(revalidated.status == .notModified && revalidated.body.readableBytes == 0)
                #expect(revalidated.headers[.eTag] == current && revalidated.headers[.contentLength] == nil)
            }
            #expect(try await hits() == beforeRefill + 1)
        }
    }

    @Test("publish, status, dispose and delete show at once")
    func versionChanges() async throws {
        try await Depot.run(live: true) { depot in
            try await depot.standardSetup()
            try await depot.publish("pkg", tarball: NpmPublish.tarball(1))
            #expect(try await warm(depot) == ["1.0.0"])
            try await depot.publish("pkg", version: "2.0.0", tarball: NpmPublish.tarball(2))
            #expect(try await versions(depot) == ["1.0.0", "2.0.0"])

            #expect(try await depot.request(.patch, "\(Self.api)/versions/2.0.0", json: ["status": "Unlisted"]).status == .ok)
            #expect(try await versions(depot) == ["1.0.0"])
            #expect(try await depot.request(.patch, "\(Self.api)/versions/2.0.0", json: ["status": "Published"]).status == .ok)
            #expect(try await versions(depot) == ["1.0.0", "2.0.0"])

            #expect(try await depot.request(.get, "/acme/main/npm/pkg/-/pkg-2.0.0.tgz").status == .ok)
            #expect(try await depot.request(.post, "\(Self.api)/versions/2.0.0/dispose").status == .ok)
            #expect(try await versions(depot) == ["1.0.0"])
            #expect(try await depot.request(.get, "/acme/main/npm/pkg/-/pkg-2.0.0.tgz").status == .notFound)

            #expect(try await depot.request(.delete, "\(Self.api)/versions/1.0.0").status == .ok)
            #expect(try await depot.request(.get, "/acme/main/npm/pkg/-/pkg-1.0.0.tgz").status == .notFound)
            #expect(try await versions(depot).isEmpty)
        }
    }

    @Test("dist-tags, deprecation, unpublish and origin controls show at once")
    func packageChanges() async throws {
        try await Depot.run(live: true) { depot in
            try await depot.standardSetup()
            try await depot.publish("pkg", tarball: NpmPublish.tarball(1))
            try await depot.publish("pkg", version: "2.0.0", tarball: NpmPublish.tarball(2))
            _ = try await warm(depot)

            #expect(try await depot.request(.put, "/acme/main/npm/-/package/pkg/dist-tags/stable", json: "1.0.0").status == .created)
            let tags = try await depot.request(.get, Self.packument).object()["dist-tags"] as? [String: String]
            #expect(tags?["stable"] == "1.0.0")

            var writable = try await depot.request(.get, "\(Self.packument)?write=true").object()
            var manifests = try #require(writable["versions"] as? [String: [String: Any]])
            manifests["1.0.0"]?["deprecated"] = "use 2"
            writable["versions"] = manifests
            #expect(try await depot.request(.put, Self.packument, json: writable).status == .ok)
            let deprecated = try await depot.request(.get, Self.packument).object()["versions"] as? [String: [String: Any]]
            #expect(deprecated?["1.0.0"]?["deprecated"] as? String == "use 2")

            var without = try await depot.request(.get, "\(Self.packument)?write=true").object()
            let rev = try #require(without["_rev"] as? String)
            manifests = try #require(without["versions"] as? [String: [String: Any]])
            manifests.removeValue(forKey: "1.0.0")
            without["versions"] = manifests
            without["dist-tags"] = ["latest": "2.0.0"]
            #expect(try await depot.request(.put, "\(Self.packument)/-rev/\(rev)", json: without).status == .ok)
            #expect(try await versions(depot) == ["2.0.0"])

            #expect(try await depot.request(.put, "\(Self.api)/origin", json: ["publish": "BLOCK", "upstream": "ALLOW"]).status == .ok)
            #expect(try await depot.publish("pkg", version: "3.0.0", tarball: NpmPublish.tarball(3)).status == .forbidden)
            #expect(try await depot.request(.put, "\(Self.api)/origin", json: ["publish": "ALLOW", "upstream": "BLOCK"]).status == .ok)
            #expect(try await depot.publish("pkg", version: "3.0.0", tarball: NpmPublish.tarball(3)).status == .created)
            #expect(try await versions(depot) == ["2.0.0", "3.0.0"])
        }
    }

    @Test("an upstream added to or removed from a repository shows at once; so does a new repository")
    func upstreamChanges() async throws {
        try await Depot.run(live: true) { depot in
            try await depot.standardSetup()
            try await depot.createRepository("team")
            try await depot.publish("shared", tarball: NpmPublish.tarball(4), repository: "team")
            #expect(try await warm(depot, "/acme/main/npm/shared").isEmpty)
            let repository = "/api/v1/domains/acme/repositories/main"
            #expect(try await depot.request(.patch, repository, json: ["upstreams": ["team"]]).status == .ok)
            #expect(try await versions(depot, "/acme/main/npm/shared") == ["1.0.0"])
            #expect(try await depot.request(.patch, repository, json: ["upstreams": [String]()]).status == .ok)
            #expect(try await versions(depot, "/acme/main/npm/shared").isEmpty)

            #expect(try await depot.request(.get, "/acme/later/npm/shared").status == .notFound)
            try await depot.createRepository("later", upstreams: ["team"])
            #expect(try await versions(depot, "/acme/later/npm/shared") == ["1.0.0"])
        }
    }

    @Test("a revoked token (and its children) is refused on the very next request")
    func tokenRevocation() async throws {
        try await Depot.run(live: true) { depot in
            try await depot.standardSetup()
            try await depot.publish("pkg", tarball: NpmPublish.tarball(1))
            let parent = try await depot.createToken(permissions: ["read", "publish"])
            let child = try await depot.createToken(permissions: ["read"], auth: .bearer(parent.secret))
            for token in [parent, child] {
                _ = try await warm(depot)
                #expect(try await versions(depot, auth: .bearer(token.secret)) == ["1.0.0"])
                #expect(try await versions(depot, auth: .bearer(token.secret)) == ["1.0.0"])
            }
            #expect(try await depot.request(.delete, "/api/v1/domains/acme/tokens/\(parent.id)").status == .ok)
            for token in [parent, child] {
                #expect(try await depot.request(.get, Self.packument, auth: .bearer(token.secret)).status == .unauthorized)
            }
        }
    }

    @Test("32 readers while versions are published: a read that starts after a publish returned sees it")
    func concurrentReaders() async throws {
        try await Depot.run(live: true) { depot in
            try await depot.standardSetup()
            try await depot.publish("pkg", version: "0.0.0", tarball: NpmPublish.tarball(0))
            let progress = Progress()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<32 {
                    group.addTask {
                        while !progress.done.load(ordering: .acquiring) {
                            let floor = progress.published.load(ordering: .acquiring)
                            let seen = try await versions(depot).count
                            if seen < floor { progress.stale.add(1, ordering: .relaxed) }
                        }
                    }
                }
                group.addTask {
                    defer { progress.done.store(true, ordering: .releasing) }
                    for minor in 1...20 {
                        let response = try await depot.publish("pkg", version: "0.\(minor).0", tarball: NpmPublish.tarball(UInt8(minor)))
                        try #require(response.status == .created)
                        progress.published.store(minor + 1, ordering: .releasing)
                    }
                }
                try await group.waitForAll()
            }
            #expect(progress.stale.load(ordering: .relaxed) == 0)
            #expect(try await versions(depot).count == 21)
        }
    }

    /// What the readers and the writer share.
    final class Progress: Sendable {
        let published = Atomic<Int>(1)
        let done = Atomic<Bool>(false)
        let stale = Atomic<Int>(0)
    }
}
