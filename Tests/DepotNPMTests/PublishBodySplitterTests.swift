import DepotCore
import Foundation
import Testing

@testable import DepotNPM

/// What the splitter made of a body: the skeleton and each attachment's decoded bytes.
struct Split {
    var attachments: [(name: String, bytes: [UInt8])]
    var skeleton: [UInt8]
}

/// Feeds `bytes` to a splitter in pieces of `piece` bytes (1 puts every boundary inside strings and escapes).
func split(_ bytes: [UInt8], piece: Int = 7) throws -> Split {
    // Several attachments: the lexer handles any number; the controller allows `limits.maxNpmAttachments`.
    var splitter = PublishBodySplitter(skeletonLimit: 1 << 20, maxAttachments: 16) { RecordingBlobWriter() }
    var start = 0
    while start < bytes.count {
        let end = min(bytes.count, start + piece)
        try bytes[start..<end].withUnsafeBytes { try splitter.consume($0) }
        start = end
    }
    let result = try splitter.finish()
    return Split(
        attachments: result.attachments.map { ($0.fileName, ($0.writer as! RecordingBlobWriter).bytes) }, skeleton: result.skeleton)
}

@Suite("PublishBodySplitter")
struct PublishBodySplitterTests {
    func scan(_ bytes: [UInt8]) throws -> Split {
        let whole = try split(bytes, piece: max(1, bytes.count))
        // Any way of cutting the body gives the same result.
        for piece in [1, 3, 4096] {
            let cut = try split(bytes, piece: piece)
            #expect(cut.skeleton == whole.skeleton && cut.attachments.map(\.bytes) == whole.attachments.map(\.bytes), "piece \(piece)")
        }
        return whole
    }

    func scan(_ text: String) throws -> Split {
        try scan(Array(text.utf8))
    }

    @Test("decodes the tarball of a real publish body and empties its data in the skeleton", arguments: [true, false])
    func realPublishBody(escapeSlashes: Bool) throws {
        let tarball = Fixtures.bytes(count: 10_000)
        let body = try Fixtures.publishBody(name: "@s/n", tarball: tarball, escapeSlashes: escapeSlashes)
        let result = try scan(body)
        let skeleton = result.skeleton

        try #require(result.attachments.count == 1)
        #expect(result.attachments[0].name == "n-1.0.0.tgz")
        #expect(result.attachments[0].bytes == tarball)
        let encoded = Data(tarball).base64EncodedString()
        let inBody = escapeSlashes ? encoded.replacingOccurrences(of: "/", with: "\\/") : encoded
        #expect(skeleton.count == body.count - inBody.utf8.count)
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
        let result = try scan(text)
        #expect(result.attachments.map(\.name) == ["a.tgz", "b.tgz"])
        #expect(result.attachments.map(\.bytes) == [Array("AAA".utf8), Array("BBB".utf8)])
        #expect(
            String(decoding: result.skeleton, as: UTF8.self)
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
        let result = try scan(text)
        try #require(result.attachments.count == 1)
        #expect(result.attachments[0].name == "p-1.0.0.tgz")
        #expect(result.attachments[0].bytes == Array("PKG".utf8))
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(result.skeleton)) as? [String: Any])
        #expect(parsed["description"] as? String == #"say "_attachments": {"data": "x"} \"#)
        let versions = try #require(parsed["versions"] as? [String: [String: Any]])
        let nested = try #require(versions["1.0.0"]?["_attachments"] as? [String: [String: String]])
        #expect(nested["f"]?["data"] == "NOT-ME")
        #expect(parsed["tail"] as? [String] == ["]", "}", "\\"])
    }

    @Test("a body without attachments has none and an identical skeleton")
    func noAttachments() throws {
        let text = #"{"name":"pkg","versions":{"1.0.0":{"deprecated":"use other"}},"dist-tags":{"latest":"1.0.0"}}"#
        let result = try scan(text)
        #expect(result.attachments.isEmpty)
        #expect(result.skeleton == Array(text.utf8))
        #expect(try scan("{}").attachments.isEmpty)
        #expect(try scan(" \n{ } \n").attachments.isEmpty)
    }

    @Test("non-object _attachments and non-string data are skipped, not misread")
    func oddShapes() throws {
        #expect(try scan(#"{"_attachments": null, "name": "x"}"#).attachments.isEmpty)
        #expect(try scan(#"{"_attachments": {"a.tgz": "text"}}"#).attachments.isEmpty)
        #expect(try scan(#"{"_attachments": {"a.tgz": {"data": null}}}"#).attachments.isEmpty)
        #expect(try scan(#"{"_attachments": {"a.tgz": {"data": 12}}}"#).attachments.isEmpty)
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
        let error = depotError {
            let result = try split(Array(text.utf8))
            _ = try NpmPublishDocument.parse(skeleton: result.skeleton, attachments: [])
        }
        #expect(error?.kind == .badRequest, "\(text)")
        #expect(error?.code == "MalformedBody")
    }

    @Test("escaped keys are recognised; a document over the skeleton limit is 413; invalid base64 is MalformedAttachment")
    func keysLimitsAndBadData() throws {
        let escaped = try scan(#"{"\u005fattachments":{"a\u002etgz":{"d\u0061ta":"QUFB"}}}"#)
        #expect(escaped.attachments.map(\.name) == ["a.tgz"])
        #expect(escaped.attachments.first?.bytes == Array("AAA".utf8))

        var small = PublishBodySplitter(skeletonLimit: 64) { RecordingBlobWriter() }
        let readme = #"{"readme":""# + String(repeating: "r", count: 100) + #""}"#
        let tooLarge = depotError { try Array(readme.utf8).withUnsafeBytes { try small.consume($0) } }
        #expect(tooLarge?.kind == .payloadTooLarge)
        // The attachment itself does not count towards the limit.
        var big = PublishBodySplitter(skeletonLimit: 64) { RecordingBlobWriter() }
        let body = #"{"_attachments":{"a.tgz":{"data":""# + Data(Fixtures.bytes(count: 3000)).base64EncodedString() + #""}}}"#
        try Array(body.utf8).withUnsafeBytes { try big.consume($0) }
        #expect(try big.finish().attachments.first?.decodedSize == 3000)

        for data in ["QUFBQ", "QUFB\\u0041", "Q!FB"] {
            let error = depotError { _ = try split(Array(#"{"_attachments":{"a.tgz":{"data":"\#(data)"}}}"#.utf8)) }
            #expect(error?.code == "MalformedAttachment", "\(data)")
        }
    }

    @Test("a truncated real publish body is refused")
    func truncatedPublishBody() throws {
        let body = try Fixtures.publishBody(name: "pkg", tarball: Fixtures.bytes(count: 3000))
        for cut in [1, 10, body.count / 3, body.count / 2, body.count - 2, body.count - 1] {
            let error = depotError { _ = try split(Array(body.prefix(cut))) }
            #expect(error?.kind == .badRequest, "cut at \(cut)")
        }
    }
}

@Suite("NpmPublishDocument")
struct NpmPublishDocumentTests {
    func parse(_ bytes: [UInt8]) throws -> NpmPublishDocument {
        var splitter = PublishBodySplitter(skeletonLimit: 1 << 20) { RecordingBlobWriter() }
        try bytes.withUnsafeBytes { try splitter.consume($0) }
        let result = try splitter.finish()
        return try NpmPublishDocument.parse(skeleton: result.skeleton, attachments: result.attachments)
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
        #expect((attachment.writer as? RecordingBlobWriter)?.bytes == tarball)
        #expect(attachment.decodedSize == 2048)
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
