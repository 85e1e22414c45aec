import DepotCore
import Foundation
import Testing

@testable import DepotPyPI

@Suite("PyPIUpstreamFormat")
struct PyPIUpstreamFormatTests {
    let format = PyPIUpstreamFormat()
    let key = PackageKey(format: "pypi", name: "typing-extensions")
    let documentURL = URL(string: "https://pypi.org/simple/typing-extensions/")!

    static let wheel = String(repeating: "ab", count: 32)
    static let sdist = String(repeating: "cd", count: 32)
    static let yankedWheel = String(repeating: "ef", count: 32)
    static let yankedSdist = String(repeating: "01", count: 32)
    static let relativeWheel = String(repeating: "23", count: 32)

    /// A PEP 691 project page shaped like PyPI's answer for typing_extensions (trimmed, hashes replaced).
    static func page(name: String = "typing_extensions") -> Data {
        let json = """
            {
              "meta": { "_last-serial": 23374521, "api-version": "1.1" },
              "name": "\(name)",
              "versions": ["4.10.0", "4.11.0", "4.12.0", "4.12.1"],
              "files": [
                {
                  "filename": "typing_extensions-4.12.0-py3-none-any.whl",
                  "url": "https://files.pythonhosted.org/packages/0f/ab/typing_extensions-4.12.0-py3-none-any.whl",
                  "hashes": { "sha256": "\(wheel.uppercased())" },
                  "requires-python": ">=3.8",
                  "core-metadata": { "sha256": "\(String(repeating: "99", count: 32))" },
                  "data-dist-info-metadata": { "sha256": "\(String(repeating: "99", count: 32))" },
                  "yanked": false,
                  "size": 37372,
                  "upload-time": "2024-05-29T15:37:47.123456Z"
                },
                {
                  "filename": "typing_extensions-4.12.0.tar.gz",
                  "url": "https://files.pythonhosted.org/packages/ce/cd/typing_extensions-4.12.0.tar.gz",
                  "hashes": { "sha256": "\(sdist)", "blake2b_256": "cecd" },
                  "requires-python": ">=3.8",
                  "yanked": false,
                  "size": 85321,
                  "upload-time": "2024-05-29T15:37:49.000000Z"
                },
                {
                  "filename": "typing_extensions-4.11.0-py3-none-any.whl",
                  "url": "https://files.pythonhosted.org/packages/01/f9/typing_extensions-4.11.0-py3-none-any.whl",
                  "hashes": { "sha256": "\(yankedWheel)" },
                  "requires-python": ">=3.8",
                  "yanked": "broke Python 3.8 support",
                  "size": 34698,
                  "upload-time": "2024-04-05T12:35:44.388Z"
                },
                {
                  "filename": "typing_extensions-4.11.0.tar.gz",
                  "url": "https://files.pythonhosted.org/packages/f6/f3/typing_extensions-4.11.0.tar.gz",
                  "hashes": { "sha256": "\(yankedSdist)" },
                  "yanked": true,
                  "upload-time": "2024-04-05T12:35:47Z"
                },
                {
                  "filename": "typing_extensions-4.10.0-py3-none-any.whl",
                  "url": "../../packages/f9/de/typing_extensions-4.10.0-py3-none-any.whl",
                  "hashes": { "sha256": "\(relativeWheel)" },
                  "yanked": false
                },
                {
                  "filename": "typing_extensions-4.12.1-py3-none-any.whl",
                  "url": "https://files.pythonhosted.org/packages/aa/aa/typing_extensions-4.12.1-py3-none-any.whl",
                  "hashes": { "md5": "0123456789abcdef0123456789abcdef" },
                  "yanked": false
                },
                {
                  "filename": "typing_extensions-4.12.1.tar.gz",
                  "url": "file:///etc/typing_extensions-4.12.1.tar.gz",
                  "hashes": { "sha256": "\(sdist)" },
                  "yanked": false
                },
                {
                  "filename": "typing_extensions-3.7.4.win32.exe",
                  "url": "https://files.pythonhosted.org/packages/bb/bb/typing_extensions-3.7.4.win32.exe",
                  "hashes": { "sha256": "\(sdist)" },
                  "yanked": false
                },
                {
                  "filename": "typing_extensions-3.7.4-py3.7.egg",
                  "url": "https://files.pythonhosted.org/packages/cc/cc/typing_extensions-3.7.4-py3.7.egg",
                  "hashes": { "sha256": "\(sdist)" },
                  "yanked": false
                },
                {
                  "filename": "typing_extensions-3.7.4-py3-none-any.whl",
                  "url": "https://files.pythonhosted.org/packages/dd/dd/typing_extensions-3.7.4-py3-none-any.whl",
                  "hashes": { "sha256": "not-a-digest" },
                  "yanked": false
                }
              ]
            }
            """
        return Data(json.utf8)
    }

    func metadata(_ version: UpstreamVersion) throws -> PyPIVersionMetadata { try PyPIVersionMetadata(data: version.metadata) }

    @Test("metadata requests ask for PEP 691 JSON at <base>/<normalized name>/")
    func metadataRequest() {
        let request = format.metadataRequest(for: key, base: URL(string: "https://pypi.org/simple/")!)
        #expect(request.url.absoluteString == "https://pypi.org/simple/typing-extensions/")
        #expect(request.accept == "application/vnd.pypi.simple.v1+json")
        let noSlash = format.metadataRequest(for: key, base: URL(string: "http://127.0.0.1:8000/simple")!)
        #expect(noSlash.url.absoluteString == "http://127.0.0.1:8000/simple/typing-extensions/")
        #expect(format.connectionName == "public:pypi")
        #expect(format.versionsHaveManyAssets)
    }

    @Test("files are grouped into versions by filename, with URL, sha256 and size; unusable files are skipped")
    func groupsFiles() throws {
        let package = try format.parseMetadata(Self.page(), key: key, documentURL: documentURL)
        // 4.12.1 has no file with a sha256 and an http(s) URL; the exe, egg and bad-hash 3.7.4 files are skipped.
        #expect(package.versions.map(\.version).sorted() == ["4.10.0", "4.11.0", "4.12.0"])
        #expect(package.tags.isEmpty)

        let current = try #require(package.version("4.12.0"))
        #expect(current.assets.map(\.name) == ["typing_extensions-4.12.0-py3-none-any.whl", "typing_extensions-4.12.0.tar.gz"])
        let wheel = current.assets[0]
        #expect(wheel.url.absoluteString == "https://files.pythonhosted.org/packages/0f/ab/typing_extensions-4.12.0-py3-none-any.whl")
        #expect(wheel.expected == [.sha256: Self.wheel])
        #expect(wheel.size == 37372)
        #expect(current.assets[1].expected == [.sha256: Self.sdist])
        #expect(current.assets[1].size == 85321)
        #expect(current.isListed)

        // A relative file URL resolves against the page's URL.
        let relative = try #require(package.version("4.10.0")?.assets.first)
        #expect(relative.url.absoluteString == "https://pypi.org/packages/f9/de/typing_extensions-4.10.0-py3-none-any.whl")
        #expect(relative.size == nil)
    }

    @Test("upload times become publish times (a version's first upload, as PyPI dates releases) and per-file metadata")
    func uploadTimes() throws {
        let package = try format.parseMetadata(Self.page(), key: key, documentURL: documentURL)
        let current = try #require(package.version("4.12.0"))
        #expect(abs((current.publishedAt?.timeIntervalSince1970 ?? 0) - 1_716_997_067.123456) < 0.001)
        let files = try metadata(current).files
        #expect(files.count == 2)
        let wheel = try #require(files["typing_extensions-4.12.0-py3-none-any.whl"])
        #expect(abs(wheel.uploadTime.timeIntervalSince1970 - 1_716_997_067.123456) < 0.001)
        #expect(wheel.requiresPython == ">=3.8")
        #expect(!wheel.yanked)
        #expect(!wheel.hasMetadata)

        // No upload time at all: no publish time.
        #expect(package.version("4.10.0")?.publishedAt == nil)
    }

    @Test("yanked files keep their state: a bare true and a reason string")
    func yanked() throws {
        let package = try format.parseMetadata(Self.page(), key: key, documentURL: documentURL)
        let version = try #require(package.version("4.11.0"))
        let files = try metadata(version).files
        let wheel = try #require(files["typing_extensions-4.11.0-py3-none-any.whl"])
        #expect(wheel.yanked)
        #expect(wheel.yankedReason == "broke Python 3.8 support")
        let sdist = try #require(files["typing_extensions-4.11.0.tar.gz"])
        #expect(sdist.yanked)
        #expect(sdist.yankedReason == nil)
        #expect(sdist.requiresPython == nil)
        #expect(abs((version.publishedAt?.timeIntervalSince1970 ?? 0) - 1_712_320_544.388) < 0.001)
    }

    @Test("a fetched file is recorded with its own entry only")
    func recordedMetadata() throws {
        let package = try format.parseMetadata(Self.page(), key: key, documentURL: documentURL)
        let version = try #require(package.version("4.12.0"))
        let recorded = try PyPIVersionMetadata(data: try format.recordedMetadata(for: version, asset: version.assets[1], file: nil))
        #expect(Array(recorded.files.keys) == ["typing_extensions-4.12.0.tar.gz"])
        // Merged with the other file's record later, both are listed.
        let other = try format.recordedMetadata(for: version, asset: version.assets[0], file: nil)
        let merge = try #require(format.mergeMetadata)
        let merged = try PyPIVersionMetadata(data: try merge(try recorded.encoded(), other))
        #expect(merged.files.keys.sorted() == version.assets.map(\.name))
    }

    @Test("a page for another project is refused; the name is compared normalized")
    func projectName() throws {
        #expect(throws: (any Error).self) {
            try format.parseMetadata(Self.page(name: "typing-extension"), key: key, documentURL: documentURL)
        }
        #expect(throws: (any Error).self) {
            try format.parseMetadata(Self.page(name: "requests"), key: key, documentURL: documentURL)
        }
        let spelled = try format.parseMetadata(Self.page(name: "Typing.Extensions"), key: key, documentURL: documentURL)
        #expect(spelled.versions.count == 3)
    }

    @Test(
        "pages that are not PEP 691 JSON are refused",
        arguments: [
            "<!DOCTYPE html><html><body><a href=\"x.whl\">x.whl</a></body></html>",
            "{\"name\":\"typing_extensions\"}",
            "{\"name\":\"typing_extensions\",\"files\":[{\"filename\":\"a.whl\"}]}",
            "[]",
        ])
    func refusesNonJSON(body: String) {
        #expect(throws: (any Error).self) {
            try format.parseMetadata(Data(body.utf8), key: key, documentURL: documentURL)
        }
    }

    @Test("a page without files is an empty package")
    func emptyPage() throws {
        let page = Data("{\"meta\":{\"api-version\":\"1.0\"},\"name\":\"typing-extensions\",\"files\":[]}".utf8)
        #expect(try format.parseMetadata(page, key: key, documentURL: documentURL).versions.isEmpty)
    }
}
