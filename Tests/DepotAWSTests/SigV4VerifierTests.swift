import Crypto
import DepotCore
import Foundation
import Testing

@testable import DepotAWS

/// Known answers from botocore's signer (SigV4Vectors.swift) and AWS's own `get-vanilla` suite case, then every
/// way a signature must fail.
@Suite("SigV4 verification")
struct SigV4VerifierTests {
    static let vectorTime = Date(timeIntervalSince1970: 1_796_306_400)  // 2026-12-03T14:00:00Z

    static func request(_ vector: SigV4Vector, body: String? = nil, extraHeaders: [(String, String)] = []) -> SigV4Request {
        let url = URL(string: vector.url)!
        var headers: [(name: String, value: String)] = [("host", "\(url.host!):\(url.port!)"), ("x-amz-date", vector.amzDate)]
        if !vector.body.isEmpty { headers.append(("content-type", "application/json")) }
        headers += extraHeaders.map { (name: $0.0, value: $0.1) }
        let payload = body ?? vector.body
        return SigV4Request(
            method: vector.method, path: url.path(percentEncoded: true), query: url.query(percentEncoded: true) ?? "", headers: headers,
            payloadSHA256: Hex.encode(SHA256.hash(data: Data(payload.utf8))))
    }

    func verify(_ request: SigV4Request, _ authorization: String?, service: String = "codeartifact", now: Date = vectorTime) async throws -> SigV4Authorization {
        try await SigV4Verifier(service: service).verify(request, authorization: authorization, now: now) { keyID in
            guard keyID == sigV4KeyID else { throw AWSError.unrecognizedClient("unknown key") }
            return sigV4Secret
        }
    }

    func expectError(_ type: String, _ body: () async throws -> Void) async {
        do {
            try await body()
            Issue.record("expected \(type)")
        } catch let error as AWSError {
            #expect(error.type == type, "\(error.message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("botocore's signatures verify", arguments: sigV4Vectors.indices)
    func botocoreVectors(index: Int) async throws {
        let vector = sigV4Vectors[index]
        let authorization = try await verify(Self.request(vector), vector.authorization)
        #expect(authorization.accessKeyID == sigV4KeyID)
        #expect(authorization.region == vector.region)
        #expect(authorization.service == "codeartifact")
    }

    @Test("AWS's get-vanilla test-suite case")
    func awsSuiteVanilla() {
        let request = SigV4Request(
            method: "GET", path: "/", query: "", headers: [("host", "example.amazonaws.com"), ("x-amz-date", "20150830T123600Z")],
            payloadSHA256: Hex.encode(SHA256.hash(data: Data())))
        let authorization = try? SigV4Authorization(
            header: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
        let canonical = SigV4Verifier.canonicalRequest(request, query: "", signedHeaders: ["host", "x-amz-date"], payloadHash: request.payloadSHA256)
        #expect(canonical == "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let signature = authorization.map {
            SigV4Verifier.signature(canonicalRequest: canonical, amzDate: "20150830T123600Z", authorization: $0, secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        }
        #expect(signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    @Test("a wrong secret is InvalidSignatureException")
    func wrongSecret() async {
        let vector = sigV4Vectors[1]
        await expectError("InvalidSignatureException") {
            _ = try await SigV4Verifier(service: "codeartifact").verify(Self.request(vector), authorization: vector.authorization, now: Self.vectorTime) { _ in
                "not-the-secret"
            }
        }
    }

    @Test("a date more than 15 minutes off is refused, within it accepted")
    func clockSkew() async throws {
        let vector = sigV4Vectors[0]
        await expectError("InvalidSignatureException") {
            _ = try await verify(Self.request(vector), vector.authorization, now: Self.vectorTime.addingTimeInterval(15 * 60 + 1))
        }
        await expectError("InvalidSignatureException") {
            _ = try await verify(Self.request(vector), vector.authorization, now: Self.vectorTime.addingTimeInterval(-16 * 60))
        }
        _ = try await verify(Self.request(vector), vector.authorization, now: Self.vectorTime.addingTimeInterval(14 * 60))
    }

    @Test("a tampered body, header, path or query is refused")
    func tampering() async {
        let vector = sigV4Vectors[1]
        await expectError("InvalidSignatureException") {
            _ = try await verify(Self.request(vector, body: #"{"maxResults": 6}"#), vector.authorization)
        }
        var header = Self.request(vector)
        header.headers = header.headers.map { $0.name == "content-type" ? (name: $0.name, value: "text/plain") : $0 }
        await expectError("InvalidSignatureException") { _ = try await verify(header, vector.authorization) }
        var query = Self.request(vector)
        query.query = query.query.replacingOccurrences(of: "repository=app", with: "repository=other")
        await expectError("InvalidSignatureException") { _ = try await verify(query, vector.authorization) }
        var path = Self.request(vector)
        path.path += "/x"
        await expectError("InvalidSignatureException") { _ = try await verify(path, vector.authorization) }
        await expectError("InvalidSignatureException") {
            _ = try await verify(Self.request(vector, extraHeaders: [("x-amz-content-sha256", String(repeating: "0", count: 64))]), vector.authorization)
        }
    }

    static func presigned(_ url: String) -> SigV4Request {
        let parsed = URL(string: url)!
        return SigV4Request(
            method: "GET", path: parsed.path(percentEncoded: true), query: parsed.query(percentEncoded: true) ?? "",
            headers: [("host", "\(parsed.host!):\(parsed.port!)")], payloadSHA256: Hex.encode(SHA256.hash(data: Data())))
    }

    @Test("botocore's presigned URL verifies within its 300 seconds and not after, nor tampered")
    func presignedURL() async throws {
        let authorization = try await verify(Self.presigned(sigV4PresignedURL), nil, now: Self.vectorTime.addingTimeInterval(299))
        #expect(authorization.accessKeyID == sigV4KeyID)
        await expectError("InvalidSignatureException") {
            _ = try await verify(Self.presigned(sigV4PresignedURL), nil, now: Self.vectorTime.addingTimeInterval(301))
        }
        await expectError("InvalidSignatureException") {
            _ = try await verify(Self.presigned(sigV4PresignedURL.replacingOccurrences(of: "version=1.0.0", with: "version=2.0.0")), nil)
        }
        await expectError("InvalidSignatureException") {
            _ = try await verify(Self.presigned(sigV4PresignedURL.replacingOccurrences(of: "X-Amz-Expires=300", with: "X-Amz-Expires=900")), nil)
        }
        await expectError("IncompleteSignatureException") {
            _ = try await verify(Self.presigned(sigV4PresignedURL.replacingOccurrences(of: "X-Amz-Expires=300", with: "X-Amz-Expires=999999")), nil)
        }
        await expectError("MissingAuthenticationTokenException") {
            _ = try await verify(Self.presigned("http://h:1/api/aws/codeartifact/v1/package?domain=a"), nil)
        }
    }

    @Test("a key scoped to another service is refused")
    func wrongService() async {
        let vector = sigV4Vectors[0]
        await expectError("InvalidSignatureException") { _ = try await verify(Self.request(vector), vector.authorization, service: "codebuild") }
    }

    @Test("missing and malformed Authorization headers")
    func malformed() async {
        let vector = sigV4Vectors[0]
        await expectError("MissingAuthenticationTokenException") {
            _ = try await SigV4Verifier(service: "codeartifact").verify(Self.request(vector), authorization: nil, now: Self.vectorTime) { _ in "" }
        }
        for header in [
            "Bearer dpt_x", "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=00",
            "AWS4-HMAC-SHA256 Credential=K/20261203/us-east-1/codeartifact/aws4_request, SignedHeaders=x-amz-date, Signature=" + String(repeating: "a", count: 64),
            "AWS4-HMAC-SHA256 SignedHeaders=host",
            "AWS4-HMAC-SHA256 " + String(repeating: "x", count: 5000),
        ] {
            await expectError("IncompleteSignatureException") { _ = try await verify(Self.request(vector), header) }
        }
        var unsignedDate = Self.request(vector)
        unsignedDate.headers.removeAll { $0.name == "x-amz-date" }
        await expectError("IncompleteSignatureException") { _ = try await verify(unsignedDate, vector.authorization) }
    }

    @Test("canonical path and query encode as AWS does")
    func canonicalForms() {
        #expect(SigV4Verifier.canonicalPath("/a/./b/../c%20d") == "/a/c%2520d")
        #expect(SigV4Verifier.canonicalQuery("b=2&a=%2F x&a=1&c") == "a=%2F%20x&a=1&b=2&c=")
        #expect(SigV4Verifier.parse(amzDate: "20261303T000000Z") == nil)
        #expect(SigV4Verifier.parse(amzDate: "20261203T140000Z") == Self.vectorTime)
    }
}

@Suite("AWS access keys")
struct AWSAccessKeysTests {
    @Test("a key id names its token, the secret is derived and stable, other server keys give other secrets")
    func derivation() {
        let keys = AWSAccessKeys(serverKey: Data(repeating: 7, count: 32))
        let pair = keys.keyPair(forTokenID: "abcdefghij234567")
        #expect(pair.accessKeyID == "DPAKABCDEFGHIJ234567")
        #expect(pair.accessKeyID.count == 20 && pair.secretAccessKey.count == 40)
        #expect(AWSAccessKeys.tokenID(fromAccessKeyID: pair.accessKeyID) == "abcdefghij234567")
        let again = keys.keyPair(forTokenID: "abcdefghij234567")
        #expect(again.accessKeyID == pair.accessKeyID && again.secretAccessKey == pair.secretAccessKey)
        #expect(AWSAccessKeys(serverKey: Data(repeating: 8, count: 32)).keyPair(forTokenID: "abcdefghij234567").secretAccessKey != pair.secretAccessKey)
        #expect(AWSAccessKeys.tokenID(fromAccessKeyID: "AKIAIOSFODNN7EXAMPLE") == nil)
        #expect(AWSAccessKeys.tokenID(fromAccessKeyID: "DPAK") == nil)
        #expect(AWSAccessKeys.tokenID(fromAccessKeyID: "DPAKabc") == nil)
    }
}
