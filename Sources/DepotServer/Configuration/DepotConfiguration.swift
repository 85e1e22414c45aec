import DepotCore
import DepotHTTP
import Foundation
import Logging

/// The server's settings as typed values. Defaults are the embedded ones (`config/depot.yaml` repeats them).
public struct DepotConfiguration: Sendable, Equatable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// Absolute base URL clients use (`https://depot.example.com`); nil derives it from each request.
    public var publicURL: String?
    /// PEM certificate chain and private key: when both are set the server speaks HTTPS (HTTP/1.1 and HTTP/2).
    public var tlsCertificatePath: String?
    public var tlsKeyPath: String?
    /// PEM of the private CA that issued the certificate, when it is not a public one: server builds trust it.
    public var tlsCACertificatePath: String?
    /// Peers whose `X-Forwarded-Host`/`-Proto` are believed (a reverse proxy's address); others' are dropped.
    public var trustedProxies: [IPAddressRange] = []
    /// When set, `/metrics` answers only `Authorization: Bearer <it>`.
    public var metricsToken: String?
    public var storagePath = "./storage"
    /// Memory kept for the bytes of blobs up to 1 MiB, served from there (`storage.blobCacheSize`); 0 keeps none.
    public var blobCacheSize = BlobMemoryCache.defaultBudget
    /// Memory for repeatable answers (documents of local packages, files up to 1 MiB) that a plain HTTP/1
    /// connection gives again without the router until the next change (`server.edgeCacheSize`); 0 turns it off.
    public var edgeCacheSize = 64 << 20
    public var defaultTokenLifetime: TimeInterval = 12 * 3600
    public var maxTokenLifetime: TimeInterval = 12 * 3600
    public var maxUploadSize = 2 << 30
    /// Header size and count, header and idle timeouts, open connections (`limits.*`).
    public var connectionLimits = ConnectionLimits()
    /// JSON, multipart, XML and archive limits on what a request may make the server parse (`limits.*`).
    public var inputLimits = InputLimits()
    /// Each registered format's public registry (`public:npmjs` ...) at its URL.
    public var externalConnections: [String: String] = Dictionary(
        uniqueKeysWithValues: registeredFormats().externalConnections.map { ($0.name, $0.url) })
    public var metadataTTL: TimeInterval = 300
    /// Connecting to an upstream, and the longest silence while its answer arrives.
    public var upstreamTimeout: TimeInterval = 30
    /// Hosts besides its URL's that an external connection's file URLs and redirects may lead to (a CDN).
    public var upstreamAllowedHosts: [String: [String]] = Dictionary(
        uniqueKeysWithValues: registeredFormats().externalConnections.filter { !$0.extraHosts.isEmpty }.map { ($0.name, $0.extraHosts) })
    /// Lets upstreams on loopback, private and link-local addresses be reached (local stand-ins, a LAN mirror).
    public var upstreamAllowPrivateAddresses = false
    /// Builds run at once; one per core unless configured.
    public var buildConcurrency = max(1, ProcessInfo.processInfo.activeProcessorCount)
    public var buildTimeout: TimeInterval = 3600
    /// `bubblewrap` or `none`; nil: bubblewrap when `bwrap` is installed.
    public var buildSandbox: String?
    /// Hosts a pipeline's Source/Git action may fetch from (`pipelines.gitAllowedHosts`; `*` any, `*.example.com`).
    public var pipelineGitAllowedHosts = ["*"]
    /// Directories whose local repositories a Source/Git action may fetch (`pipelines.gitAllowedPaths`); none by default.
    public var pipelineGitAllowedPaths: [String] = []
    /// How often each polled source branch's head is looked at (`pipelines.pollInterval`).
    public var pipelinePollInterval: TimeInterval = 60
    public var logLevel = "info"
    /// The account id the AWS-compatible API puts in ARNs and `domainOwner`.
    public var awsAccountID = "000000000000"
    /// One line per request (`log.access`); unset, it follows the level (on at info and below).
    public var accessLog: Bool?

    public var writesAccessLog: Bool {
        accessLog ?? ((Logger.Level(rawValue: logLevel) ?? .info) <= .info)
    }

    public init() {}
}

/// A configuration problem, reported with the key it concerns.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public let key: String
    public let problem: String

    public init(key: String, _ problem: String) {
        self.key = key
        self.problem = problem
    }

    public var description: String { "configuration error at '\(key)': \(problem)" }
}
