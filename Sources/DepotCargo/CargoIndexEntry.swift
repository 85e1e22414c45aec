import Foundation

/// One line of a crate's sparse index file: one version, in the shape Cargo reads. Depot stores it as the
/// version's metadata (so the features and dependencies are there to query) and renders it back line by line.
public struct CargoIndexEntry: Codable, Sendable, Equatable {
    public var name: String
    public var vers: String
    public var deps: [Dependency]
    /// Hex SHA-256 of the `.crate`.
    public var cksum: String
    public var features: [String: [String]]
    /// Features using `dep:` or `?/` syntax, which older Cargo versions cannot read (with `v: 2`).
    public var features2: [String: [String]]?
    public var yanked: Bool
    public var links: String?
    public var v: Int?
    public var rustVersion: String?
    /// When the registry published it (crates.io's `pubtime`), RFC 3339.
    public var pubtime: String?

    enum CodingKeys: String, CodingKey {
        case name, vers, deps, cksum, features, features2, yanked, links, v, pubtime
        case rustVersion = "rust_version"
    }

    public struct Dependency: Codable, Sendable, Equatable {
        /// The name the depending crate uses for it (its rename, when renamed).
        public var name: String
        public var req: String
        public var features: [String]
        public var optional: Bool
        public var defaultFeatures: Bool
        public var target: String?
        /// `normal`, `build` or `dev`.
        public var kind: String?
        /// The index URL of the registry it comes from; nil for this registry.
        public var registry: String?
        /// The crate's real name when `name` is a rename.
        public var package: String?

        enum CodingKeys: String, CodingKey {
            case name, req, features, optional, target, kind, registry, package
            case defaultFeatures = "default_features"
        }

        public init(
            name: String, req: String, features: [String] = [], optional: Bool = false, defaultFeatures: Bool = true,
            target: String? = nil, kind: String? = "normal", registry: String? = nil, package: String? = nil
        ) {
            self.name = name
            self.req = req
            self.features = features
            self.optional = optional
            self.defaultFeatures = defaultFeatures
            self.target = target
            self.kind = kind
            self.registry = registry
            self.package = package
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            req = try c.decode(String.self, forKey: .req)
            features = try c.decodeIfPresent([String].self, forKey: .features) ?? []
            optional = try c.decodeIfPresent(Bool.self, forKey: .optional) ?? false
            defaultFeatures = try c.decodeIfPresent(Bool.self, forKey: .defaultFeatures) ?? true
            target = try c.decodeIfPresent(String.self, forKey: .target)
            kind = try c.decodeIfPresent(String.self, forKey: .kind)
            registry = try c.decodeIfPresent(String.self, forKey: .registry)
            package = try c.decodeIfPresent(String.self, forKey: .package)
        }

        /// Every key Cargo knows, nulls included (Cargo reads absent and null alike; registries send both).
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(req, forKey: .req)
            try c.encode(features, forKey: .features)
            try c.encode(optional, forKey: .optional)
            try c.encode(defaultFeatures, forKey: .defaultFeatures)
            try c.encode(target, forKey: .target)
            try c.encode(kind ?? "normal", forKey: .kind)
            try c.encode(registry, forKey: .registry)
            try c.encodeIfPresent(package, forKey: .package)
        }
    }

    public init(
        name: String, vers: String, deps: [Dependency], cksum: String, features: [String: [String]],
        features2: [String: [String]]? = nil, yanked: Bool = false, links: String? = nil, v: Int? = nil, rustVersion: String? = nil,
        pubtime: String? = nil
    ) {
        self.name = name
        self.vers = vers
        self.deps = deps
        self.cksum = cksum
        self.features = features
        self.features2 = features2
        self.yanked = yanked
        self.links = links
        self.v = v
        self.rustVersion = rustVersion
        self.pubtime = pubtime
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        vers = try c.decode(String.self, forKey: .vers)
        deps = try c.decodeIfPresent([Dependency].self, forKey: .deps) ?? []
        cksum = try c.decode(String.self, forKey: .cksum)
        features = try c.decodeIfPresent([String: [String]].self, forKey: .features) ?? [:]
        features2 = try c.decodeIfPresent([String: [String]].self, forKey: .features2)
        yanked = try c.decodeIfPresent(Bool.self, forKey: .yanked) ?? false
        links = try c.decodeIfPresent(String.self, forKey: .links)
        v = try c.decodeIfPresent(Int.self, forKey: .v)
        rustVersion = try c.decodeIfPresent(String.self, forKey: .rustVersion)
        pubtime = try c.decodeIfPresent(String.self, forKey: .pubtime)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(vers, forKey: .vers)
        try c.encode(deps, forKey: .deps)
        try c.encode(cksum, forKey: .cksum)
        try c.encode(features, forKey: .features)
        try c.encodeIfPresent(features2, forKey: .features2)
        try c.encode(yanked, forKey: .yanked)
        try c.encode(links, forKey: .links)
        try c.encodeIfPresent(v, forKey: .v)
        try c.encodeIfPresent(rustVersion, forKey: .rustVersion)
        try c.encodeIfPresent(pubtime, forKey: .pubtime)
    }

    /// The stored form (the version's metadata).
    public func encoded() throws -> Data { try Self.encoder.encode(self) }

    public init(data: Data) throws {
        self = try JSONDecoder().decode(Self.self, from: data)
    }

    /// One index line, without its newline.
    public func line() throws -> Data { try Self.encoder.encode(self) }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
