import DepotCore
import Foundation
import Testing

@testable import DepotNPM

@Suite("AttachmentScanner")
struct AttachmentScannerTests {
    func scan(_ bytes: [UInt8]) throws -> (ranges: [(name: String, range: Range<Int>)], skeleton: [UInt8]) {
        try bytes.withUnsafeBytes { buffer in
            let result = try AttachmentScanner.scan(buffer)
            return (result.dataRanges, result.skeleton)
        }
    }

    func scan(_ text: String) throws -> (ranges: [(name: String, range: Range<Int>)], skeleton: [UInt8]) {
        try scan(Array(text.utf8))
    }

    @Test("finds the base64 text of a real publish body and empties it in the skeleton", arguments: [true, false])
    func realPublishBody(escapeSlashes: Bool) throws {
        let tarball = Fixtures.bytes(count: 10_000)
        let body = try Fixtures.publishBody(name: "@s/n", tarball: tarball, escapeSlashes: escapeSlashes)
        let (ranges, skeleton) = try scan(body)

        try #require(ranges.count == 1)
        #expect(ranges[0].name == "n-1.0.0.tgz")
        var text = String(decoding: body[ranges[0].range], as: UTF8.self)
        if escapeSlashes { text = text.replacingOccurrences(of: "\\/", with: "/") }
        #expect(text == Data(tarball).base64EncodedString())
        // The range excludes the quotes.
        #expect(body[ranges[0].range.lowerBound - 1] == UInt8(ascii: "\""))
        #expect(body[ranges[0].range.upperBound] == UInt8(ascii: "\""))

        #expect(skeleton.count == body.count - ranges[0].range.count)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(skeleton)) as? [String: Any])
        let attachments = try #require(parsed["_attachments"] as? [String: Any])
        let attachment = try #require(attachments["n-1.0.0.tgz"] as? [String: Any])
        #expect(attachment["data"] as? String == "")
        #expect(attachment["length"] as? Int == tarball.count)
        #expect(attachment["content_type"] as? String == "application/octet-stream")
        // Everything else is intact.
        let original = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(parsed["name"] as? String == "@s/n")
        #expect(parsed["readme"] as? String == original["readme"] as? String)
        let versions = try #require(parsed["versions"] as? [String: Any])
        let manifest = try #require(versions["1.0.0"] as? [String: Any])
        #expect(manifest["description"] as? String == "A \"test\" package with a \\ backslash")
    }

    @Test("handles several attachments and keeps their order")
    func severalAttachments() throws {
        let text = #"{"_attachments":{"a.tgz":{"data":"QUFB","length":3},"b.tgz":{"length":3,"data":"QkJC"}},"name":"x"}"#
        let bytes = Array(text.utf8)
        let (ranges, skeleton) = try scan(bytes)
        #expect(ranges.map(\.name) == ["a.tgz", "b.tgz"])
        #expect(ranges.map { String(decoding: bytes[$0.range], as: UTF8.self) } == ["QUFB", "QkJC"])
        #expect(
            String(decoding: skeleton, as: UTF8.self)
                == #"{"_attachments":{"a.tgz":{"data":"","length":3},"b.tgz":{"length":3,"data":""}},"name":"x"}"#)
    }

    @Test("escaped quotes and lookalike keys in other strings do not confuse it")
    func escapedQuotes() throws {
        let text = #"""
            { "description": "say \"_attachments\": {\"data\": \"x\"} \\",
              "weird\"key": "v\\\"",
              "versions": {"1.0.0": {"_attachments": {"f": {"data": "NOT-ME"}}, "readme": "{\"data\":\"no\"}"}},
              "_attachments" : { "p-1.0.0.tgz" : { "data" : "UEtH" , "length" : 3 } } ,
              "tail": ["]", "}", "\\"]
            }
            """#
        let bytes = Array(text.utf8)
        let (ranges, skeleton) = try scan(bytes)
        try #require(ranges.count == 1)
        #expect(ranges[0].name == "p-1.0.0.tgz")
        #expect(String(decoding: bytes[ranges[0].range], as: UTF8.self) == "UEtH")
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(skeleton)) as? [String: Any])
        #expect(parsed["description"] as? String == #"say "_attachments": {"data": "x"} \"#)
        let versions = try #require(parsed["versions"] as? [String: [String: Any]])
        let nested = try #require(versions["1.0.0"]?["_attachments"] as? [String: [String: String]])
        #expect(nested["f"]?["data"] == "NOT-ME")
        #expect(parsed["tail"] as? [String] == ["]", "}", "\\"])
    }

    @Test("a body without attachments has no ranges and an identical skeleton")
    func noAttachments() throws {
        let text = #"{"name":"pkg","versions":{"1.0.0":{"deprecated":"use other"}},"dist-tags":{"latest":"1.0.0"}}"#
        let (ranges, skeleton) = try scan(text)
        #expect(ranges.isEmpty)
        #expect(skeleton == Array(text.utf8))
        #expect(try scan("{}").ranges.isEmpty)
        #expect(try scan(" \n{ } \n").ranges.isEmpty)
    }

    @Test("non-object _attachments and non-string data are skipped, not misread")
    func oddShapes() throws {
        #expect(try scan(#"{"_attachments": null, "name": "x"}"#).ranges.isEmpty)
        #expect(try scan(#"{"_attachments": {"a.tgz": "text"}}"#).ranges.isEmpty)
        #expect(try scan(#"{"_attachments": {"a.tgz": {"data": null}}}"#).ranges.isEmpty)
        #expect(try scan(#"{"_attachments": {"a.tgz": {"data": 12}}}"#).ranges.isEmpty)
    }

    @Test(
        "malformed bodies are refused with 400 MalformedBody",
        arguments: [
            "", "   ", "[]", "[{\"_attachments\":{}}]", "\"text\"", "42", "null", "{", "{\"name\"", "{\"name\":", "{\"name\":\"x\"",
            "{\"name\":\"x\",", "{\"name\":\"x\"} trailing", "{\"name\":\"x\"}}", "{\"name\":\"x\"}{}", "{name:\"x\"}",
            "{\"name\" \"x\"}", "{\"a\":1 \"b\":2}", "{\"_attachments\":{\"a.tgz\":{\"data\":\"QUFB",
            "{\"_attachments\":{\"a.tgz\":{\"data\":\"QUFB\"}", "{\"a\":\"unterminated}", "{\"a\":\"ends with backslash\\",
            "{\"a\":[1,2}", "{\"a\":\"line\nbreak\"}", "{\"a\":{\"b\":[\"c\"]",
        ])
    func malformed(_ text: String) {
        let error = depotError { _ = try scan(text) }
        #expect(error?.kind == .badRequest, "\(text)")
        #expect(error?.code == "MalformedBody")
    }

    @Test("a truncated real publish body is refused")
    func truncatedPublishBody() throws {
        let body = try Fixtures.publishBody(name: "pkg", tarball: Fixtures.bytes(count: 3000))
        for cut in [1, 10, body.count / 3, body.count / 2, body.count - 2, body.count - 1] {
            let error = depotError { _ = try scan(Array(body.prefix(cut))) }
            #expect(error?.kind == .badRequest, "cut at \(cut)")
        }
    }
}

@Suite("NpmPublishDocument")
struct NpmPublishDocumentTests {
    func parse(_ bytes: [UInt8]) throws -> NpmPublishDocument {
        try bytes.withUnsafeBytes { try NpmPublishDocument.parse($0) }
    }

    @Test("extracts name, versions, dist-tags, attachments and readme")
    func extracts() throws {
        let tarball = Fixtures.bytes(count: 2048)
        let body = try Fixtures.publishBody(
            name: "@s/n", version: "2.1.0-beta.1", tarball: tarball, readme: "# n\nreadme text",
            distTags: ["beta": "2.1.0-beta.1"])
        let document = try parse(body)
        #expect(document.name == "@s/n")
        #expect(Array(document.versions.keys) == ["2.1.0-beta.1"])
        let manifest = try #require(document.versions["2.1.0-beta.1"])
        #expect(manifest["version"] as? String == "2.1.0-beta.1")
        #expect(manifest["dependencies"] as? [String: String] == ["left-pad": "^1.3.0"])
        #expect(document.distTags == ["beta": "2.1.0-beta.1"])
        #expect(document.readme == "# n\nreadme text")
        try #require(document.attachments.count == 1)
        let attachment = document.attachments[0]
        #expect(attachment.fileName == "n-2.1.0-beta.1.tgz")
        #expect(attachment.declaredLength == 2048)
        let text = String(decoding: body[attachment.dataRange], as: UTF8.self).replacingOccurrences(of: "\\/", with: "/")
        #expect(Data(base64Encoded: text) == Data(tarball))
    }

    @Test("npm names a scoped package's attachment with the full name, slash included")
    func scopedAttachmentName() throws {
        let tarball = Fixtures.bytes(count: 300)
        let document: [String: Any] = [
            "name": "@s/n", "versions": ["1.0.0": ["name": "@s/n", "version": "1.0.0"]],
            "_attachments": ["@s/n-1.0.0.tgz": ["data": Data(tarball).base64EncodedString(), "length": 300]],
        ]
        let plain = Array(try JSONSerialization.data(withJSONObject: document, options: [.withoutEscapingSlashes]))
        let parsed = try parse(plain)
        #expect(parsed.attachments.map(\.fileName) == ["@s/n-1.0.0.tgz"])
        #expect(parsed.attachments.first?.declaredLength == 300)
    }

    @Test("attachment names written with JSON escapes are unescaped")
    func escapedAttachmentName() throws {
        // `"@s\/n-1.0.0.tgz"` and `"@s/n-1.0.0.tgz"` are the same JSON string (JSONSerialization writes the former).
        let tarball = Fixtures.bytes(count: 300)
        let document: [String: Any] = [
            "name": "@s/n", "versions": ["1.0.0": ["name": "@s/n", "version": "1.0.0"]],
            "_attachments": ["@s/n-1.0.0.tgz": ["data": Data(tarball).base64EncodedString(), "length": 300]],
        ]
        let escaped = Array(try JSONSerialization.data(withJSONObject: document))
        #expect(String(decoding: escaped, as: UTF8.self).contains(#""@s\/n-1.0.0.tgz""#))
        let parsed = try parse(escaped)
        #expect(parsed.attachments.map(\.fileName) == ["@s/n-1.0.0.tgz"])
        #expect(parsed.attachments.first?.declaredLength == 300)
    }

    @Test("a metadata-only body (deprecate) has no attachments")
    func metadataOnly() throws {
        let text = #"{"_id":"pkg","_rev":"3-a","name":"pkg","versions":{"1.0.0":{"name":"pkg","version":"1.0.0","deprecated":"old"}},"dist-tags":{"latest":"1.0.0"},"readmeFilename":"README.md"}"#
        let document = try parse(Array(text.utf8))
        #expect(document.attachments.isEmpty)
        #expect(document.versions["1.0.0"]?["deprecated"] as? String == "old")
        #expect(document.readmeFilename == "README.md")
        #expect(document.readme == nil)
    }

    @Test("falls back to _id for the name, and allows a body without versions or dist-tags")
    func minimal() throws {
        let document = try parse(Array(#"{"_id":"pkg"}"#.utf8))
        #expect(document.name == "pkg")
        #expect(document.versions.isEmpty)
        #expect(document.distTags == nil)
    }

    @Test(
        "invalid documents are refused with 400",
        arguments: [
            #"{"versions":{}}"#, #"{"name":5}"#, #"{"name":"x","versions":[]}"#, #"{"name":"x","versions":{"1.0.0":"str"}}"#,
            #"{"name":"x","dist-tags":["latest"]}"#, #"{"name":"x","dist-tags":{"latest":1}}"#,
            #"{"name":"x","_attachments":{"a.tgz":{"length":3}}}"#, #"{"name":"x","_attachments":{"a.tgz":{"data":5}}}"#,
            #"{"name":"x","a": }"#, #"{"name":"x","a":tru}"#, #"{"name":"x","a":[1,}"#,
        ])
    func invalid(_ text: String) {
        let error = depotError { _ = try parse(Array(text.utf8)) }
        #expect(error?.kind == .badRequest, "\(text)")
        #expect(error?.code == "MalformedBody")
    }
}
