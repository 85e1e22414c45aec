import DepotCore

/// A crate version: SemVer 2.0 as Cargo writes it (`1.2.3`, `1.0.0-beta.2`, `0.1.0+build.5`). Build metadata does
/// not count for identity, so Depot records a version under `identity` and keeps the full text in the index line.
public typealias CargoVersion = SemanticVersion

extension SemanticVersion {
    /// The text as given (the index line's `vers`).
    var text: String { description }

    static func invalid(_ text: String) -> DepotError {
        let shown = text.utf8.count > 80 ? String(text.prefix(80)) + "..." : text
        return DepotError.badRequest("invalid version '\(shown)': not a SemVer version such as 1.2.3", code: "InvalidVersion")
    }
}
