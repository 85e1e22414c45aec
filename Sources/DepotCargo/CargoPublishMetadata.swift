import DepotCore
import Foundation

/// The JSON half of a publish (Cargo's `NewCrate`), checked and turned into the version's index line.
public struct CargoPublishMetadata: Sendable {
    public var name: CargoCrateName
    public var version: CargoVersion
    public var description: String?
    /// The index line without its checksum (that comes from the `.crate` bytes).
    public var dependencies: [CargoIndexEntry.Dependency]
    public var features: [String: [String]]
    public var links: String?
    public var rustVersion: String?

    /// Cargo's field names; what Depot does not keep (authors, badges, readme ...) is not decoded.
    private struct NewCrate: Decodable {
        var name: String
        var vers: String
        var deps: [NewDependency]?
        var features: [String: [String]]?
        var description: String?
        var links: String?
        var rust_version: String?
    }

    private struct NewDependency: Decodable {
        var name: String
        var version_req: String
        var features: [String]?
        var optional: Bool?
        var default_features: Bool?
        var target: String?
        var kind: String?
        var registry: String?
        var explicit_name_in_toml: String?
    }

    public static let maxDependencies = 2000
    public static let maxFeatures = 3000

    public init(json: [UInt8], limits: InputLimits) throws {
        try JSONNesting.check(json, maxDepth: min(limits.maxJSONDepth, 16), maxValues: limits.maxJSONValues)
        let new: NewCrate
        do {
            new = try JSONDecoder().decode(NewCrate.self, from: Data(json))
        } catch {
            throw DepotError.badRequest("the publish metadata is not the JSON Cargo sends: \(Self.describe(error))", code: "MalformedBody")
        }
        name = try CargoCrateName(new.name)
        guard let version = CargoVersion(new.vers) else { throw CargoVersion.invalid(new.vers) }
        self.version = version
        description = new.description
        let deps = new.deps ?? []
        guard deps.count <= Self.maxDependencies else {
            throw DepotError.badRequest("more than \(Self.maxDependencies) dependencies", code: "InvalidDependency")
        }
        dependencies = try deps.map(Self.indexDependency)
        let features = new.features ?? [:]
        guard features.count <= Self.maxFeatures else {
            throw DepotError.badRequest("more than \(Self.maxFeatures) features", code: "InvalidFeature")
        }
        for (feature, values) in features {
            try Self.checkFeature(feature)
            for value in values where value.isEmpty || value.utf8.count > 256 || value.contains(where: \.isWhitespace) {
                throw DepotError.badRequest("feature '\(feature)' enables an invalid value '\(value.prefix(80))'", code: "InvalidFeature")
            }
        }
        self.features = features
        if let links = new.links, links.isEmpty || links.utf8.count > 256 || !links.allSatisfy(Self.isNameCharacter) {
            throw DepotError.badRequest("invalid links value '\(links.prefix(80))'", code: "MalformedBody")
        }
        links = new.links
        if let rust = new.rust_version, !Self.isRustVersion(rust) {
            throw DepotError.badRequest("invalid rust-version '\(rust.prefix(80))'", code: "MalformedBody")
        }
        rustVersion = new.rust_version
    }

    /// The version's index line for a `.crate` with this SHA-256. Features that use `dep:` or `?/` go to
    /// `features2` with `v: 2`, as crates.io writes them, so older Cargo versions skip only what they cannot read.
    public func indexEntry(cksum: String) -> CargoIndexEntry {
        let isNewSyntax = { (values: [String]) in values.contains { $0.hasPrefix("dep:") || $0.contains("?/") } }
        let plain = features.filter { !isNewSyntax($0.value) }
        let extended = features.filter { isNewSyntax($0.value) }
        return CargoIndexEntry(
            name: name.name, vers: version.text, deps: dependencies, cksum: cksum, features: plain,
            features2: extended.isEmpty ? nil : extended, yanked: false, links: links, v: extended.isEmpty ? nil : 2,
            rustVersion: rustVersion)
    }

    /// Cargo sends a renamed dependency's real name as `name` and the rename as `explicit_name_in_toml`; the index
    /// has the rename as `name` and the real name as `package`.
    private static func indexDependency(_ dep: NewDependency) throws -> CargoIndexEntry.Dependency {
        let real = try CargoCrateName(dep.name)
        let rename = try dep.explicit_name_in_toml.map { try CargoCrateName($0) }
        let req = dep.version_req.trimmingCharacters(in: .whitespaces)
        guard !req.isEmpty, req.utf8.count <= 256, req.utf8.allSatisfy(Self.isRequirementByte) else {
            throw DepotError.badRequest("dependency \(real) has an invalid version requirement '\(dep.version_req.prefix(80))'", code: "InvalidDependency")
        }
        let kind = dep.kind ?? "normal"
        guard ["normal", "dev", "build"].contains(kind) else {
            throw DepotError.badRequest("dependency \(real) has an unknown kind '\(kind.prefix(40))'", code: "InvalidDependency")
        }
        let features = dep.features ?? []
        for feature in features where feature.isEmpty || feature.utf8.count > 256 || feature.contains(where: \.isWhitespace) {
            throw DepotError.badRequest("dependency \(real) enables an invalid feature '\(feature.prefix(80))'", code: "InvalidDependency")
        }
        if let target = dep.target, target.isEmpty || target.utf8.count > 512 {
            throw DepotError.badRequest("dependency \(real) has an invalid target", code: "InvalidDependency")
        }
        if let registry = dep.registry, registry.utf8.count > 2048 || URL(string: registry)?.scheme == nil {
            throw DepotError.badRequest("dependency \(real) names an invalid registry", code: "InvalidDependency")
        }
        return CargoIndexEntry.Dependency(
            name: rename?.name ?? real.name, req: req, features: features, optional: dep.optional ?? false,
            defaultFeatures: dep.default_features ?? true, target: dep.target, kind: kind, registry: dep.registry,
            package: rename == nil ? nil : real.name)
    }

    /// Feature names as crates.io accepts them: ASCII alphanumerics, `_`, `-`, `+`, `.`, starting with one of
    /// the first two.
    private static func checkFeature(_ feature: String) throws {
        guard let first = feature.utf8.first, feature.utf8.count <= 128,
            CargoCrateName.isLetter(first) || CargoCrateName.isDigit(first) || first == UInt8(ascii: "_"),
            feature.utf8.allSatisfy({ CargoCrateName.isLetter($0) || CargoCrateName.isDigit($0) || "_-+.".utf8.contains($0) })
        else {
            throw DepotError.badRequest("invalid feature name '\(feature.prefix(80))'", code: "InvalidFeature")
        }
    }

    private static func isNameCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "-" || c == "_")
    }

    /// `1.70` or `1.70.0`.
    private static func isRustVersion(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return (2...3).contains(parts.count) && parts.allSatisfy { !$0.isEmpty && $0.count <= 9 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
    }

    /// What a version requirement may contain: `^1.2`, `>=1, <2`, `=0.3.0-beta.1`, `*`.
    private static func isRequirementByte(_ c: UInt8) -> Bool {
        CargoCrateName.isLetter(c) || CargoCrateName.isDigit(c) || " .*^~<>=,+-".utf8.contains(c)
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing \(key.stringValue)"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default: "not valid JSON"
        }
    }
}
