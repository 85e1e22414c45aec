import Foundation
import Testing

@testable import DepotPyPI

@Suite("Simple index rendering")
struct SimpleIndexTests {
    static let time = Date(timeIntervalSince1970: 1_717_000_000.25)
    static let sha = String(repeating: "ab", count: 32)
    static let metaSHA = String(repeating: "cd", count: 32)

    static let files = [
        SimpleIndexFile(
            filename: "pkg-1.0.tar.gz", url: "https://depot.example/d/r/pypi/files/pkg/1.0/pkg-1.0.tar.gz", sha256: sha,
            size: 1234, uploadTime: time, version: "1.0"),
        SimpleIndexFile(
            filename: "pkg-1.0.post1-py3-none-any.whl", url: "../../files/pkg/1.0.post1/pkg-1.0.post1-py3-none-any.whl?a=1&b=2",
            sha256: sha, size: 99, uploadTime: time, version: "1.0.post1", requiresPython: ">=3.8, <4 & \"quoted\"",
            metadataSHA256: metaSHA, yankedReason: .some("broken <script> & \"bad\"")),
        SimpleIndexFile(
            filename: "pkg-0.9-py3-none-any.whl", url: "https://x/pkg-0.9-py3-none-any.whl", sha256: sha, size: 5,
            uploadTime: Date(timeIntervalSince1970: 0), version: "0.9", yankedReason: .some(nil)),
    ]

    @Test("project page HTML: PEP 503 with PEP 592, 658 and 714 attributes, everything escaped")
    func projectHTML() {
        let html = SimpleProjectPage(name: "Pkg", files: Self.files).html()
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html>\n"))
        #expect(html.contains("<meta name=\"pypi:repository-version\" content=\"1.1\">"))
        #expect(html.contains("<title>Links for pkg</title>"))
        #expect(html.contains(
            "<a href=\"https://depot.example/d/r/pypi/files/pkg/1.0/pkg-1.0.tar.gz#sha256=\(Self.sha)\">pkg-1.0.tar.gz</a><br />"))
        #expect(html.contains(
            "<a href=\"../../files/pkg/1.0.post1/pkg-1.0.post1-py3-none-any.whl?a=1&amp;b=2#sha256=\(Self.sha)\""
                + " data-requires-python=\"&gt;=3.8, &lt;4 &amp; &quot;quoted&quot;\""
                + " data-dist-info-metadata=\"sha256=\(Self.metaSHA)\" data-core-metadata=\"sha256=\(Self.metaSHA)\""
                + " data-yanked=\"broken &lt;script&gt; &amp; &quot;bad&quot;\">pkg-1.0.post1-py3-none-any.whl</a><br />"))
        #expect(html.contains("#sha256=\(Self.sha)\" data-yanked=\"\">pkg-0.9-py3-none-any.whl</a>"))
        // Attributes absent when not applicable.
        let first = html.split(separator: "\n").first { $0.contains("pkg-1.0.tar.gz") }!
        #expect(!first.contains("data-"))
        #expect(html.components(separatedBy: "<a ").count == 4)
        #expect(html.hasSuffix("</html>\n"))
    }

    @Test("requires-python escaping", arguments: [(">=3.8", "&gt;=3.8"), ("<4,!=3.0.*", "&lt;4,!=3.0.*"), ("'&\"", "&#39;&amp;&quot;")])
    func requiresPythonEscaping(raw: String, escaped: String) {
        var file = Self.files[0]
        file.requiresPython = raw
        let html = SimpleProjectPage(name: "pkg", files: [file]).html()
        #expect(html.contains("data-requires-python=\"\(escaped)\""))
    }

    @Test("project page JSON: PEP 691 and PEP 700 keys and values")
    func projectJSON() throws {
        let text = SimpleProjectPage(name: "Pkg", files: Self.files, versions: ["2.0.dev1"]).json()
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(Set(json.keys) == ["meta", "name", "files", "versions"])
        #expect((json["meta"] as? [String: Any])?["api-version"] as? String == "1.1")
        #expect(json["name"] as? String == "pkg")
        #expect(json["versions"] as? [String] == ["0.9", "1.0", "1.0.post1", "2.0.dev1"])

        let files = try #require(json["files"] as? [[String: Any]])
        #expect(files.count == 3)
        let sdist = files[0]
        #expect(Set(sdist.keys) == ["filename", "url", "hashes", "core-metadata", "dist-info-metadata", "yanked", "size", "upload-time"])
        #expect(sdist["filename"] as? String == "pkg-1.0.tar.gz")
        #expect(sdist["url"] as? String == "https://depot.example/d/r/pypi/files/pkg/1.0/pkg-1.0.tar.gz")
        #expect(sdist["hashes"] as? [String: String] == ["sha256": Self.sha])
        #expect(sdist["core-metadata"] as? Bool == false)
        #expect(sdist["dist-info-metadata"] as? Bool == false)
        #expect(sdist["yanked"] as? Bool == false)
        #expect(sdist["size"] as? Int == 1234)
        #expect(sdist["upload-time"] as? String == "2024-05-29T16:26:40.250000Z")

        let wheel = files[1]
        #expect(wheel["requires-python"] as? String == ">=3.8, <4 & \"quoted\"")
        #expect(wheel["core-metadata"] as? [String: String] == ["sha256": Self.metaSHA])
        #expect(wheel["dist-info-metadata"] as? [String: String] == ["sha256": Self.metaSHA])
        #expect(wheel["yanked"] as? String == "broken <script> & \"bad\"")

        let yankedWithoutReason = files[2]
        #expect(yankedWithoutReason["yanked"] as? Bool == true)
        #expect(yankedWithoutReason["upload-time"] as? String == "1970-01-01T00:00:00.000000Z")

        // Booleans are JSON booleans, not numbers; URLs keep their slashes.
        #expect(text.contains("\"yanked\":false"))
        #expect(text.contains("\"core-metadata\":false"))
        #expect(text.contains("\"url\":\"https://x/pkg-0.9-py3-none-any.whl\""))
    }

    @Test("versions are sorted by PEP 440 and deduplicated")
    func versions() {
        let page = SimpleProjectPage(name: "x", files: [], versions: ["1.10", "1.9", "1.0rc1", "1.0", "1.0.post1", "1.9", "1.0.dev0"])
        #expect(page.versions == ["1.0.dev0", "1.0rc1", "1.0", "1.0.post1", "1.9", "1.10"])
    }

    @Test("project list HTML and JSON")
    func projectList() throws {
        let list = SimpleProjectList(projects: ["Django", "zope.interface", "a<b"])
        let html = list.html()
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<meta name=\"pypi:repository-version\" content=\"1.1\">"))
        #expect(html.contains("<a href=\"django/\">Django</a><br />"))
        #expect(html.contains("<a href=\"zope-interface/\">zope.interface</a><br />"))
        #expect(html.contains("<a href=\"a&lt;b/\">a&lt;b</a>"))

        let json = try #require(try JSONSerialization.jsonObject(with: Data(list.json().utf8)) as? [String: Any])
        #expect(Set(json.keys) == ["meta", "projects"])
        #expect((json["meta"] as? [String: Any])?["api-version"] as? String == "1.1")
        #expect(json["projects"] as? [[String: String]] == [["name": "Django"], ["name": "zope.interface"], ["name": "a<b"]])
    }

    @Test("upload time format", arguments: [
        (0.0, "1970-01-01T00:00:00.000000Z"), (951_782_400.5, "2000-02-29T00:00:00.500000Z"),
        (1_709_210_096.123456, "2024-02-29T12:34:56.123456Z"), (-1.0, "1969-12-31T23:59:59.000000Z"),
        (4_102_444_799.999999, "2099-12-31T23:59:59.999999Z"),
    ])
    func uploadTime(seconds: Double, expected: String) {
        #expect(SimpleIndex.uploadTimeString(Date(timeIntervalSince1970: seconds)) == expected)
    }
}
