import Crypto
import DepotCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import DepotAWS

/// CodeArtifact's API in memory (`app.test(.router)`), signed with SigV4 as the SDKs sign: the region of the
/// signature names the ARNs, the body the signature covers is what the handler reads, listings page in SQL with
/// full pages, and tags follow CodeArtifact's rules and the one policy.
@Suite("CodeArtifact API in memory")
struct CodeArtifactAPITests {
    struct Keys {
        var accessKeyID: String
        var secret: String
    }

    /// A signed call to `/api/aws/codeartifact/v1/<path>` (with its query) and its JSON answer.
    static func call(
        _ depot: Depot, _ keys: Keys, _ method: HTTPRequest.Method, _ path: String, body: [String: Any]? = nil,
        region: String = "us-east-1"
    ) async throws -> (status: Int, type: String?, object: [String: Any]) {
        let uri = CodeArtifactController.prefix + "/v1/" + path
        let payload = try body.map { try JSONSerialization.data(withJSONObject: $0) } ?? Data()
        let now = Date()
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let amzDate = formatter.string(from: now)
        let day = String(amzDate.prefix(8))
        let parts = uri.split(separator: "?", maxSplits: 1).map(String.init)
        let signed = SigV4Request(
            method: method.rawValue, path: parts[0], query: parts.count > 1 ? parts[1] : "",
            headers: [("content-type", "application/json"), ("host", "depot.test"), ("x-amz-date", amzDate)],
            payloadSHA256: Hex.encode(SHA256.hash(data: payload)))
        let credential = "\(keys.accessKeyID)/\(day)/\(region)/codeartifact/aws4_request"
        let unsigned = try SigV4Authorization(
            header: "AWS4-HMAC-SHA256 Credential=\(credential), SignedHeaders=content-type;host;x-amz-date, Signature=\(String(repeating: "0", count: 64))")
        let signature = SigV4Verifier.signature(
            canonicalRequest: SigV4Verifier.canonicalRequest(
                signed, query: signed.query, signedHeaders: unsigned.signedHeaders, payloadHash: signed.payloadSHA256),
            amzDate: amzDate, authorization: unsigned, secret: keys.secret)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[HTTPField.Name("Host")!] = "depot.test"
        headers[HTTPField.Name("X-Amz-Date")!] = amzDate
        headers[.authorization] = "AWS4-HMAC-SHA256 Credential=\(credential), SignedHeaders=content-type;host;x-amz-date, Signature=\(signature)"
        let response = try await depot.request(method, uri, auth: .anonymous, headers: headers, body: Array(payload))
        let object = response.body.readableBytes == 0 ? [:] : try response.object()
        return (Int(response.status.code), response.headers[HTTPField.Name("x-amzn-ErrorType")!], object)
    }

    static func adminKeys(_ depot: Depot) async throws -> Keys {
        let object = try await depot.request(.post, "/api/v1/aws-credentials").object()
        return Keys(accessKeyID: try #require(object["accessKeyId"] as? String), secret: try #require(object["secretAccessKey"] as? String))
    }

    static func names(_ object: [String: Any], _ list: String, _ key: String = "name") -> [String] {
        (object[list] as? [[String: Any]] ?? []).compactMap { $0[key] as? String }
    }

    @Test("ARNs name the region the call was signed for; the signed body reaches the handler (tags at creation)")
    func regionAndBody() async throws {
        try await Depot.run { depot in
            let keys = try await Self.adminKeys(depot)
            let created = try await Self.call(
                depot, keys, .post, "domain?domain=acme", body: ["tags": [["key": "team", "value": "core"]]], region: "sa-east-1")
            #expect(created.status == 200, "\(created)")
            #expect((created.object["domain"] as? [String: Any])?["arn"] as? String == "arn:aws:codeartifact:sa-east-1:000000000000:domain/acme")
            let repository = try await Self.call(
                depot, keys, .post, "repository?domain=acme&repository=app", body: ["description": "the app", "tags": [["key": "k", "value": "v"]]],
                region: "ap-northeast-3")
            let described = try #require(repository.object["repository"] as? [String: Any], "\(repository)")
            #expect(described["arn"] as? String == "arn:aws:codeartifact:ap-northeast-3:000000000000:repository/acme/app")
            #expect(described["description"] as? String == "the app")
            let tags = try await Self.call(depot, keys, .post, "tags?resourceArn=arn:aws:codeartifact:eu-west-1:000000000000:domain/acme")
            #expect(tags.object["tags"] as? [[String: String]] == [["key": "team", "value": "core"]], "\(tags)")
        }
    }

    @Test("repositories page across domains in SQL: full pages, the prefix in the query, a scoped key sees its own")
    func repositoryPaging() async throws {
        try await Depot.run { depot in
            let keys = try await Self.adminKeys(depot)
            for (domain, repositories) in [("beta", ["lib", "app-2", "app-3"]), ("alpha", ["app-1", "tools"])] {
                try await depot.createDomain(domain)
                for name in repositories { try await depot.createRepository(name, in: domain) }
            }
            var seen: [String] = []
            var token: String?
            repeat {
                let page = try await Self.call(
                    depot, keys, .post, "repositories?max-results=2" + (token.map { "&next-token=\($0)" } ?? ""))
                let items = page.object["repositories"] as? [[String: Any]] ?? []
                token = page.object["nextToken"] as? String
                #expect(items.count == (token == nil ? 1 : 2), "\(page)")
                seen += items.map { "\($0["domainName"] ?? "")/\($0["name"] ?? "")" }
            } while token != nil
            #expect(seen == ["alpha/app-1", "alpha/tools", "beta/app-2", "beta/app-3", "beta/lib"])
            let prefixed = try await Self.call(depot, keys, .post, "repositories?repository-prefix=app-&max-results=2")
            #expect(Self.names(prefixed.object, "repositories") == ["app-1", "app-2"] && prefixed.object["nextToken"] != nil)
            let inDomain = try await Self.call(depot, keys, .post, "domain/repositories?domain=beta&repository-prefix=app&max-results=5")
            #expect(Self.names(inDomain.object, "repositories") == ["app-2", "app-3"])

            let scoped = try await depot.request(
                .post, "/api/v1/domains/beta/tokens", json: ["permissions": ["read"], "repositories": ["lib"], "aws": true]
            ).object()
            let reader = Keys(
                accessKeyID: try #require(scoped["accessKeyId"] as? String), secret: try #require(scoped["secretAccessKey"] as? String))
            let own = try await Self.call(depot, reader, .post, "repositories?max-results=1")
            #expect(Self.names(own.object, "repositories") == ["lib"] && own.object["nextToken"] == nil, "\(own)")
        }
    }

    @Test("ListPackages' origin filters are in the query: pages are full")
    func packageOriginPaging() async throws {
        try await Depot.run { depot in
            let keys = try await Self.adminKeys(depot)
            try await depot.standardSetup()
            for index in 0..<6 {
                let restrictions = index % 3 == 0 ? ["publish": "BLOCK", "upstream": "ALLOW"] : ["publish": "ALLOW", "upstream": "BLOCK"]
                let put = try await Self.call(
                    depot, keys, .post, "package?domain=acme&repository=main&format=npm&package=p\(index)", body: ["restrictions": restrictions])
                #expect(put.status == 200, "\(put)")
            }
            let first = try await Self.call(depot, keys, .post, "packages?domain=acme&repository=main&upstream=BLOCK&max-results=2")
            #expect(Self.names(first.object, "packages", "package") == ["p1", "p2"], "\(first)")
            let next = try #require(first.object["nextToken"] as? String)
            let second = try await Self.call(depot, keys, .post, "packages?domain=acme&repository=main&upstream=BLOCK&max-results=2&next-token=\(next)")
            #expect(Self.names(second.object, "packages", "package") == ["p4", "p5"], "\(second)")
            let bad = try await Self.call(depot, keys, .post, "packages?domain=acme&repository=main&publish=MAYBE")
            #expect(bad.status == 400 && bad.type == "ValidationException")
        }
    }

    @Test("tags: CodeArtifact's rules and errors, and the repository's admin to change them")
    func tagRules() async throws {
        try await Depot.run { depot in
            let keys = try await Self.adminKeys(depot)
            try await depot.standardSetup()
            let arn = "arn:aws:codeartifact:us-east-1:000000000000:repository/acme/main"
            let tagged = try await Self.call(depot, keys, .post, "tag?resourceArn=\(arn)", body: ["tags": [["key": "a", "value": "1"]]])
            #expect(tagged.status == 200 && tagged.object.isEmpty, "\(tagged)")
            let cases: [(String, [String: Any]?, Int, String)] = [
                ("tag?resourceArn=\(arn)", ["tags": [["key": "aws:x", "value": "1"]]], 400, "ValidationException"),
                ("tag?resourceArn=\(arn)", ["tags": [["key": String(repeating: "k", count: 129), "value": "1"]]], 400, "ValidationException"),
                ("tag?resourceArn=\(arn)", nil, 400, "ValidationException"),
                ("tag?resourceArn=\(arn)", ["tags": (0..<50).map { ["key": "k\($0)", "value": ""] }], 402, "ServiceQuotaExceededException"),
                ("untag?resourceArn=\(arn)", ["tagKeys": Array(repeating: "k", count: 201)], 400, "ValidationException"),
                ("tags?resourceArn=arn:aws:codeartifact:us-east-1:111111111111:repository/acme/main", nil, 404, "ResourceNotFoundException"),
                ("tags?resourceArn=arn:aws:codeartifact:us-east-1:000000000000:repository/acme/none", nil, 404, "ResourceNotFoundException"),
                ("tags?resourceArn=arn:aws:codeartifact:us-east-1:000000000000:domain/none", nil, 404, "ResourceNotFoundException"),
                ("tags?resourceArn=not-an-arn", nil, 400, "ValidationException"),
            ]
            for (path, body, status, type) in cases {
                let refused = try await Self.call(depot, keys, .post, path, body: body)
                #expect(refused.status == status && refused.type == type, "\(path): \(refused)")
            }
            let tags = try await Self.call(depot, keys, .post, "tags?resourceArn=\(arn)")
            #expect(tags.object["tags"] as? [[String: String]] == [["key": "a", "value": "1"]], "refused calls changed nothing")

            let publisher = try await depot.request(
                .post, "/api/v1/domains/acme/tokens", json: ["permissions": ["publish"], "repositories": ["main"], "aws": true]
            ).object()
            let keys2 = Keys(
                accessKeyID: try #require(publisher["accessKeyId"] as? String), secret: try #require(publisher["secretAccessKey"] as? String))
            #expect(try await Self.call(depot, keys2, .post, "tags?resourceArn=\(arn)").status == 200)
            let denied = try await Self.call(depot, keys2, .post, "untag?resourceArn=\(arn)", body: ["tagKeys": ["a"]])
            #expect(denied.status == 403 && denied.type == "AccessDeniedException")
            let domainTags = try await Self.call(
                depot, keys2, .post, "tags?resourceArn=arn:aws:codeartifact:us-east-1:000000000000:domain/acme")
            #expect(domainTags.status == 200, "a repository's token reads its domain's tags, as it reads the domain")
            let domainTagging = try await Self.call(
                depot, keys2, .post, "tag?resourceArn=arn:aws:codeartifact:us-east-1:000000000000:domain/acme", body: ["tags": []])
            #expect(domainTagging.status == 403 && domainTagging.type == "AccessDeniedException")
            let untagged = try await Self.call(depot, keys, .post, "untag?resourceArn=\(arn)", body: ["tagKeys": ["a"]])
            #expect(untagged.status == 200)
            #expect((try await Self.call(depot, keys, .post, "tags?resourceArn=\(arn)")).object["tags"] as? [[String: String]] == [])
        }
    }
}
