import DepotClientConfig
import DepotCore
import Hummingbird

/// One package format, registered with the server as a single value: everything the server, the CLI and the
/// build wiring need of it. Each format module exports one (`NpmModule.registration`, ...); the application
/// iterates over the registered list and never names a format.
public struct FormatModule: Sendable {
    /// Identity, name rules and version ordering (the management API, copy, listings).
    public let format: any PackageFormat
    /// How its public registry is proxied and cached; nil when the format has none.
    public let upstream: (any UpstreamFormat)?
    /// The external connection the format reaches by default (`public:npmjs` ...); nil when there is none.
    public let externalConnection: ExternalConnectionDefault?
    /// How `depot login` and builds point the format's clients at a repository.
    public let client: any ClientConfigurator
    /// How the console shows its versions (install line, README, dependencies).
    public let presentation: any PackagePresentation
    /// How an error on one of its routes is written (npm's `{"error"}`, Cargo's `{"errors":[{"detail"}]}`, ...).
    public let errorStyle: ErrorStyle
    /// What each of its routes needs, as the authorization policy and the README's route table read them.
    public let permissions: [RoutePermission]
    /// Adds its routes below `/{domain}/{repo}/{segment}/` with the server's shared services.
    public let addRoutes: @Sendable (Router<DepotRequestContext>, FormatServices) -> Void

    public init(
        format: any PackageFormat, upstream: (any UpstreamFormat)?, externalConnection: ExternalConnectionDefault?,
        client: any ClientConfigurator, presentation: any PackagePresentation, errorStyle: ErrorStyle, permissions: [RoutePermission],
        addRoutes: @escaping @Sendable (Router<DepotRequestContext>, FormatServices) -> Void
    ) {
        self.format = format
        self.upstream = upstream
        self.externalConnection = externalConnection
        self.client = client
        self.presentation = presentation
        self.errorStyle = errorStyle
        self.permissions = permissions
        self.addRoutes = addRoutes
    }

    /// The path segment after `/{domain}/{repo}/` that its routes live under (`npm`, `pypi`, `maven`).
    public var segment: Substring {
        format.endpointPath.split(separator: "/", maxSplits: 1).first ?? Substring(format.endpointPath)
    }
}

/// A format's public registry as the default configuration names it: `public:npmjs` at its URL, the environment
/// variable that overrides the URL (tests point it at a local stand-in), and the further hosts its documents may
/// send file downloads to.
public struct ExternalConnectionDefault: Sendable, Equatable {
    public let name: String
    public let url: String
    public let environmentVariable: String
    public let extraHosts: [String]

    public init(name: String, url: String, environmentVariable: String, extraHosts: [String] = []) {
        self.name = name
        self.url = url
        self.environmentVariable = environmentVariable
        self.extraHosts = extraHosts
    }
}

/// The server's shared services a format's routes are built from (constructor injection, no globals).
public struct FormatServices: Sendable {
    public let repositories: RepositoryAccess
    public let packages: PackageService
    public let upstreams: UpstreamService
    public let access: AccessService
    public let baseURL: PublicBaseURL
    public let maxUploadSize: Int
    public let limits: InputLimits
    /// File GET and HEAD (ETag, Range, 304, the memory cache of small blobs).
    public let downloads: BlobDownloads
    /// Announces every metadata write; rendered caches that span packages follow it (`ChangeCounter`).
    public let changes: any ChangeFeed

    /// The one write entry point: uploads streamed under a limit, published with origin control and version policy.
    public var uploads: Uploads { Uploads(packages: packages, upstreams: upstreams) }

    public init(
        repositories: RepositoryAccess, packages: PackageService, upstreams: UpstreamService, access: AccessService,
        baseURL: PublicBaseURL, maxUploadSize: Int, limits: InputLimits, downloads: BlobDownloads, changes: any ChangeFeed
    ) {
        self.repositories = repositories
        self.packages = packages
        self.upstreams = upstreams
        self.access = access
        self.baseURL = baseURL
        self.maxUploadSize = maxUploadSize
        self.limits = limits
        self.downloads = downloads
        self.changes = changes
    }
}

/// The registered formats, looked up by the path segment of a request (for its error style).
public struct FormatModules: Sendable {
    public let all: [FormatModule]

    public init(_ all: [FormatModule]) {
        self.all = all
    }

    /// The core's view: identity, names and versions of every registered format.
    public var registry: FormatRegistry { FormatRegistry(all.map(\.format)) }

    public var clients: [any ClientConfigurator] { all.map(\.client) }

    public var upstreams: [any UpstreamFormat] { all.compactMap(\.upstream) }

    public var permissions: [RoutePermission] { all.flatMap(\.permissions) }

    public var externalConnections: [ExternalConnectionDefault] { all.compactMap(\.externalConnection) }

    /// How the console shows versions of the format with this id (`npm`, `pypi`, ...).
    public func presentation(of formatID: String) -> (any PackagePresentation)? {
        all.first { $0.format.id == formatID }?.presentation
    }

    /// The error style of the request path `/{domain}/{repo}/{segment}/...`; `fallback` for any other path.
    public func errorStyle(path: String, fallback: ErrorStyle) -> ErrorStyle {
        let parts = path.utf8.split(separator: UInt8(ascii: "/"), maxSplits: 3, omittingEmptySubsequences: true)
        guard parts.count >= 3 else { return fallback }
        let segment = parts[2]
        return all.first { $0.segment.utf8.elementsEqual(segment) }?.errorStyle ?? fallback
    }
}
