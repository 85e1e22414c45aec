import DepotBuild
import DepotCore
import Foundation
import Testing

@Suite struct OutputsTests {
    @Test func packsFilesWithBaseDirectoryExcludesAndDiscardPaths() throws {
        let dir = try TemporaryDirectory()
        try dir.write("dist/app.js", "app")
        try dir.write("dist/app.js.map", "map")
        try dir.write("dist/lib/util.js", "util")
        try dir.write("docs/index.md", "docs")
        let out = dir.url.appendingPathComponent("out")
        let packager = ArtifactPackager(sourceDirectory: dir.url, outputDirectory: out)
        let artifacts = try packager.package(
            BuildspecArtifacts(
                files: ["**/*"], name: "app", baseDirectory: "dist", excludePaths: ["**/*.map"],
                secondary: ["docs": BuildspecArtifacts(files: ["docs/*"], discardPaths: true)]))
        #expect(artifacts.map(\.name) == ["app.zip", "docs.zip"])
        #expect(artifacts[0].files == ["app.js", "lib/util.js"])
        #expect(artifacts[1].files == ["index.md"])
        #expect(artifacts[0].size > 0 && artifacts[0].sha256.count == 64)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("app.zip").path))
    }

    @Test func noMatchingFilesAndCollisionsAreErrors() throws {
        let dir = try TemporaryDirectory()
        try dir.write("a/x.txt", "1")
        try dir.write("b/x.txt", "2")
        let packager = ArtifactPackager(sourceDirectory: dir.url, outputDirectory: dir.url.appendingPathComponent("out"))
        #expect(throws: (any Error).self) { try packager.package(BuildspecArtifacts(files: ["*.jar"])) }
        #expect(throws: (any Error).self) { try packager.package(BuildspecArtifacts(files: ["**/x.txt"], discardPaths: true)) }
        #expect(throws: (any Error).self) { try packager.package(BuildspecArtifacts(files: ["**/*"], baseDirectory: "../..")) }
    }

    @Test func readsJUnitTotalsAndFailures() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuites>
              <testsuite name="math" tests="4">
                <testcase classname="m" name="adds" time="0.5"/>
                <testcase classname="m" name="divides" time="0.25"><failure message="expected 2">stack</failure></testcase>
                <testcase classname="m" name="crashes" time="0.25"><error>boom
            at line 1</error></testcase>
                <testcase classname="m" name="later"><skipped/></testcase>
              </testsuite>
            </testsuites>
            """
        let report = try JUnitReportParser.parse(Data(xml.utf8), group: "unit", file: "junit.xml")
        #expect(report.total == 4 && report.passed == 1 && report.failed == 2 && report.skipped == 1)
        #expect(report.durationSeconds == 1.0)
        #expect(report.failures.map(\.name) == ["divides", "crashes"])
        #expect(report.failures.map(\.message) == ["expected 2", "boom"])
        #expect(report.failures.map(\.kind) == ["FAILED", "ERROR"])
        #expect(report.failures.first?.suite == "math")
    }

    @Test func ignoresDurationsThatWouldMakeTheBuildResultUnencodable() throws {
        // A NaN or infinite total made the build's result JSON fail to encode, so the whole result was dropped.
        let cases = ["nan", "inf", "-1", "1e308", "1e308", "0.5"].map { "<testcase name=\"t\" time=\"\($0)\"/>" }
        let xml = "<testsuite name=\"s\">\(cases.joined())</testsuite>"
        let report = try JUnitReportParser.parse(Data(xml.utf8), group: "unit", file: "junit.xml")
        #expect(report.total == 6 && report.durationSeconds == 0.5)
        #expect(throws: Never.self) { try JSONEncoder().encode(report) }
    }

    /// Found by fuzzing: Foundation's XMLParser force-unwraps names and comments as UTF-8 (a trap of the server).
    @Test func rejectsAReportThatIsNotUTF8() {
        let report = Data("<testsuite><!-- ".utf8) + Data([0xFF]) + Data(" --><testcase name=\"t\"/></testsuite>".utf8)
        #expect { try JUnitReportParser.parse(report, group: "g", file: "r.xml") } throws: {
            ($0 as? DepotError)?.code == "InvalidReport"
        }
        // A processing instruction without data: Foundation runs strlen on its null data pointer.
        #expect { try JUnitReportParser.parse(Data("<testsuite><?x?></testsuite>".utf8), group: "g", file: "r.xml") } throws: {
            ($0 as? DepotError)?.code == "InvalidReport"
        }
    }

    @Test func rejectsWhatIsNotJUnit() {
        #expect(throws: (any Error).self) { try JUnitReportParser.parse(Data("{\"tests\":1}".utf8), group: "g", file: "r.json") }
        #expect(throws: (any Error).self) { try JUnitReportParser.parse(Data("<coverage/>".utf8), group: "g", file: "c.xml") }
    }

    @Test func collectsReportGroupsByGlob() throws {
        let dir = try TemporaryDirectory()
        try dir.write("reports/a/TEST-one.xml", "<testsuite name='a'><testcase name='t1'/></testsuite>")
        try dir.write("reports/b/TEST-two.xml", "<testsuite name='b'><testcase name='t2'><failure/></testcase></testsuite>")
        let collected = ReportCollector(sourceDirectory: dir.url).collect([
            BuildspecReportGroup(name: "unit", files: ["**/TEST-*.xml"], baseDirectory: "reports"),
            BuildspecReportGroup(name: "missing", files: ["nothing/*.xml"]),
        ])
        #expect(collected.reports.count == 1)
        #expect(collected.reports.first?.total == 2 && collected.reports.first?.failed == 1)
        #expect(collected.errors.count == 1 && collected.errors[0].contains("missing"))
    }

    @Test func cacheIsRestoredByKeyThenFallbackPrefix() throws {
        let dir = try TemporaryDirectory()
        let source = dir.url.appendingPathComponent("src")
        let home = dir.url.appendingPathComponent("home")
        let store = BuildCacheStore(root: dir.url.appendingPathComponent("cache"))
        try dir.write("src/node_modules/left-pad/index.js", "pad")
        try dir.write("home/.m2/repository/a.jar", "jar")
        let cache = BuildspecCache(paths: ["node_modules/**/*", "~/.m2/**/*"], key: "npm-v1-abc")
        try store.save(project: "p", cache: cache, sourceDirectory: source, home: home)
        try FileManager.default.removeItem(at: source)
        try FileManager.default.removeItem(at: home)

        let other = BuildspecCache(paths: cache.paths, key: "npm-v1-def", fallbackKeys: ["npm-v1-"])
        #expect(try store.restore(project: "p", cache: other, sourceDirectory: source, home: home) == "npm-v1-abc")
        #expect(FileManager.default.fileExists(atPath: source.appendingPathComponent("node_modules/left-pad/index.js").path))
        #expect(FileManager.default.fileExists(atPath: home.appendingPathComponent(".m2/repository/a.jar").path))
        #expect(try store.restore(project: "other", cache: other, sourceDirectory: source, home: home) == nil)
        #expect(try store.restore(project: "p", cache: BuildspecCache(paths: cache.paths, key: "pip"), sourceDirectory: source, home: home) == nil)
    }

    @Test func concurrentSavesOfOneKeyEachReplaceTheEntryWhole() async throws {
        let dir = try TemporaryDirectory()
        let root = dir.url.appendingPathComponent("cache")
        let cache = BuildspecCache(paths: ["deps/**/*"], key: "k")
        for build in 0..<8 {
            for file in 0..<20 { try dir.write("b\(build)/deps/\(file).txt", "build \(build)") }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for build in 0..<8 {
                group.addTask {
                    let source = dir.url.appendingPathComponent("b\(build)")
                    try BuildCacheStore(root: root).save(project: "p", cache: cache, sourceDirectory: source, home: source)
                }
            }
            try await group.waitForAll()
        }
        let project = try #require(FileManager.default.contentsOfDirectory(atPath: root.path).first)
        let left = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(project).path)
        #expect(!left.contains { $0.hasPrefix(".staging-") }, "\(left)")
        let restored = dir.url.appendingPathComponent("restored")
        #expect(try BuildCacheStore(root: root).restore(project: "p", cache: cache, sourceDirectory: restored, home: restored) == "k")
        let texts = try (0..<20).map { try String(contentsOf: restored.appendingPathComponent("deps/\($0).txt"), encoding: .utf8) }
        #expect(Set(texts).count == 1)
    }
}
