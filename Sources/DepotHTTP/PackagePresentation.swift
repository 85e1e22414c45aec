import Foundation

/// How the web console shows a format's versions: the line its users write to install one, and what of a version's
/// stored metadata (the format's own JSON) is a README and which are its dependencies.
public protocol PackagePresentation: Sendable {
    /// The command or manifest line that installs `name` (its display name) at `version`.
    func installLine(name: String, version: String) -> String
    func details(metadata: Data) -> VersionDetails
}

/// A version's README (Markdown, rendered sanitized) and dependencies; empty where the format stores neither.
public struct VersionDetails: Sendable, Equatable {
    public struct Dependency: Sendable, Equatable {
        public let name: String
        public let requirement: String

        public init(name: String, requirement: String = "") {
            self.name = name
            self.requirement = requirement
        }
    }

    public var readme: String?
    public var dependencies: [Dependency]

    public init(readme: String? = nil, dependencies: [Dependency] = []) {
        self.readme = readme.flatMap { $0.isEmpty ? nil : $0 }
        self.dependencies = dependencies
    }
}
