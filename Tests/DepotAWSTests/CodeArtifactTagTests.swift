import DepotCore
import Foundation
import Testing

@testable import DepotAWS

/// `resourceArn` parsing, the `tags` member, and the errors tag limits become.
@Suite("CodeArtifact tags")
struct CodeArtifactTagTests {
    static let account = "123456789012"

    @Test("domain and repository ARNs of any region name their resource; they print back the same")
    func parsesARNs() throws {
        let domain = try CodeArtifactARN(parsing: "arn:aws:codeartifact:eu-west-1:\(Self.account):domain/acme", accountID: Self.account)
        #expect(domain == CodeArtifactARN(region: "eu-west-1", accountID: Self.account, domain: "acme"))
        let text = "arn:aws:codeartifact:us-east-2:\(Self.account):repository/acme/my.repo"
        let repository = try CodeArtifactARN(parsing: text, accountID: Self.account)
        #expect(repository.domain == "acme" && repository.repository == "my.repo" && repository.region == "us-east-2")
        #expect(repository.text == text)
    }

    @Test("anything but a domain's or a repository's ARN is a ValidationException", arguments: [
        "", "acme", "arn:aws:s3:us-east-1:123456789012:domain/acme", "arn:aws:codeartifact::123456789012:domain/acme",
        "arn:aws:codeartifact:us-east-1:123456789012:domain/", "arn:aws:codeartifact:us-east-1:123456789012:domain/acme/app",
        "arn:aws:codeartifact:us-east-1:123456789012:repository/acme", "arn:aws:codeartifact:us-east-1:123456789012:repository/acme/",
        "arn:aws:codeartifact:us-east-1:123456789012:package/acme/app/npm//left-pad",
        "arn:aws:codeartifact:us-east-1:123456789012:domain/" + String(repeating: "a", count: 1000),
    ])
    func refusesOtherARNs(text: String) {
        let error = #expect(throws: AWSError.self) { try CodeArtifactARN(parsing: text, accountID: Self.account) }
        #expect(error?.type == "ValidationException")
    }

    @Test("another account's resource is not found here")
    func otherAccount() {
        let error = #expect(throws: AWSError.self) {
            try CodeArtifactARN(parsing: "arn:aws:codeartifact:us-east-1:000000000000:domain/acme", accountID: Self.account)
        }
        #expect(error?.type == "ResourceNotFoundException" && error?.status.code == 404)
    }

    @Test("tags: a list of {key, value} objects of at most 200 items; absent is none")
    func tagsMember() throws {
        func input(_ body: [String: Any]) -> AWSInput { AWSInput(query: [:], body: body, region: "us-east-1") }
        #expect(try input([:]).tags().isEmpty)
        #expect(try input(["tags": [["key": "team", "value": "core"]]]).tags() == [ResourceTag(key: "team", value: "core")])
        for bad: Any in [["key": "k"], [["key": "k"]], [["key": 1, "value": "v"]], Array(repeating: ["key": "k", "value": "v"], count: 201)] {
            let error = #expect(throws: AWSError.self) { try input(["tags": bad]).tags() }
            #expect(error?.type == "ValidationException", "\(bad)")
        }
    }

    @Test("a resource's tag limit is CodeArtifact's ServiceQuotaExceededException (402); a bad tag a ValidationException")
    func limitErrors() throws {
        let quota = AWSError(ResourceTag.tooMany(51))
        #expect(quota.type == "ServiceQuotaExceededException" && quota.status.code == 402)
        let invalid = AWSError(try #require(throws: DepotError.self) { try ResourceTag.validate(key: "aws:reserved") })
        #expect(invalid.type == "ValidationException" && invalid.status.code == 400)
    }
}
