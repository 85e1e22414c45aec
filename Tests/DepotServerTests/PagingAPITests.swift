import DepotCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DepotServer

@Suite("Management API paging (maxResults, nextToken)")
struct PagingAPITests {
    static let base = "/api/v1/domains/acme"
    static let packages = "\(base)/repositories/main/packages"

    /// Every listing endpoint of the management API, with the key its items are under.
    static let listings: [(path: String, key: String)] = [
        ("/api/v1/domains", "domains"), ("\(base)/repositories", "repositories"), ("\(base)/tokens", "tokens"),
        (packages, "packages"), ("\(packages)/npm/pkg-0/versions", "versions"),
        ("\(base)/repositories/main/upstream-cache", "documents"), ("\(base)/projects", "projects"), ("\(base)/builds", "builds"),
        ("\(base)/secrets", "secrets"),
    ]

    /// Follows `nextToken` from page to page; returns the items and each page's size.
    static func walk(
        _ depot: Depot, _ path: String, key: String, maxResults: Int, auth: Depot.Auth = .admin
    ) async throws -> (items: [[String: Any]], sizes: [Int]) {
        var items: [[String: Any]] = []
        var sizes: [Int] = []
        var token: String?
        repeat {
            var uri = "\(path)\(path.contains("?") ? "&" : "?")maxResults=\(maxResults)"
            if let token { uri += "&nextToken=\(token)" }
            let response = try await depot.request(.get, uri, auth: auth)
            try #require(response.status == .ok, "\(uri): \(response.text)")
            let object = try response.object()
            let page = try #require(object[key] as? [[String: Any]], "\(uri): \(response.text)")
            items += page
            sizes.append(page.count)
            token = object["nextToken"] as? String
            try #require(sizes.count < 100, "the listing never ends")
        } while token != nil
        return (items, sizes)
    }

    @Test("packages and versions page with maxResults; the last page has no nextToken; filters hold across pages")
    func packagesAndVersions() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            for index in 0..<5 {
                #expect(try await depot.publish("pkg-\(index)", tarball: NpmPublish.tarball(UInt8(index))).status == .created)
            }
            for (index, version) in ["1.1.0", "1.2.0", "2.0.0"].enumerated() {
                #expect(try await depot.publish("pkg-0", version: version, tarball: NpmPublish.tarball(UInt8(10 + index))).status == .created)
            }
            let walked = try await Self.walk(depot, Self.packages, key: "packages", maxResults: 2)
            #expect(walked.sizes == [2, 2, 1])
            #expect(walked.items.compactMap { $0["package"] as? String } == (0..<5).map { "pkg-\($0)" })
            #expect(walked.items.first?["versionCount"] as? Int == 4)
            #expect(walked.items.first?["latestVersion"] as? String == "2.0.0")

            // Without maxResults: the default page (50) holds all five, and no nextToken is sent.
            let whole = try await depot.request(.get, Self.packages).object()
            #expect((whole["packages"] as? [Any])?.count == 5)
            #expect(whole["nextToken"] == nil)

            let prefixed = try await Self.walk(depot, "\(Self.packages)?format=npm&prefix=pkg-", key: "packages", maxResults: 3)
            #expect(prefixed.items.count == 5 && prefixed.sizes == [3, 2])

            let versions = try await Self.walk(depot, "\(Self.packages)/npm/pkg-0/versions", key: "versions", maxResults: 3)
            #expect(versions.items.compactMap { $0["version"] as? String } == ["1.0.0", "1.1.0", "1.2.0", "2.0.0"])
            #expect(versions.sizes == [3, 1])
            #expect(try await depot.request(.patch, "\(Self.packages)/npm/pkg-0/versions/1.1.0", json: ["status": "Unlisted"]).status == .ok)
            let published = try await Self.walk(depot, "\(Self.packages)/npm/pkg-0/versions?status=Published", key: "versions", maxResults: 1)
            #expect(published.items.compactMap { $0["version"] as? String } == ["1.0.0", "1.2.0", "2.0.0"])
        }
    }

    @Test("every listing refuses a maxResults outside 1...1000 and a nextToken it did not hand out, in the API error style")
    func badParameters() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            #expect(try await depot.publish("pkg-0", tarball: NpmPublish.tarball(1)).status == .created)
            let tokensToken = PageCursor(listing: "tokens", keys: ["1700000000.0", "x"]).token
            for (path, _) in Self.listings {
                for bad in ["0", "1001", "-1", "ten", "", "1.5"] {
                    let response = try await depot.request(.get, "\(path)?maxResults=\(bad)")
                    #expect(response.status == .badRequest, "\(path)?maxResults=\(bad): \(response.text)")
                    #expect(try response.apiErrorCode() == "InvalidParameter", "\(path)")
                }
                for good in ["1", "1000"] {
                    #expect(try await depot.request(.get, "\(path)?maxResults=\(good)").status == .ok, "\(path)?maxResults=\(good)")
                }
                for garbage in ["garbage!", "bm90IGpzb24", String(repeating: "A", count: 5000)] {
                    let response = try await depot.request(.get, "\(path)?nextToken=\(garbage)")
                    #expect(response.status == .badRequest, "\(path): \(response.text)")
                    #expect(try response.apiErrorCode() == "InvalidNextToken", "\(path)")
                }
                guard !path.hasSuffix("/tokens"), !path.hasSuffix("/upstream-cache") else { continue }
                // A token of another listing is refused too (the upstream cache of a repository without a
                // connection lists nothing and reads no token).
                let foreign = try await depot.request(.get, "\(path)?nextToken=\(tokensToken)")
                #expect(foreign.status == .badRequest, "\(path): \(foreign.text)")
                #expect(try foreign.apiErrorCode() == "InvalidNextToken", "\(path)")
            }
        }
    }

    @Test("repositories and domains page through what the token covers: narrowed in SQL, so pages stay full")
    func narrowedToTheToken() async throws {
        try await Depot.run { depot in
            try await depot.createDomain("acme")
            try await depot.createDomain("beta")
            try await depot.createDomain("gamma")
            for name in ["r1", "r2", "r3", "r4", "r5"] { try await depot.createRepository(name) }
            let limited = try await depot.createToken(repositories: ["r4", "r2", "r5"], permissions: ["read"])
            let repositories = try await Self.walk(
                depot, "\(Self.base)/repositories", key: "repositories", maxResults: 1, auth: .bearer(limited.secret))
            #expect(repositories.items.compactMap { $0["name"] as? String } == ["r2", "r4", "r5"])
            #expect(repositories.sizes == [1, 1, 1])
            let all = try await Self.walk(depot, "\(Self.base)/repositories", key: "repositories", maxResults: 2)
            #expect(all.items.compactMap { $0["name"] as? String } == ["r1", "r2", "r3", "r4", "r5"])

            let domains = try await Self.walk(depot, "/api/v1/domains", key: "domains", maxResults: 2)
            #expect(domains.items.compactMap { $0["name"] as? String } == ["acme", "beta", "gamma"])
            let own = try await Self.walk(depot, "/api/v1/domains", key: "domains", maxResults: 1, auth: .bearer(limited.secret))
            #expect(own.items.compactMap { $0["name"] as? String } == ["acme"])
        }
    }

    @Test("tokens page by creation time, each once")
    func tokens() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            var created: Set<String> = []
            for _ in 0..<5 { created.insert(try await depot.createToken(permissions: ["read"]).id) }
            let tokens = try await Self.walk(depot, "\(Self.base)/tokens", key: "tokens", maxResults: 2)
            #expect(tokens.sizes == [2, 2, 1])
            #expect(Set(tokens.items.compactMap { $0["id"] as? String }) == created)
        }
    }
}
