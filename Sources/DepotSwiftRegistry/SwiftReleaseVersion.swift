import DepotCore

/// A release version: Semantic Versioning 2.0.0, strictly (what SwiftPM's `Version` parses, whose numbers are
/// `Int`s). Two spellings of one precedence (`1.0.0+a`, `1.0.0+b`) stay two releases.
public typealias SwiftReleaseVersion = SemanticVersion
