/// A Deploy/Promote action's resolved configuration: copy package versions from one repository to another
/// (CodeArtifact's copy-package-versions).
public struct PromoteConfiguration: Sendable, Hashable {
    public static let maxVersions = 100

    public var format: String
    public var namespace: String?
    public var package: String
    public var versions: [String]
    public var sourceRepository: String
    public var destinationRepository: String

    public init?(_ configuration: [String: String]) {
        guard let format = configuration["Format"], let package = configuration["Package"], !package.isEmpty,
            let versions = configuration["Versions"].flatMap(Self.versions),
            let source = configuration["SourceRepository"], ActionConfigurationRules.isRepositoryName(source),
            let destination = configuration["DestinationRepository"], ActionConfigurationRules.isRepositoryName(destination),
            source != destination
        else { return nil }
        self.format = format
        self.namespace = configuration["Namespace"].flatMap { $0.isEmpty ? nil : $0 }
        self.package = package
        self.versions = versions
        self.sourceRepository = source
        self.destinationRepository = destination
    }

    /// `1.0.0, 1.0.1` as a list; nil when empty, with an empty entry, or too long.
    static func versions(_ text: String) -> [String]? {
        let versions = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !versions.isEmpty, versions.count <= maxVersions, versions.allSatisfy({ !$0.isEmpty && $0.count <= 255 }) else { return nil }
        return versions
    }
}
