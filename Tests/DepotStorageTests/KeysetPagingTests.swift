import Foundation
import GRDB
import Testing

@testable import DepotCore
@testable import DepotStorage

/// Every listing of the SQLite store pages with keyset cursors: all rows once, in order, whatever happens between pages.
@Suite("Keyset paging in SQL")
struct KeysetPagingTests {
    /// Walks a listing page by page; returns every item and the size of each page.
    static func walk<T: Sendable>(
        limit: Int, between: (Int) async throws -> Void = { _ in }, _ fetch: (PageRequest) async throws -> Page<T>
    ) async throws -> (items: [T], sizes: [Int]) {
        var request = PageRequest(limit: limit)
        var items: [T] = []
        var sizes: [Int] = []
        while true {
            let page = try await fetch(request)
            items += page.items
            sizes.append(page.items.count)
            guard let next = page.next else { return (items, sizes) }
            try await between(sizes.count)
            request.after = next
        }
    }

    static func order(_ a: PackageKey, _ b: PackageKey) -> Bool {
        (a.namespace, a.name, a.format) < (b.namespace, b.name, b.format)
    }

    @Test("250 packages, 100 a page: each once, in order, with one added behind and one ahead of the walk and one removed")
    func packagesWalk() async throws {
        let fixture = try StorageFixture()
        let repo = try #require(try await fixture.makeDomain().first)
        var keys: [PackageKey] = []
        for i in 0..<250 {
            let key = PackageKey(format: i % 3 == 0 ? "pypi" : "npm", namespace: i % 2 == 0 ? "" : "ns", name: String(format: "pkg-%03d", i))
            keys.append(key)
            _ = try await fixture.packages.ensurePackage(in: repo, key: key, controls: .internalPackage)
        }
        keys.sort(by: Self.order)
        let behind = PackageKey(format: "npm", name: "aaa-early")
        let ahead = PackageKey(format: "npm", namespace: "ns", name: "zzz-late")
        let removed = keys[150]

        let (seen, sizes) = try await Self.walk(limit: 100, between: { pageNumber in
            guard pageNumber == 1 else { return }
            _ = try await fixture.packages.ensurePackage(in: repo, key: behind, controls: .internalPackage)
            _ = try await fixture.packages.ensurePackage(in: repo, key: ahead, controls: .internalPackage)
            let package = try #require(try await fixture.packages.package(in: repo, key: removed))
            try await fixture.packages.deletePackage(package)
        }) { try await fixture.store.listPackages(repositoryID: repo.id, filter: PackageFilter(), page: $0) }

        let seenKeys = seen.map(\.package.key)
        #expect(sizes == [100, 100, 50])
        #expect(Set(seenKeys).count == seenKeys.count)
        #expect(seenKeys == keys.filter { $0 != removed } + [ahead])
        #expect(!seenKeys.contains(behind))
    }

    @Test("filters hold across pages: format, namespace and prefix")
    func filteredWalk() async throws {
        let fixture = try StorageFixture()
        let repo = try #require(try await fixture.makeDomain().first)
        for name in ["left-a", "left-b", "left-c", "left-d", "left-e", "right-a", "left_f"] {
            _ = try await fixture.packages.ensurePackage(in: repo, key: PackageKey(format: "npm", name: name), controls: .internalPackage)
            _ = try await fixture.packages.ensurePackage(in: repo, key: PackageKey(format: "pypi", name: name), controls: .internalPackage)
        }
        _ = try await fixture.packages.ensurePackage(
            in: repo, key: PackageKey(format: "npm", namespace: "babel", name: "left-z"), controls: .internalPackage)
        let npmLeft = try await Self.walk(limit: 2) {
            try await fixture.store.listPackages(
                repositoryID: repo.id, filter: PackageFilter(format: "npm", namespace: "", prefix: "left-"), page: $0)
        }
        #expect(npmLeft.items.map(\.package.key.name) == ["left-a", "left-b", "left-c", "left-d", "left-e"])
        #expect(npmLeft.sizes == [2, 2, 1])
        let anyLeft = try await Self.walk(limit: 3) {
            try await fixture.store.listPackages(repositoryID: repo.id, filter: PackageFilter(prefix: "left-"), page: $0)
        }
        #expect(anyLeft.items.count == 11)
        #expect(anyLeft.items.map(\.package.key).sorted(by: Self.order) == anyLeft.items.map(\.package.key))
        #expect(anyLeft.items.last?.package.key.namespace == "babel")
    }

    @Test("a page's summaries carry the latest version, its summary and the version count")
    func summariesOnAPage() async throws {
        let fixture = try StorageFixture()
        let repo = try #require(try await fixture.makeDomain().first)
        try await fixture.publish(PackageKey(format: "npm", name: "a"), "1.0.0", content: "a1", to: repo, summary: "first")
        try await fixture.publish(PackageKey(format: "npm", name: "a"), "1.1.0", content: "a2", to: repo, summary: "second")
        try await fixture.publish(PackageKey(format: "npm", name: "b"), "2.0.0", content: "b1", to: repo, tags: ["latest"], summary: "bee")
        try await fixture.publish(PackageKey(format: "npm", name: "b"), "3.0.0-rc", content: "b2", to: repo, summary: "rc")
        let first = try await fixture.store.listPackages(repositoryID: repo.id, filter: PackageFilter(), page: PageRequest(limit: 1))
        let a = try #require(first.items.first)
        #expect(a.latestVersion == "1.1.0" && a.summary == "second" && a.versionCount == 2)
        let second = try await fixture.store.listPackages(
            repositoryID: repo.id, filter: PackageFilter(), page: PageRequest(limit: 1, after: first.next))
        let b = try #require(second.items.first)
        #expect(b.latestVersion == "2.0.0" && b.summary == "bee" && b.versionCount == 2)
        #expect(second.next == nil)
    }

    @Test("npm search reads its window in SQL and counts every match")
    func searchWindow() async throws {
        let fixture = try StorageFixture()
        let repo = try #require(try await fixture.makeDomain().first)
        for i in 0..<30 {
            _ = try await fixture.packages.ensurePackage(
                in: repo, key: PackageKey(format: "npm", name: (i % 2 == 0 ? "even-" : "odd-") + String(format: "%02d", i)),
                controls: .internalPackage)
        }
        let window = try await fixture.packages.searchPackages(in: repo, filter: PackageFilter(format: "npm"), from: 10, size: 5)
        #expect(window.total == 30)
        #expect(window.summaries.map(\.package.key.name) == ["even-20", "even-22", "even-24", "even-26", "even-28"])
        let odd = try await fixture.packages.searchPackages(in: repo, filter: PackageFilter(format: "npm", text: "ODD"), from: 12, size: 5)
        #expect(odd.total == 15)
        #expect(odd.summaries.map(\.package.key.name) == ["odd-25", "odd-27", "odd-29"])
        #expect(try await fixture.packages.searchPackages(in: repo, filter: PackageFilter(format: "npm"), from: 99, size: 5).summaries.isEmpty)
    }

    @Test("versions page by publication time, ties broken by row, with the status and origin filters")
    func versionsWalk() async throws {
        let fixture = try StorageFixture()
        let repo = try #require(try await fixture.makeDomain().first)
        let key = PackageKey(format: "npm", name: "tied")
        let sameTime = Date(timeIntervalSince1970: 1_700_000_000.25)
        let names = ["1.0.0", "0.9.0", "2.0.0", "1.5.0", "3.0.0", "0.1.0", "2.1.0"]
        for (index, version) in names.enumerated() {
            // Upstream times are preserved and may tie: five share one time.
            let published = index < 5 ? sameTime : sameTime.addingTimeInterval(Double(index))
            _ = try await fixture.store.publish(
                repositoryID: repo.id,
                NewVersion(
                    key: key, version: version, status: index == 2 ? .unlisted : .published,
                    origin: VersionOrigin(type: index % 2 == 0 ? .internal : .external, repository: repo.name), publishedAt: published,
                    summary: nil,
                    metadata: Data("{}".utf8), assets: []),
                defaultControls: .internalPackage)
        }
        let package = try #require(try await fixture.packages.package(in: repo, key: key))
        let all = try await Self.walk(limit: 2) { try await fixture.store.listVersions(packageID: package.id, status: nil, origin: nil, page: $0) }
        #expect(all.items.map(\.version) == names)
        #expect(all.sizes == [2, 2, 2, 1])
        let published = try await Self.walk(limit: 3) {
            try await fixture.store.listVersions(packageID: package.id, status: .published, origin: nil, page: $0)
        }
        #expect(published.items.map(\.version) == names.filter { $0 != "2.0.0" })
        // The origin filter is part of the query: full pages of external versions only.
        let external = try await Self.walk(limit: 2) {
            try await fixture.store.listVersions(packageID: package.id, status: nil, origin: .external, page: $0)
        }
        #expect(external.items.map(\.version) == ["0.9.0", "1.5.0", "0.1.0"] && external.sizes == [2, 1])
        let foreign = PageCursor(listing: "packages", keys: ["a", "b", "c"])
        await #expect(throws: PageCursor.invalid) {
            try await fixture.store.listVersions(packageID: package.id, status: nil, origin: nil, page: PageRequest(limit: 2, after: foreign))
        }
        let garbled = PageCursor(listing: "versions", keys: ["yesterday", "7"])
        await #expect(throws: PageCursor.invalid) {
            try await fixture.store.listVersions(packageID: package.id, status: nil, origin: nil, page: PageRequest(limit: 2, after: garbled))
        }
    }

    @Test("tokens page by creation time and id; domains and repositories by name, narrowed to the names asked for")
    func tokensDomainsRepositories() async throws {
        let fixture = try StorageFixture()
        for name in ["delta", "alpha", "echo", "charlie", "bravo"] { _ = try await fixture.repositories.createDomain(name: name) }
        let domains = try await Self.walk(limit: 2) { try await fixture.store.listDomains(names: nil, page: $0) }
        #expect(domains.items.map(\.name) == ["alpha", "bravo", "charlie", "delta", "echo"])
        let narrowed = try await Self.walk(limit: 1) { try await fixture.store.listDomains(names: ["echo", "bravo", "nope"], page: $0) }
        #expect(narrowed.items.map(\.name) == ["bravo", "echo"])
        #expect(try await fixture.store.listDomains(names: [], page: PageRequest(limit: 5)).items.isEmpty)

        for name in ["r3", "r1", "r5", "r2", "r4"] {
            _ = try await fixture.repositories.createRepository(domain: "alpha", name: name, settings: RepositorySettings())
        }
        let repositories = try await Self.walk(limit: 2) {
            try await fixture.store.listRepositories(RepositoryFilter(domains: ["alpha"]), page: $0)
        }
        #expect(repositories.items.map(\.repository.name) == ["r1", "r2", "r3", "r4", "r5"])
        let some = try await Self.walk(limit: 1) {
            try await fixture.store.listRepositories(RepositoryFilter(domains: ["alpha"], names: ["r4", "r2"]), page: $0)
        }
        #expect(some.items.map(\.repository.name) == ["r2", "r4"])

        let created = Date(timeIntervalSince1970: 1_700_000_000.5)
        let ids = ["t5", "t2", "t4", "t1", "t3", "t0", "t6"]
        for (index, id) in ids.enumerated() {
            let record = TokenRecord(
                id: id, name: id, scope: TokenScope(domain: "alpha", permissions: [.read]),
                createdAt: index < 5 ? created : created.addingTimeInterval(Double(index)), expiresAt: nil)
            try await fixture.store.insertToken(record, secretHash: "hash-\(id)")
        }
        let tokens = try await Self.walk(limit: 3) { try await fixture.store.listTokens(domain: "alpha", page: $0) }
        #expect(tokens.items.map(\.id) == ["t1", "t2", "t3", "t4", "t5", "t0", "t6"])
        #expect(try await fixture.store.listTokens(domain: "bravo", page: PageRequest(limit: 3)).items.isEmpty)
        #expect(try await fixture.store.token(id: "t4")?.scope.domain == "alpha")
    }

    @Test("builds page newest first, per project and narrowed to repositories; projects and secrets by name")
    func buildsProjectsSecrets() async throws {
        let fixture = try StorageFixture()
        let store = fixture.store
        for (name, repository) in [("web", "main"), ("api", "main"), ("tools", "internal")] {
            try await store.createProject(
                BuildProject(
                    domain: "acme", name: name, repository: repository, sourceDirectory: "/src", gitURL: nil, gitRef: nil,
                    buildspecPath: "buildspec.yml", environment: [:], createdAt: Date()))
        }
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        var expected: [String] = []
        for index in 0..<9 {
            let project = ["web", "api", "tools"][index % 3]
            let id = "\(project):\(index)"
            // Two builds at each time: the id breaks the tie.
            _ = try await store.createBuild(id: id, domain: "acme", project: project, initiator: "t", at: start.addingTimeInterval(Double(index / 2)))
            expected.append(id)
        }
        let newestFirst = expected.sorted { a, b in
            let (ta, tb) = (Int(a.split(separator: ":")[1])! / 2, Int(b.split(separator: ":")[1])! / 2)
            return ta != tb ? ta > tb : a > b
        }
        let builds = try await Self.walk(limit: 4) {
            try await store.listBuilds(domain: "acme", project: nil, repositories: nil, page: $0)
        }
        #expect(builds.items.map(\.id) == newestFirst)
        #expect(builds.sizes == [4, 4, 1])
        let web = try await Self.walk(limit: 2) { try await store.listBuilds(domain: "acme", project: "web", repositories: nil, page: $0) }
        #expect(web.items.map(\.id) == newestFirst.filter { $0.hasPrefix("web:") })
        let main = try await Self.walk(limit: 2) {
            try await store.listBuilds(domain: "acme", project: nil, repositories: ["main"], page: $0)
        }
        #expect(main.items.map(\.id) == newestFirst.filter { !$0.hasPrefix("tools:") })
        #expect(try await store.listBuilds(domain: "acme", project: nil, repositories: [], page: PageRequest(limit: 9)).items.isEmpty)

        let projects = try await Self.walk(limit: 2) { try await store.listProjects(domain: "acme", repositories: nil, page: $0) }
        #expect(projects.items.map(\.name) == ["api", "tools", "web"])
        let internalOnly = try await Self.walk(limit: 2) { try await store.listProjects(domain: "acme", repositories: ["internal"], page: $0) }
        #expect(internalOnly.items.map(\.name) == ["tools"])

        for name in ["C", "A", "B"] {
            try await store.putSecret(StoredSecret(domain: "acme", name: name, sealedValue: Data([1]), updatedAt: start))
        }
        let secrets = try await Self.walk(limit: 2) { try await store.listSecrets(domain: "acme", page: $0) }
        #expect(secrets.items.map(\.name) == ["A", "B", "C"])
    }

    @Test("upstream documents page by key within the connection's prefix")
    func upstreamDocuments() async throws {
        let fixture = try StorageFixture()
        for key in ["public:npmjs|npm:b", "public:npmjs|npm:a", "public:npmjs|npm:c", "public:npmjs}x", "public:pypi|pypi:a"] {
            try await fixture.store.saveUpstreamDocument(
                CachedUpstreamDocument(cacheKey: key, status: 200, body: Data("{}".utf8), etag: nil, lastModified: nil, fetchedAt: Date()))
        }
        let first = try await fixture.store.listUpstreamDocuments(prefix: "public:npmjs|", after: nil, limit: 2)
        #expect(first.map(\.cacheKey) == ["public:npmjs|npm:a", "public:npmjs|npm:b"])
        #expect(first.allSatisfy { $0.body.isEmpty })
        let rest = try await fixture.store.listUpstreamDocuments(prefix: "public:npmjs|", after: "public:npmjs|npm:b", limit: 2)
        #expect(rest.map(\.cacheKey) == ["public:npmjs|npm:c"])
        #expect(try await fixture.store.listUpstreamDocuments(prefix: "public:npmjs|", after: "public:pypi|", limit: 2).isEmpty)
        #expect(SQLiteMetadataStore.keysAfter(prefix: "public:npmjs|") == "public:npmjs}")
        #expect(SQLiteMetadataStore.keysAfter(prefix: "") == nil)
    }

    @Test("the upstream cache listing pages through the documents of packages the domain holds, each once")
    func upstreamCacheListing() async throws {
        let world = try UpstreamWorld()
        let (_, team, store) = try await world.chain()
        var held: [String] = []
        for index in 0..<12 {
            let key = PackageKey(format: TinyUpstreamFormat.id, name: "p\(index)")
            let cacheKey = "\(UpstreamWorld.connection)|\(key)"
            try await world.fixture.store.saveUpstreamDocument(
                CachedUpstreamDocument(cacheKey: cacheKey, status: 200, body: Data("{}".utf8), etag: nil, lastModified: nil, fetchedAt: Date()))
            // Held by some repository of the domain (not necessarily the one with the connection), or not at all.
            if index % 3 != 1 {
                _ = try await world.fixture.packages.ensurePackage(in: index % 2 == 0 ? team : store, key: key, controls: .externalPackage)
                held.append(cacheKey)
            }
        }
        try await world.fixture.store.saveUpstreamDocument(
            CachedUpstreamDocument(cacheKey: "public:pypi|tiny:p0", status: 404, body: Data(), etag: nil, lastModified: nil, fetchedAt: Date()))
        let walked = try await Self.walk(limit: 3) { try await world.service.cachedDocuments(for: store, page: $0) }
        #expect(walked.items.map(\.cacheKey) == held.sorted())
        #expect(walked.sizes.allSatisfy { $0 <= 3 })
        await #expect(throws: PageCursor.invalid) {
            try await world.service.cachedDocuments(
                for: store, page: PageRequest(limit: 3, after: PageCursor(listing: "upstream-cache", keys: ["public:pypi|tiny:p0"])))
        }
        #expect(UpstreamService.packageKey(inCacheKey: "public:npmjs|npm:babel/core", connection: "public:npmjs")
            == PackageKey(format: "npm", namespace: "babel", name: "core"))
        #expect(UpstreamService.packageKey(inCacheKey: "public:npmjs|maven:org.example/lib", connection: "public:npmjs")?.namespace == "org.example")
        #expect(UpstreamService.packageKey(inCacheKey: "public:pypi|pypi:x", connection: "public:npmjs") == nil)
        #expect(UpstreamService.packageKey(inCacheKey: "public:npmjs|nocolon", connection: "public:npmjs") == nil)
    }

    // MARK: Query plans

    /// SQLite's plan for `sql`: the detail lines.
    static func plan(_ store: SQLiteMetadataStore, _ sql: String, _ arguments: StatementArguments) async throws -> [String] {
        try await store.pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
        }
    }

    @Test("listing pages are index range reads: no sort of the whole table, no scan past the page")
    func queryPlans() async throws {
        let fixture = try StorageFixture()
        let store = fixture.store
        let cursor = "(p.namespace, p.name, p.format) > (?, ?, ?)"
        for condition in ["p.repository_id = ? AND \(cursor)", "p.repository_id = ? AND p.format = ? AND \(cursor)", "p.repository_id = ?"] {
            let count = condition.filter { $0 == "?" }.count
            let plan = try await Self.plan(
                store, SQLiteMetadataStore.summarySQL(where: condition) + " LIMIT 51",
                StatementArguments(Array(repeating: "x", count: count)))
            #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(condition): \(plan)")
            #expect(plan.contains { $0.hasPrefix("SEARCH p USING") }, "\(condition): \(plan)")
            // Per row: the latest published version by index, never a scan of all versions.
            #expect(!plan.contains { $0.hasPrefix("SCAN") }, "\(condition): \(plan)")
        }
        let plans: [(String, StatementArguments)] = [
            ("SELECT * FROM package_versions WHERE package_id = ? AND (published_at, id) > (?, ?) ORDER BY published_at, id LIMIT 51", [1, 1.5, 3]),
            ("SELECT * FROM tokens WHERE domain IS ? AND (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT 51", ["acme", 1.5, "x"]),
            ("SELECT * FROM builds WHERE domain = ? AND (queued_at, id) < (?, ?) ORDER BY queued_at DESC, id DESC LIMIT 51", ["acme", 1.5, "x"]),
            (
                "SELECT * FROM builds WHERE domain = ? AND project = ? AND (queued_at, id) < (?, ?) ORDER BY queued_at DESC, id DESC LIMIT 51",
                ["acme", "web", 1.5, "x"]
            ),
            ("SELECT * FROM domains WHERE (name) > (?) ORDER BY name LIMIT 51", ["x"]),
            ("SELECT r.* FROM repositories r WHERE r.domain_id = ? AND (r.name) > (?) ORDER BY r.name LIMIT 51", [1, "x"]),
        ]
        for (sql, arguments) in plans {
            let plan = try await Self.plan(store, sql, arguments)
            #expect(!plan.contains { $0.contains("TEMP B-TREE") || $0.hasPrefix("SCAN") }, "\(sql): \(plan)")
        }
    }

    @Test("repositories across domains by domain then name, narrowed in SQL to domains, names and a case-sensitive prefix")
    func repositoriesAcrossDomains() async throws {
        let fixture = try StorageFixture()
        for (domain, names) in [("beta", ["app-2", "lib", "App-3"]), ("alpha", ["app-1", "tools", "app-0"]), ("gamma", ["app-9"])] {
            _ = try await fixture.repositories.createDomain(name: domain)
            for name in names {
                _ = try await fixture.store.createRepository(Repository(id: 0, domainID: try await fixture.repositories.domain(named: domain).id, name: name))
            }
        }
        func walk(_ filter: RepositoryFilter, limit: Int) async throws -> (names: [String], sizes: [Int]) {
            let walked = try await Self.walk(limit: limit) { try await fixture.store.listRepositories(filter, page: $0) }
            return (walked.items.map { "\($0.domain)/\($0.repository.name)" }, walked.sizes)
        }
        let all = try await walk(RepositoryFilter(), limit: 2)
        #expect(all.names == ["alpha/app-0", "alpha/app-1", "alpha/tools", "beta/App-3", "beta/app-2", "beta/lib", "gamma/app-9"])
        #expect(all.sizes == [2, 2, 2, 1])
        let prefixed = try await walk(RepositoryFilter(prefix: "app"), limit: 1)
        #expect(prefixed.names == ["alpha/app-0", "alpha/app-1", "beta/app-2", "gamma/app-9"])
        #expect(prefixed.sizes == [1, 1, 1, 1])
        let narrowed = try await walk(RepositoryFilter(domains: ["beta", "gamma"], names: ["lib", "app-9", "app-2"], prefix: "a"), limit: 1)
        #expect(narrowed.names == ["beta/app-2", "gamma/app-9"])
        let escaped = try await walk(RepositoryFilter(prefix: "app_"), limit: 5)
        #expect(escaped.names.isEmpty)
    }

    @Test("packages filtered by origin controls in the query: every page but the last is full; one package by exact name")
    func packagesByOrigin() async throws {
        let fixture = try StorageFixture()
        let repo = try #require(try await fixture.makeDomain().first)
        for i in 0..<12 {
            let key = PackageKey(format: "npm", name: String(format: "p-%02d", i))
            _ = try await fixture.packages.ensurePackage(in: repo, key: key, controls: i % 3 == 0 ? .externalPackage : .internalPackage)
        }
        let blocked = try await Self.walk(limit: 3) {
            try await fixture.store.listPackages(repositoryID: repo.id, filter: PackageFilter(publish: .block), page: $0)
        }
        #expect(blocked.items.map(\.package.key.name) == ["p-00", "p-03", "p-06", "p-09"])
        #expect(blocked.sizes == [3, 1])
        let allowed = try await Self.walk(limit: 4) {
            try await fixture.store.listPackages(repositoryID: repo.id, filter: PackageFilter(publish: .allow, upstream: .block), page: $0)
        }
        #expect(allowed.items.count == 8 && allowed.sizes == [4, 4])
        let both = try await fixture.store.listPackages(
            repositoryID: repo.id, filter: PackageFilter(publish: .block, upstream: .block), page: PageRequest(limit: 10))
        #expect(both.items.isEmpty)
        let one = try await fixture.store.listPackages(
            repositoryID: repo.id, filter: PackageFilter(format: "npm", namespace: "", name: "p-1"), page: PageRequest(limit: 5))
        #expect(one.items.isEmpty)
        let exact = try await fixture.store.listPackages(
            repositoryID: repo.id, filter: PackageFilter(format: "npm", namespace: "", name: "p-10"), page: PageRequest(limit: 5))
        #expect(exact.items.map(\.package.key.name) == ["p-10"])
    }
}
