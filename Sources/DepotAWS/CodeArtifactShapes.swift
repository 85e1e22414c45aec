import DepotCore
import Foundation

/// CodeArtifact's response shapes (botocore's `codeartifact/2018-09-22` model), the members Depot has facts for.
enum CodeArtifactShapes {
    struct DomainDescription: Encodable {
        var name: String
        var owner: String
        var arn: String
        var status = "Active"
        var createdTime: Date
        var repositoryCount: Int?
    }

    struct RepositoryDescription: Encodable {
        var name: String
        var administratorAccount: String
        var domainName: String
        var domainOwner: String
        var arn: String
        var description: String
        var upstreams: [Upstream]?
        var externalConnections: [ExternalConnection]?
        var createdTime: Date
    }

    struct Upstream: Encodable {
        var repositoryName: String
    }

    struct ExternalConnection: Encodable {
        var externalConnectionName: String
        var packageFormat: String?
        var status = "Available"
    }

    struct OriginConfiguration: Encodable {
        struct Restrictions: Encodable {
            var publish: String
            var upstream: String
        }
        var restrictions: Restrictions

        init(_ controls: OriginControls) {
            restrictions = Restrictions(publish: controls.publish.rawValue, upstream: controls.upstream.rawValue)
        }
    }

    struct PackageSummary: Encodable {
        var format: String
        var namespace: String?
        var package: String
        var originConfiguration: OriginConfiguration
    }

    struct PackageDescription: Encodable {
        var format: String
        var namespace: String?
        var name: String
        var originConfiguration: OriginConfiguration
    }

    struct VersionOrigin: Encodable {
        struct EntryPoint: Encodable {
            var repositoryName: String?
            var externalConnectionName: String?
        }
        var domainEntryPoint: EntryPoint
        var originType: String

        init(_ origin: DepotCore.VersionOrigin) {
            let external = origin.repository.hasPrefix("public:")
            domainEntryPoint = EntryPoint(
                repositoryName: external ? nil : origin.repository, externalConnectionName: external ? origin.repository : nil)
            originType = origin.type.rawValue
        }
    }

    struct VersionSummary: Encodable {
        var version: String
        var status: String
        var origin: VersionOrigin
    }

    struct VersionDescription: Encodable {
        var format: String
        var namespace: String?
        var packageName: String
        var displayName: String
        var version: String
        var summary: String?
        var publishedTime: Date
        var status: String
        var origin: VersionOrigin
    }

    struct AssetSummary: Encodable {
        var name: String
        var size: Int64
        var hashes: [String: String]

        init(_ asset: Asset) {
            name = asset.name
            size = asset.digests.size
            hashes = ["MD5": asset.digests.md5, "SHA-1": asset.digests.sha1, "SHA-256": asset.digests.sha256, "SHA-512": asset.digests.sha512]
        }
    }

    struct VersionOutcome: Encodable {
        struct Success: Encodable {
            var status: String
        }
        struct Failure: Encodable {
            var errorCode: String
            var errorMessage: String
        }
        var successfulVersions: [String: Success]
        var failedVersions: [String: Failure]
    }
}
