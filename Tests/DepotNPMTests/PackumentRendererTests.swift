import DepotCore
import Foundation
import Testing

@testable import DepotNPM

@Suite("PackumentRenderer")
struct PackumentRendererTests {
    static let registryURL = "http://h:1/acme/main/npm"
    static let created = Date(timeIntervalSince1970: 1_600_000_000)
    static let modified = Date(timeIntervalSince1970: 1_700_000_500.25)

    func entry(
        _ version: String, readme: String? = nil, extra: [String: Any] = [:], publishedAt: Date = Date(timeIntervalSince1970: 1_650_000_000)
    ) throws -> PackumentRenderer.Entry {
        var manifest: [String: Any] = [
            "name": "@s/n", "version": version, "description": "description of \(version)",
            "scripts": ["test": "node test.js"], "main": "index.js", "_id": "@s/n@\(version)", "_nodeVersion": "20.0.0",
            "dependencies": ["dep": "^1.0.0"], "engines": ["node": ">=18"],
            "dist": ["shasum": "abc", "integrity": "sha512-xyz"],
        ]
        for (key, value) in extra { manifest[key] = value }
        let metadata = NpmVersionMetadata(manifest: manifest, readme: readme, readmeFilename: readme == nil ? nil : "README.md")
        return PackumentRenderer.Entry(version: try .npm(version, publishedAt: publishedAt, metadata: metadata), metadata: metadata)
    }

    func renderer(_ entries: [PackumentRenderer.Entry], tags: [String: String], name: String = "@s/n") throws -> PackumentRenderer {
        let name = try NpmPackageName(name)
        let package = Package(
            id: 42, repositoryID: 1, key: name.key, originControls: .internalPackage, revision: 7, createdAt: Self.created,
            modifiedAt: Self.modified)
        return PackumentRenderer(name: name, package: package, entries: entries, tags: tags, registryURL: Self.registryURL)
    }

    var standardEntries: [PackumentRenderer.Entry] {
        get throws {
            [
                try entry("1.0.0", readme: "old readme", publishedAt: Date(timeIntervalSince1970: 1_600_000_100)),
                try entry(
                    "1.1.0", readme: "# latest readme", extra: ["deprecated": "use 2.x", "bin": ["n": "cli.js"]],
                    publishedAt: Date(timeIntervalSince1970: 1_600_000_200)),
                try entry("2.0.0-beta.1", readme: "beta readme", publishedAt: Date(timeIntervalSince1970: 1_600_000_300)),
            ]
        }
    }

    @Test("the full document has identity, tags, absolute tarballs, times and the latest readme")
    func full() throws {
        let r = try renderer(standardEntries, tags: ["latest": "1.1.0", "beta": "2.0.0-beta.1", "gone": "0.1.0"])
        let doc = r.full()
        #expect(JSONSerialization.isValidJSONObject(doc))
        #expect(doc["_id"] as? String == "@s/n")
        #expect(doc["name"] as? String == "@s/n")
        #expect(doc["_rev"] as? String == "7-2a")
        #expect(doc["dist-tags"] as? [String: String] == ["latest": "1.1.0", "beta": "2.0.0-beta.1"])
        #expect(doc["readme"] as? String == "# latest readme")
        #expect(doc["readmeFilename"] as? String == "README.md")
        #expect(doc["description"] as? String == "description of 1.1.0")
        #expect((doc["maintainers"] as? [Any])?.isEmpty == true)

        let versions = try #require(doc["versions"] as? [String: [String: Any]])
        #expect(Set(versions.keys) == ["1.0.0", "1.1.0", "2.0.0-beta.1"])
        for (version, manifest) in versions {
            let dist = try #require(manifest["dist"] as? [String: Any])
            #expect(dist["tarball"] as? String == "http://h:1/acme/main/npm/@s/n/-/n-\(version).tgz")
            #expect(dist["shasum"] as? String == "abc")
            #expect(manifest["version"] as? String == version)
        }
        #expect(versions["1.1.0"]?["scripts"] != nil)

        let time = try #require(doc["time"] as? [String: String])
        #expect(time["created"] == "2020-09-13T12:26:40.000Z")
        #expect(time["modified"] == "2023-11-14T22:21:40.250Z")
        #expect(time["1.0.0"] == "2020-09-13T12:28:20.000Z")
        #expect(time["1.1.0"] == "2020-09-13T12:30:00.000Z")
        #expect(time["2.0.0-beta.1"] == "2020-09-13T12:31:40.000Z")
        #expect(time.count == 5)
    }

    @Test("unscoped tarball URLs")
    func unscopedTarball() throws {
        let r = try renderer([try entry("1.0.0")], tags: [:], name: "pkg")
        #expect(r.tarballURL(version: "1.0.0") == "http://h:1/acme/main/npm/pkg/-/pkg-1.0.0.tgz")
        #expect(r.full()["_id"] as? String == "pkg")
    }

    @Test("the abbreviated document keeps only the install fields")
    func abbreviated() throws {
        let r = try renderer(standardEntries, tags: ["latest": "1.1.0"])
        let doc = r.abbreviated()
        #expect(JSONSerialization.isValidJSONObject(doc))
        #expect(Set(doc.keys) == ["name", "modified", "dist-tags", "versions"])
        #expect(doc["name"] as? String == "@s/n")
        #expect(doc["modified"] as? String == "2023-11-14T22:21:40.250Z")
        #expect(doc["dist-tags"] as? [String: String] == ["latest": "1.1.0"])
        let versions = try #require(doc["versions"] as? [String: [String: Any]])
        #expect(versions.count == 3)
        let allowed = Set(PackumentRenderer.abbreviatedFields)
        for (version, manifest) in versions {
            #expect(Set(manifest.keys).isSubset(of: allowed), "\(version): \(manifest.keys.sorted())")
            for dropped in ["readme", "description", "scripts", "main", "_id", "_nodeVersion"] {
                #expect(manifest[dropped] == nil, "\(version) keeps \(dropped)")
            }
            #expect(manifest["dependencies"] as? [String: String] == ["dep": "^1.0.0"])
            #expect(manifest["engines"] as? [String: String] == ["node": ">=18"])
            let dist = try #require(manifest["dist"] as? [String: Any])
            #expect(dist["tarball"] as? String == "http://h:1/acme/main/npm/@s/n/-/n-\(version).tgz")
        }
        #expect(versions["1.1.0"]?["deprecated"] as? String == "use 2.x")
        #expect(versions["1.1.0"]?["bin"] as? [String: String] == ["n": "cli.js"])
    }

    @Test("latest falls back to the highest stable version when there is no latest tag")
    func latestFallback() throws {
        let entries = try ["1.0.0", "1.10.0", "1.9.0", "2.0.0-rc.1"].map { try entry($0, readme: "readme \($0)") }
        let r = try renderer(entries, tags: ["next": "2.0.0-rc.1"])
        #expect(r.distTags == ["latest": "1.10.0", "next": "2.0.0-rc.1"])
        #expect(r.full()["readme"] as? String == "readme 1.10.0")
    }

    @Test("a latest tag that points at a version not listed is ignored")
    func latestNotListed() throws {
        let entries = try ["1.0.0", "1.2.0"].map { try entry($0) }
        let r = try renderer(entries, tags: ["latest": "3.0.0", "beta": "3.1.0-beta"])
        #expect(r.distTags == ["latest": "1.2.0"])
    }

    @Test("with only prereleases, latest is the highest prerelease")
    func onlyPrereleases() throws {
        let entries = try ["1.0.0-alpha", "1.0.0-beta.2", "1.0.0-beta.11"].map { try entry($0) }
        #expect(try renderer(entries, tags: [:]).distTags == ["latest": "1.0.0-beta.11"])
    }

    @Test("highest() orders by semver and tolerates non-semver strings")
    func highest() {
        #expect(PackumentRenderer.highest(["1.2.0", "1.10.0", "1.9.9"]) == "1.10.0")
        #expect(PackumentRenderer.highest(["2.0.0-rc.1", "1.0.0"]) == "1.0.0")
        #expect(PackumentRenderer.highest([]) == nil)
        #expect(PackumentRenderer.highest(["weird", "1.0.0"]) == "1.0.0")
        #expect(PackumentRenderer.highest(["b", "a"]) == "b")
    }

    @Test("a manifest for one version carries the absolute tarball URL")
    func manifest() throws {
        let r = try renderer(standardEntries, tags: [:])
        let one = r.manifest(try entry("1.0.0"))
        let dist = try #require(one["dist"] as? [String: Any])
        #expect(dist["tarball"] as? String == "http://h:1/acme/main/npm/@s/n/-/n-1.0.0.tgz")
        #expect(dist["integrity"] as? String == "sha512-xyz")
    }

    @Test("without a readme the full document still has an empty readme")
    func emptyReadme() throws {
        let r = try renderer([try entry("1.0.0")], tags: ["latest": "1.0.0"])
        #expect(r.full()["readme"] as? String == "")
        #expect(r.full()["readmeFilename"] == nil)
    }
}
