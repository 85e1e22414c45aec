import DepotCore
import Foundation

// Request and response bodies of the management API.

struct CreateDomainRequest: Decodable {
    var name: String
}

struct DomainResponse: Encodable {
    var name: String
    var createdAt: Date
    var repositoryCount: Int?
}

struct CreateRepositoryRequest: Decodable {
    var name: String
    var description: String?
    var upstreams: [String]?
    var externalConnection: String?
    var allowAnonymousRead: Bool?
}

/// PATCH body; `externalConnection: null` removes the connection, leaving it out keeps it.
struct UpdateRepositoryRequest: Decodable {
    var description: String?
    var upstreams: [String]?
    var externalConnection: String??
    var allowAnonymousRead: Bool?

    enum CodingKeys: String, CodingKey {
        case description, upstreams, externalConnection, allowAnonymousRead
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        upstreams = try c.decodeIfPresent([String].self, forKey: .upstreams)
        allowAnonymousRead = try c.decodeIfPresent(Bool.self, forKey: .allowAnonymousRead)
        if c.contains(.externalConnection) {
            externalConnection = .some(try c.decodeIfPresent(String.self, forKey: .externalConnection))
        }
    }
}

struct RepositoryResponse: Encodable {
    var name: String
    var domain: String
    var description: String
    var upstreams: [String]
    var externalConnection: String?
    var allowAnonymousRead: Bool
    var createdAt: Date
    var endpoints: [String: String]
}

struct EndpointResponse: Encodable {
    var format: String
    var url: String
}

struct CreateTokenRequest: Decodable {
    var repositories: [String]?
    var permissions: [String]
    var durationSeconds: Double?
    var name: String?
    /// Also answer the token's AWS access key pair.
    var aws: Bool?
}

struct CreatedTokenResponse: Encodable {
    var id: String
    var token: String
    var expiresAt: Date?
    var domain: String
    var repositories: [String]?
    var permissions: [String]
    /// With `"aws": true`: the AWS access key pair of the token (valid while the token is).
    var accessKeyId: String?
    var secretAccessKey: String?
}

struct AWSCredentialsResponse: Encodable {
    var accessKeyId: String
    var secretAccessKey: String
}

struct TokenResponse: Encodable {
    var id: String
    var name: String
    var domain: String?
    var repositories: [String]?
    var permissions: [String]
    var createdAt: Date
    var expiresAt: Date?
    var revokedAt: Date?
    var status: String
    /// The token that minted it.
    var parentID: String?

    init(_ record: TokenRecord, now: Date) {
        id = record.id
        name = record.name
        domain = record.scope.domain
        repositories = record.scope.repositories
        permissions = record.scope.permissions.map(\.rawValue).sorted()
        createdAt = record.createdAt
        expiresAt = record.expiresAt
        revokedAt = record.revokedAt
        parentID = record.parentID
        status = record.revokedAt != nil ? "Revoked" : (record.isValid(at: now) ? "Active" : "Expired")
    }
}

struct PackageResponse: Encodable {
    var format: String
    var namespace: String?
    var name: String
    var package: String
    var originConfiguration: OriginControls
    var latestVersion: String?
    var versionCount: Int?
    var tags: [String: String]?
    var createdAt: Date
    var modifiedAt: Date
}

struct OriginRequest: Decodable {
    var publish: String
    var upstream: String
}

struct AssetResponse: Encodable {
    struct Hashes: Encodable {
        var md5: String
        var sha1: String
        var sha256: String
        var sha512: String
    }

    var name: String
    var size: Int64
    var hashes: Hashes

    init(_ asset: Asset) {
        name = asset.name
        size = asset.digests.size
        hashes = Hashes(md5: asset.digests.md5, sha1: asset.digests.sha1, sha256: asset.digests.sha256, sha512: asset.digests.sha512)
    }
}

struct VersionResponse: Encodable {
    var package: String
    var format: String
    var version: String
    var status: String
    var origin: VersionOrigin
    var publishedAt: Date
    var summary: String?
    var assets: [AssetResponse]?
}

struct YankResponse: Encodable {
    struct File: Encodable {
        var file: String
        var yanked: Bool
    }

    var format: String
    var package: String
    var version: String
    var files: [File]
}

struct VersionStatusRequest: Decodable {
    var status: String
}

struct CopyRequest: Decodable {
    var sourceRepository: String
    var destinationRepository: String
    var format: String
    var package: String
    var versions: [String]
}

struct CopyResponse: Encodable {
    struct Failure: Encodable {
        var code: String
        var message: String
    }

    var successfulVersions: [String]
    var failedVersions: [String: Failure]
}

struct UpstreamCacheResponse: Encodable {
    struct Document: Encodable {
        /// `<format>:<namespace>/<name>`.
        var package: String
        /// False for a remembered 404.
        var found: Bool
        var fetchedAt: Date
        var etag: String?
    }

    var externalConnection: String?
    var documents: [Document]
    var nextToken: String?
}
