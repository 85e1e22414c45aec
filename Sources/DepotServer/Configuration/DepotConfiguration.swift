import Foundation

/// The server's settings as typed values. Defaults are the embedded ones (`config/depot.yaml` repeats them).
public struct DepotConfiguration: Sendable, Equatable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// Absolute base URL clients use (`https://depot.example.com`); nil derives it from each request.
    public var publicURL: String?
    public var storagePath = "./storage"
    public var defaultTokenLifetime: TimeInterval = 12 * 3600
    public var maxTokenLifetime: TimeInterval = 12 * 3600
    public var maxUploadSize = 2 << 30
    public var externalConnections: [String: String] = [
        "public:npmjs": "https://registry.npmjs.org/",
        "public:pypi": "https://pypi.org/simple/",
        "public:maven-central": "https://repo1.maven.org/maven2/",
    ]
    public var metadataTTL: TimeInterval = 300
    /// Connecting to an upstream, and the longest silence while its answer arrives.
    public var upstreamTimeout: TimeInterval = 30
    /// Builds run at once; one per core unless configured.
    public var buildConcurrency = max(1, ProcessInfo.processInfo.activeProcessorCount)
    public var buildTimeout: TimeInterval = 3600
    public var logLevel = "info"

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
