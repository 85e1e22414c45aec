import Foundation

/// What the core needs to know of a package format; each format module supplies one, registered at start-up.
public protocol PackageFormat: Sendable {
    /// `npm`, `pypi`, `maven`: the value used in URLs and the `format` column.
    var id: String { get }
    /// Where clients point, below `/{domain}/{repo}/`: `npm/`, `pypi/simple/`, `maven/`.
    var endpointPath: String { get }
    /// Parses a full name as users write it (`@scope/name`, `group:artifact`) into a normalized key.
    func packageKey(fromDisplayName name: String) throws -> PackageKey
    /// The full name as users write it.
    func displayName(of key: PackageKey) -> String
    /// Orders versions the way the format does (true when `a` is older than `b`).
    func isOlder(_ a: String, than b: String) -> Bool
    /// Whether a version gains files one at a time and how their metadata combine (default: one file, no merge).
    var versionPolicy: VersionPolicy { get }
    /// For formats where names that differ in spelling are one package to their users (crates.io's `-`/`_` and
    /// case): the indexed property every version of the package carries. No two packages of a repository may
    /// share it, and a name whose twin the search path holds never reaches an external connection.
    func identity(of key: PackageKey) -> VersionProperty?
    /// Yanking (PyPI's PEP 592, Cargo's index flag): whether the format has it, how it rewrites a version's stored
    /// metadata, and which of the version's files are yanked afterwards.
    var supportsYank: Bool { get }
    func yank(_ change: YankChange, in metadata: Data) throws -> Data
    func yankedFiles(in metadata: Data) throws -> [String: Bool]
}

extension PackageFormat {
    public var versionPolicy: VersionPolicy { .singleAsset }
    public func identity(of key: PackageKey) -> VersionProperty? { nil }
    public var supportsYank: Bool { false }
    public func yank(_ change: YankChange, in metadata: Data) throws -> Data { metadata }
    public func yankedFiles(in metadata: Data) throws -> [String: Bool] { [:] }
}

/// A yank or unyank: of the whole version or of one file (`file`, PyPI), with an optional reason (PyPI shows it).
public struct YankChange: Sendable {
    public var yanked: Bool
    public var reason: String?
    public var file: String?

    public init(yanked: Bool, reason: String? = nil, file: String? = nil) {
        self.yanked = yanked
        self.reason = reason
        self.file = file
    }
}

/// The version after a yank change, with each file's yanked flag.
public struct YankOutcome: Sendable {
    public var version: String
    public var files: [String: Bool]
}

/// How a format's versions take files: the one place a format declares it, applied by `PackageService` to every
/// publish and every version fetched through an upstream.
public struct VersionPolicy: Sendable {
    /// Whether files with new names may be added to a version that exists (PyPI's wheels and sdist, Maven's artifacts).
    public var severalAssets: Bool
    /// Combines a version's stored metadata with what a further file brings, inside the write.
    public var mergeMetadata: (@Sendable (_ stored: Data, _ new: Data) throws -> Data)?

    public init(severalAssets: Bool, mergeMetadata: (@Sendable (Data, Data) throws -> Data)? = nil) {
        self.severalAssets = severalAssets
        self.mergeMetadata = mergeMetadata
    }

    /// One file per version, published once (npm, Cargo, the Swift registry).
    public static let singleAsset = VersionPolicy(severalAssets: false)
}

/// The formats this server speaks, looked up by id.
public struct FormatRegistry: Sendable {
    private let formats: [String: any PackageFormat]

    public init(_ formats: [any PackageFormat]) {
        self.formats = Dictionary(uniqueKeysWithValues: formats.map { ($0.id, $0) })
    }

    public var ids: [String] { formats.keys.sorted() }

    /// The version policy of a registered format; nil for one this registry does not know.
    public func versionPolicy(of id: String) -> VersionPolicy? { formats[id]?.versionPolicy }

    /// The package's identity property, for a format whose names have twins; nil otherwise.
    public func identity(of key: PackageKey) -> VersionProperty? { formats[key.format]?.identity(of: key) }

    public func format(_ id: String) throws -> any PackageFormat {
        guard let format = formats[id] else {
            throw DepotError.badRequest(
                "unknown package format '\(id)' (known: \(ids.joined(separator: ", ")))", code: "UnknownFormat")
        }
        return format
    }
}
