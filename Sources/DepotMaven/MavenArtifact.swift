import DepotCore

/// One file of a Maven version: `group/path/artifactId/version/artifactId-version[-classifier].extension`.
/// For a SNAPSHOT version the file may be a timestamped build: `lib-1.0-20251122.101500-3.jar` of `1.0-SNAPSHOT`.
public struct MavenArtifact: Sendable, Hashable, CustomStringConvertible {
    /// Dotted: `org.example`.
    public var groupId: String
    public var artifactId: String
    /// The version directory: `1.0` or `1.0-SNAPSHOT` (also for timestamped builds).
    public var version: String
    public var classifier: String?
    /// Without the leading dot; may have several parts: `jar`, `pom`, `tar.gz`, `jar.asc`.
    public var `extension`: String
    /// `yyyyMMdd.HHmmss` of a timestamped SNAPSHOT build, else nil.
    public var snapshotTimestamp: String?
    /// Build number of a timestamped SNAPSHOT build, else nil.
    public var buildNumber: Int?

    public init(
        groupId: String, artifactId: String, version: String, classifier: String? = nil, extension: String,
        snapshotTimestamp: String? = nil, buildNumber: Int? = nil
    ) {
        self.groupId = groupId
        self.artifactId = artifactId
        self.version = version
        self.classifier = classifier
        self.extension = `extension`
        self.snapshotTimestamp = snapshotTimestamp
        self.buildNumber = buildNumber
    }

    /// `group:artifact`, the package's display name.
    public var displayName: String { "\(groupId):\(artifactId)" }

    public var packageKey: PackageKey { PackageKey(format: MavenFormat.id, namespace: groupId, name: artifactId) }

    public var isSnapshot: Bool { MavenVersion.isSnapshot(version) }

    /// Whether this is a timestamped SNAPSHOT build (rather than `lib-1.0-SNAPSHOT.jar`).
    public var isTimestampedSnapshot: Bool { snapshotTimestamp != nil && buildNumber != nil }

    /// `1.0` for `1.0-SNAPSHOT`, else the version.
    public var baseVersion: String {
        isSnapshot ? String(version.dropLast(MavenVersion.snapshotSuffix.count)) : version
    }

    /// The version as it appears in the file name: `1.0-20251122.101500-3` for a timestamped build, else `version`.
    public var fileVersion: String {
        if let snapshotTimestamp, let buildNumber { return "\(baseVersion)-\(snapshotTimestamp)-\(buildNumber)" }
        return version
    }

    /// `lib-1.0-sources.jar`.
    public var fileName: String {
        var name = "\(artifactId)-\(fileVersion)"
        if let classifier { name += "-\(classifier)" }
        return name + ".\(self.extension)"
    }

    /// `org/example/lib/1.0/lib-1.0-sources.jar`, relative to the repository's `maven/` endpoint.
    public var path: String {
        groupId.split(separator: ".").joined(separator: "/") + "/\(artifactId)/\(version)/\(fileName)"
    }

    /// The same file without the build timestamp: `lib-1.0-SNAPSHOT.jar` for `lib-1.0-20251122.101500-3.jar`.
    public var withoutSnapshotBuild: MavenArtifact {
        var copy = self
        copy.snapshotTimestamp = nil
        copy.buildNumber = nil
        return copy
    }

    /// This SNAPSHOT file as the given timestamped build.
    public func withSnapshotBuild(timestamp: String, buildNumber: Int) -> MavenArtifact {
        var copy = self
        copy.snapshotTimestamp = timestamp
        copy.buildNumber = buildNumber
        return copy
    }

    public var description: String { path }
}
