import Foundation
import Yams

/// Reads `depot.yaml`, then `DEPOT_*` environment variables, then command-line flags, each overriding the last.
/// Unknown keys and bad values stop start-up with the key named.
public enum ConfigurationLoader {
    /// `section.key` paths the file may contain.
    static let knownKeys: Set<String> = [
        "server.host", "server.port", "server.publicURL", "server.tls.certificate", "server.tls.key", "server.tls.caCertificate", "server.trustedProxies", "server.metricsToken", "storage.path", "storage.blobCacheSize", "server.edgeCacheSize", "tokens.defaultLifetime", "tokens.maxLifetime",
        "limits.maxUploadSize", "limits.maxHeaderSize", "limits.maxHeaderCount", "limits.headerTimeout",
        "limits.idleTimeout", "limits.maxConnections", "limits.maxJSONSize", "limits.maxJSONDepth", "limits.maxJSONValues", "limits.maxNpmAttachments",
        "limits.maxFormFields", "limits.maxFormFieldsSize", "limits.maxXMLSize", "limits.maxDecompressedSize",
        "limits.maxArchiveEntries", "upstreamCache.metadataTTL", "upstreamCache.timeout", "upstreamCache.allowedHosts",
        "upstreamCache.allowPrivateAddresses", "builds.concurrency", "builds.timeout", "builds.sandbox", "pipelines.gitAllowedHosts", "pipelines.gitAllowedPaths", "pipelines.pollInterval", "log.level", "log.access", "aws.accountID",
    ]

    public static func load(file: String?, environment: [String: String]) throws -> DepotConfiguration {
        var configuration = DepotConfiguration()
        if let file {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ConfigurationError(key: "--config", "cannot read \(file)")
            }
            try apply(yaml: text, to: &configuration)
        }
        try apply(environment: environment, to: &configuration)
        try validate(configuration)
        return configuration
    }

    public static func apply(yaml text: String, to configuration: inout DepotConfiguration) throws {
        let root: Any?
        do {
            root = try Yams.load(yaml: text)
        } catch {
            throw ConfigurationError(key: "(file)", "not valid YAML: \(error)")
        }
        guard let root else { return }
        guard let sections = root as? [String: Any] else { throw ConfigurationError(key: "(file)", "the top level must be a mapping") }
        for (section, value) in sections {
            if section == "externalConnections" {
                guard let map = value as? [String: Any] else {
                    throw ConfigurationError(key: section, "must map connection names to URLs")
                }
                for (name, url) in map {
                    guard name.hasPrefix("public:") else {
                        throw ConfigurationError(key: "\(section).\(name)", "connection names start with 'public:'")
                    }
                    configuration.externalConnections[name] = try urlValue(url, key: "\(section).\(name)")
                }
                continue
            }
            guard let map = value as? [String: Any] else {
                if value is NSNull { continue }
                throw ConfigurationError(key: section, "must be a mapping")
            }
            for (key, value) in map {
                // `server.tls` is the one nested section: its keys are set as `server.tls.<key>`.
                if section == "server", key == "tls", let tls = value as? [String: Any] {
                    for (tlsKey, tlsValue) in tls { try set("server.tls.\(tlsKey)", tlsValue is NSNull ? nil : tlsValue, in: &configuration) }
                    continue
                }
                try set("\(section).\(key)", value is NSNull ? nil : value, in: &configuration)
            }
        }
    }

    static func apply(environment: [String: String], to configuration: inout DepotConfiguration) throws {
        let variables: [(String, String)] = [
            ("DEPOT_HOST", "server.host"), ("DEPOT_PORT", "server.port"), ("DEPOT_PUBLIC_URL", "server.publicURL"), ("DEPOT_TLS_CERT", "server.tls.certificate"), ("DEPOT_TLS_KEY", "server.tls.key"), ("DEPOT_TLS_CA_CERT", "server.tls.caCertificate"),
            ("DEPOT_STORAGE", "storage.path"), ("DEPOT_BLOB_CACHE_SIZE", "storage.blobCacheSize"), ("DEPOT_EDGE_CACHE_SIZE", "server.edgeCacheSize"), ("DEPOT_TOKEN_DEFAULT_LIFETIME", "tokens.defaultLifetime"),
            ("DEPOT_TOKEN_MAX_LIFETIME", "tokens.maxLifetime"), ("DEPOT_MAX_UPLOAD_SIZE", "limits.maxUploadSize"),
            ("DEPOT_MAX_CONNECTIONS", "limits.maxConnections"), ("DEPOT_HEADER_TIMEOUT", "limits.headerTimeout"),
            ("DEPOT_IDLE_TIMEOUT", "limits.idleTimeout"),
            ("DEPOT_METADATA_TTL", "upstreamCache.metadataTTL"), ("DEPOT_UPSTREAM_TIMEOUT", "upstreamCache.timeout"),
            ("DEPOT_UPSTREAM_ALLOW_PRIVATE_ADDRESSES", "upstreamCache.allowPrivateAddresses"), ("DEPOT_TRUSTED_PROXIES", "server.trustedProxies"),
            ("DEPOT_METRICS_TOKEN", "server.metricsToken"), ("DEPOT_BUILD_CONCURRENCY", "builds.concurrency"),
            ("DEPOT_BUILD_TIMEOUT", "builds.timeout"), ("DEPOT_BUILD_SANDBOX", "builds.sandbox"),
            ("DEPOT_PIPELINE_GIT_ALLOWED_HOSTS", "pipelines.gitAllowedHosts"), ("DEPOT_PIPELINE_GIT_ALLOWED_PATHS", "pipelines.gitAllowedPaths"),
            ("DEPOT_PIPELINE_POLL_INTERVAL", "pipelines.pollInterval"), ("DEPOT_LOG_LEVEL", "log.level"), ("DEPOT_ACCESS_LOG", "log.access"), ("DEPOT_AWS_ACCOUNT_ID", "aws.accountID"),
        ]
        for (variable, key) in variables {
            if let value = environment[variable] { try set(key, value, in: &configuration, source: variable) }
        }
        // Each format's public registry has its variable (`DEPOT_NPMJS_URL` ...): tests point it at a local stand-in.
        for connection in registeredFormats().externalConnections {
            if let value = environment[connection.environmentVariable] {
                configuration.externalConnections[connection.name] = try urlValue(value, key: connection.environmentVariable)
            }
        }
    }

    /// Sets one key; `source` names it in errors when it is not the YAML path.
    public static func set(_ key: String, _ value: Any?, in c: inout DepotConfiguration, source: String? = nil) throws {
        let name = source ?? key
        switch key {
        case "server.host": c.host = try string(value, key: name)
        case "server.port":
            let port = try integer(value, key: name)
            guard (0...65535).contains(port) else {
                throw ConfigurationError(key: name, "must be a port number 1-65535, or 0 for any free port")
            }
            c.port = port
        case "server.publicURL": c.publicURL = try value.map { try urlValue($0, key: name) }
        case "server.tls.certificate": c.tlsCertificatePath = try value.map { try string($0, key: name) }
        case "server.tls.key": c.tlsKeyPath = try value.map { try string($0, key: name) }
        case "server.tls.caCertificate": c.tlsCACertificatePath = try value.map { try string($0, key: name) }
        case "storage.path": c.storagePath = try string(value, key: name)
        case "storage.blobCacheSize": c.blobCacheSize = try size(value, key: name)
        case "server.edgeCacheSize": c.edgeCacheSize = try size(value, key: name)
        case "tokens.defaultLifetime": c.defaultTokenLifetime = try duration(value, key: name)
        case "tokens.maxLifetime": c.maxTokenLifetime = try duration(value, key: name)
        case "limits.maxUploadSize": c.maxUploadSize = try size(value, key: name)
        case "limits.maxHeaderSize": c.connectionLimits.maxHeaderSize = try size(value, key: name)
        case "limits.maxHeaderCount": c.connectionLimits.maxHeaderCount = try integer(value, key: name)
        case "limits.headerTimeout": c.connectionLimits.headerTimeout = try duration(value, key: name)
        case "limits.idleTimeout": c.connectionLimits.idleTimeout = try duration(value, key: name)
        case "limits.maxConnections": c.connectionLimits.maxConnections = try integer(value, key: name)
        case "limits.maxJSONSize": c.inputLimits.maxJSONSize = try size(value, key: name)
        case "limits.maxJSONDepth": c.inputLimits.maxJSONDepth = try integer(value, key: name)
        case "limits.maxJSONValues": c.inputLimits.maxJSONValues = try integer(value, key: name)
        case "limits.maxNpmAttachments": c.inputLimits.maxNpmAttachments = try integer(value, key: name)
        case "limits.maxFormFields": c.inputLimits.maxFormFields = try integer(value, key: name)
        case "limits.maxFormFieldsSize": c.inputLimits.maxFormFieldsSize = try size(value, key: name)
        case "limits.maxXMLSize": c.inputLimits.maxXMLSize = try size(value, key: name)
        case "limits.maxDecompressedSize": c.inputLimits.maxDecompressedSize = try size(value, key: name)
        case "limits.maxArchiveEntries": c.inputLimits.maxArchiveEntries = try integer(value, key: name)
        case "upstreamCache.metadataTTL": c.metadataTTL = try duration(value, key: name)
        case "upstreamCache.timeout": c.upstreamTimeout = try duration(value, key: name)
        case "upstreamCache.allowedHosts":
            // Per connection: naming one replaces its list and leaves the others' defaults.
            c.upstreamAllowedHosts.merge(try hostLists(value, key: name)) { _, configured in configured }
        case "upstreamCache.allowPrivateAddresses": c.upstreamAllowPrivateAddresses = try flag(value, key: name)
        case "server.trustedProxies": c.trustedProxies = try addressRanges(value, key: name)
        case "server.metricsToken": c.metricsToken = try value.map { try string($0, key: name) }
        case "builds.concurrency": c.buildConcurrency = try integer(value, key: name)
        case "builds.timeout": c.buildTimeout = try duration(value, key: name)
        case "builds.sandbox":
            let sandbox = try string(value, key: name)
            guard ["bubblewrap", "none"].contains(sandbox) else { throw ConfigurationError(key: name, "must be bubblewrap or none") }
            c.buildSandbox = sandbox
        case "pipelines.gitAllowedHosts":
            c.pipelineGitAllowedHosts = try list(value, key: name).map { try hostPattern($0, key: name, anyAllowed: true) }
        case "pipelines.gitAllowedPaths":
            c.pipelineGitAllowedPaths = try list(value, key: name)
            for path in c.pipelineGitAllowedPaths where !path.hasPrefix("/") || path == "/" {
                throw ConfigurationError(key: name, "'\(path)' must be an absolute directory other than /")
            }
        case "pipelines.pollInterval":
            c.pipelinePollInterval = try duration(value, key: name)
            guard c.pipelinePollInterval >= 1 else { throw ConfigurationError(key: name, "must be at least 1s") }
        case "log.level":
            let level = try string(value, key: name)
            guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(level) else {
                throw ConfigurationError(key: name, "must be one of trace, debug, info, notice, warning, error, critical")
            }
            c.logLevel = level
        case "log.access": c.accessLog = try flag(value, key: name)
        case "aws.accountID":
            let account = try string(value, key: name)
            guard account.utf8.count == 12, account.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                throw ConfigurationError(key: name, "must be 12 digits, as AWS account ids are")
            }
            c.awsAccountID = account
        default:
            throw ConfigurationError(key: name, "unknown key (known: \(knownKeys.sorted().joined(separator: ", ")), externalConnections)")
        }
    }

    /// Checks what spans keys; `depot serve` calls it again after its flags are applied.
    public static func validate(_ c: DepotConfiguration) throws {
        guard (c.tlsCertificatePath == nil) == (c.tlsKeyPath == nil) else {
            throw ConfigurationError(
                key: c.tlsCertificatePath == nil ? "server.tls.certificate" : "server.tls.key", "TLS needs both server.tls.certificate and server.tls.key")
        }
        guard c.defaultTokenLifetime <= c.maxTokenLifetime else {
            throw ConfigurationError(key: "tokens.defaultLifetime", "must not exceed tokens.maxLifetime")
        }
        guard c.defaultTokenLifetime >= 900 else { throw ConfigurationError(key: "tokens.defaultLifetime", "must be at least 15m") }
        guard c.buildConcurrency >= 1 else { throw ConfigurationError(key: "builds.concurrency", "must be at least 1") }
        guard c.maxUploadSize >= 1024 else { throw ConfigurationError(key: "limits.maxUploadSize", "must be at least 1KiB") }
        try validateLimits(c)
    }

    /// Each limit has a floor below which real clients would fail (npm publish documents nest about 5 levels).
    static func validateLimits(_ c: DepotConfiguration) throws {
        let l = c.connectionLimits, i = c.inputLimits
        let floors: [(String, Int, Int, String)] = [
            ("limits.maxHeaderSize", l.maxHeaderSize, 1024, "1KiB"), ("limits.maxHeaderCount", l.maxHeaderCount, 16, "16"),
            ("limits.maxConnections", l.maxConnections, 1, "1"), ("limits.maxJSONSize", i.maxJSONSize, 1024, "1KiB"),
            ("limits.maxJSONDepth", i.maxJSONDepth, 8, "8"), ("limits.maxJSONValues", i.maxJSONValues, 1000, "1000"),
            ("limits.maxNpmAttachments", i.maxNpmAttachments, 1, "1"),
            ("limits.maxFormFields", i.maxFormFields, 16, "16"), ("limits.maxFormFieldsSize", i.maxFormFieldsSize, 1024, "1KiB"),
            ("limits.maxXMLSize", i.maxXMLSize, 1024, "1KiB"), ("limits.maxDecompressedSize", i.maxDecompressedSize, 1 << 20, "1MiB"),
            ("limits.maxArchiveEntries", i.maxArchiveEntries, 16, "16"),
        ]
        for (key, value, floor, shown) in floors where value < floor {
            throw ConfigurationError(key: key, "must be at least \(shown)")
        }
    }

    static func string(_ value: Any?, key: String) throws -> String {
        guard let value, !(value is [Any]), !(value is [String: Any]) else { throw ConfigurationError(key: key, "must be a string") }
        let text = "\(value)"
        guard !text.isEmpty else { throw ConfigurationError(key: key, "must not be empty") }
        return text
    }

    static func integer(_ value: Any?, key: String) throws -> Int {
        if let value = value as? Int { return value }
        if let text = value as? String, let number = Int(text) { return number }
        throw ConfigurationError(key: key, "must be an integer")
    }

    static func urlValue(_ value: Any, key: String) throws -> String {
        let text = try string(value, key: key)
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil
        else {
            throw ConfigurationError(key: key, "must be an absolute http(s) URL, got '\(text)'")
        }
        return text
    }

    /// `90`, `90s`, `15m`, `12h`, `7d`.
    public static func duration(_ value: Any?, key: String) throws -> TimeInterval {
        if let seconds = value as? Int {
            guard seconds >= 0 else { throw ConfigurationError(key: key, "must not be negative") }
            return TimeInterval(seconds)
        }
        let text = try string(value, key: key).trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            if let number = Double(text.dropLast(suffix.count)), number >= 0 { return number * factor }
        }
        if let number = Double(text), number >= 0 { return number }
        throw ConfigurationError(key: key, "must be a duration like 90s, 15m, 12h or 7d, got '\(text)'")
    }

    /// `1048576`, `512KiB`, `100MiB`, `2GiB`, `100MB`.
    public static func size(_ value: Any?, key: String) throws -> Int {
        if let bytes = value as? Int { return bytes }
        let text = try string(value, key: key).trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [
            ("KiB", 1024), ("MiB", 1_048_576), ("GiB", 1_073_741_824), ("KB", 1000), ("MB", 1e6), ("GB", 1e9), ("B", 1),
        ]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            if let number = Double(text.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), number >= 0 {
                return Int(number * factor)
            }
        }
        if let number = Int(text), number >= 0 { return number }
        throw ConfigurationError(key: key, "must be a size like 100MiB or 2GiB, got '\(text)'")
    }
}
