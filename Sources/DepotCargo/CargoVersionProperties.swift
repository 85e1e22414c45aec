import DepotCore

/// The facts of a crate version that are looked up by value, stored as indexed version properties: its canonical
/// name (crates.io's uniqueness rule), its features and the crates it depends on.
public enum CargoVersionProperties {
    public static func canonicalName(_ name: CargoCrateName) -> VersionProperty {
        VersionProperty("cargo.canonical-name", name.canonical)
    }

    public static func of(_ entry: CargoIndexEntry, name: CargoCrateName) -> [VersionProperty] {
        let features = Set(entry.features.keys).union(entry.features2?.keys ?? [:].keys).sorted()
        let dependencies = Set(entry.deps.map { ($0.package ?? $0.name).lowercased() }).sorted()
        return [canonicalName(name)] + features.map { VersionProperty("cargo.feature", $0) }
            + dependencies.map { VersionProperty("cargo.dependency", $0) }
    }
}
