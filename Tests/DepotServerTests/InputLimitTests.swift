import DepotCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DepotServer

/// `limits.*` on request bodies, through the real router: each attack gets its 4xx in the route's error style and
/// leaves nothing behind (no blob, no temporary file, no version). Limits are set small so bodies stay small.
@Suite struct InputLimitTests {
    static func registryCode(_ response: TestResponse) throws -> String? {
        try response.object()["code"] as? String
    }

    static var jsonHeaders: HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return headers
    }

    // MARK: npm

    @Test("npm publish with thousands of attachments: 400 TooManyAttachments, no blob left")
    func manyAttachments() async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            let tarball = NpmPublish.tarball()
            var document = try #require(
                try JSONSerialization.jsonObject(with: Data(NpmPublish.body(name: "many", version: "1.0.0", tarball: tarball, readme: "r")))
                    as? [String: Any])
            var attachments: [String: Any] = [:]
            for i in 0..<3000 {
                attachments["many-1.0.\(i).tgz"] = ["content_type": "application/octet-stream", "data": "AAAA", "length": 3]
            }
            document["_attachments"] = attachments
            let body = Array(try JSONSerialization.data(withJSONObject: document))
            let response = try await depot.request(.put, "/acme/main/npm/many", headers: Self.jsonHeaders, body: body)
            #expect(response.status == .badRequest)
            #expect(try Self.registryCode(response) == "TooManyAttachments")
            #expect(depot.blobFiles().filter { !$0.hasPrefix("tmp/") }.isEmpty && depot.blobFiles().isEmpty)
            #expect(try await depot.request(.get, "/acme/main/npm/many").status == .notFound)
            // A normal publish still works.
            #expect(try await depot.publish("many", tarball: tarball).status == .created)
        }
    }

    @Test("npm PUT nested deeper than maxJSONDepth: 400 TooDeep; a skeleton over maxJSONSize: 413")
    func npmNestingAndSize() async throws {
        try await Depot.run(configure: {
            $0.inputLimits.maxJSONSize = 64 << 10
            $0.inputLimits.maxJSONValues = 1000
        }) { depot in
            try await depot.standardSetup()
            let deep = Array((#"{"name":"deep","versions":{"1.0.0":{"x":"# + String(repeating: "[", count: 200_000)).utf8)
            let response = try await depot.request(.put, "/acme/main/npm/deep", headers: Self.jsonHeaders, body: deep)
            #expect(response.status == .badRequest)
            #expect(try Self.registryCode(response) == "TooDeep")

            let big = try await depot.publish("big", tarball: NpmPublish.tarball(), readme: String(repeating: "r", count: 100_000))
            #expect(big.status == .contentTooLarge)
            #expect(depot.blobFiles().isEmpty)

            // Wide rather than deep: many tiny values cost far more memory parsed than their bytes.
            let wide = try await depot.publish(
                "wide", tarball: NpmPublish.tarball(), readme: "r", distTags: Dictionary(uniqueKeysWithValues: (0..<2000).map { ("t\($0)", "1.0.0") }))
            #expect(wide.status == .badRequest)
            #expect(try Self.registryCode(wide) == "TooManyValues")
            #expect(depot.blobFiles().isEmpty)

            let login = try await depot.request(
                .put, "/acme/main/npm/-/user/org.couchdb.user:x", auth: .anonymous, headers: Self.jsonHeaders,
                body: Array((#"{"name":"x","password":"# + String(repeating: "[", count: 1000)).utf8))
            #expect(login.status == .badRequest)
        }
    }

    // MARK: Management API

    @Test("management API bodies: nesting over maxJSONDepth is 400, over maxJSONSize 413, in the API error style")
    func apiJSON() async throws {
        try await Depot.run(configure: { $0.inputLimits.maxJSONSize = 4096 }) { depot in
            let deep = Array((#"{"name":"acme","x":"# + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}").utf8)
            let tooDeep = try await depot.request(.post, "/api/v1/domains", headers: Self.jsonHeaders, body: deep)
            #expect(tooDeep.status == .badRequest)
            #expect(try tooDeep.apiErrorCode() == "TooDeep")
            let large = Array((#"{"name":"acme","x":""# + String(repeating: "a", count: 5000) + #""}"#).utf8)
            let tooLarge = try await depot.request(.post, "/api/v1/domains", headers: Self.jsonHeaders, body: large)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(try await depot.request(.get, "/api/v1/domains/acme").status == .notFound)
        }
    }

    // MARK: PyPI

    static let boundary = "depot-limit-boundary"

    static func form(_ fields: [(String, String)], file: [UInt8] = Array("not a wheel".utf8)) -> [UInt8] {
        var text = ""
        for (name, value) in fields {
            text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
        }
        text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"content\"; filename=\"pkg-1.0-py3-none-any.whl\"\r\n\r\n"
        return Array(text.utf8) + file + Array("\r\n--\(boundary)--\r\n".utf8)
    }

    static var formHeaders: HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = "multipart/form-data; boundary=\(boundary)"
        return headers
    }

    @Test("twine upload with thousands of junk fields: 400 TooManyFields; fields over maxFormFieldsSize: 413; nothing stored")
    func junkFields() async throws {
        try await Depot.run(configure: {
            $0.inputLimits.maxFormFields = 100
            $0.inputLimits.maxFormFieldsSize = 64 << 10
        }) { depot in
            try await depot.standardSetup()
            let base = [(":action", "file_upload"), ("name", "pkg"), ("version", "1.0"), ("filetype", "bdist_wheel")]
            let junk = (0..<5000).map { ("junk\($0)", "x") }
            let many = try await depot.request(.post, "/acme/main/pypi/", headers: Self.formHeaders, body: Self.form(base + junk))
            #expect(many.status == .badRequest)
            #expect(try Self.registryCode(many) == "TooManyFields")

            let big = (0..<4).map { ("description\($0)", String(repeating: "d", count: 20_000)) }
            let large = try await depot.request(.post, "/acme/main/pypi/", headers: Self.formHeaders, body: Self.form(base + big))
            #expect(large.status == .contentTooLarge)
            #expect(depot.blobFiles().isEmpty)
        }
    }

    // MARK: Maven

    static let pomPath = "/acme/main/maven/org/example/lib/1.0/lib-1.0.pom"

    @Test("a pom over maxXMLSize: 413 while it streams, nothing stored")
    func hugePom() async throws {
        try await Depot.run(configure: { $0.inputLimits.maxXMLSize = 64 << 10 }) { depot in
            try await depot.standardSetup()
            let pom = Array(("<project>" + String(repeating: "<!-- padding -->", count: 20_000) + "</project>").utf8)
            let response = try await depot.request(.put, Self.pomPath, body: pom)
            #expect(response.status == .contentTooLarge)
            #expect(depot.blobFiles().isEmpty)
            #expect(try await depot.request(.get, Self.pomPath).status == .notFound)
            let small = Array("<project><artifactId>lib</artifactId></project>".utf8)
            #expect(try await depot.request(.put, Self.pomPath, body: small).status == .created)

            let metadata = Array(("<metadata>" + String(repeating: "<!-- padding -->", count: 20_000) + "</metadata>").utf8)
            let tooLarge = try await depot.request(.put, "/acme/main/maven/org/example/lib/maven-metadata.xml", body: metadata)
            #expect(tooLarge.status == .contentTooLarge)
        }
    }

    /// UTF-16 bytes a byte search for `<!DOCTYPE` cannot see, which the XML parser decodes and obeys.
    static func utf16(_ text: String, bom: Bool) -> [UInt8] {
        (bom ? [0xFF, 0xFE] : []) + text.utf16.flatMap { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)] }
    }

    @Test("a UTF-16 pom or maven-metadata.xml with a DTD: 400, nothing stored", arguments: [true, false])
    func utf16DTD(bom: Bool) async throws {
        try await Depot.run { depot in
            try await depot.standardSetup()
            let dtd = #"<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE p [<!ENTITY x "y">]>"#
            let pom = Self.utf16(dtd + "<project><name>&x;</name></project>", bom: bom)
            let response = try await depot.request(.put, Self.pomPath, body: pom)
            #expect(response.status == .badRequest)
            #expect(try Self.registryCode(response) == "InvalidPom")
            #expect(depot.blobFiles().isEmpty)

            let metadata = Self.utf16(dtd + "<metadata><groupId>&x;</groupId></metadata>", bom: bom)
            let refused = try await depot.request(.put, "/acme/main/maven/org/example/lib/maven-metadata.xml", body: metadata)
            #expect(refused.status == .badRequest)
            #expect(try Self.registryCode(refused) == "InvalidMetadata")
        }
    }
}
