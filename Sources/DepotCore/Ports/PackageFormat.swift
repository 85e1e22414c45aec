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
}

/// The formats this server speaks, looked up by id.
public struct FormatRegistry: Sendable {
    private let formats: [String: any PackageFormat]

    public init(_ formats: [any PackageFormat]) {
        self.formats = Dictionary(uniqueKeysWithValues: formats.map { ($0.id, $0) })
    }

    public var ids: [String] { formats.keys.sorted() }

    public func format(_ id: String) throws -> any PackageFormat {
        guard let format = formats[id] else {
            throw DepotError.badRequest(
                "unknown package format '\(id)' (known: \(ids.joined(separator: ", ")))", code: "UnknownFormat")
        }
        return format
    }
}
