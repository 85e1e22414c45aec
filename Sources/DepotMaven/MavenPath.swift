import DepotCore

/// A strictly parsed request path below `/{domain}/{repo}/maven/`.
///
/// Ambiguity: `a/b/maven-metadata.xml` is read as artifact metadata of `a:b`; with a single directory
/// (`org/maven-metadata.xml`) it is group metadata. A plugin group with several parts
/// (`org/apache/maven/plugins/maven-metadata.xml`) parses as artifact metadata; `groupMetadataAlternative`
/// gives the group reading for callers that find no such artifact (or an uploaded file with `<plugins>`).
public enum MavenPath: Sendable, Hashable {
    case artifact(MavenArtifact)
    indirect case checksum(of: MavenPath, algorithm: MavenChecksum)
    case artifactMetadata(groupId: String, artifactId: String)
    case snapshotMetadata(groupId: String, artifactId: String, version: String)
    case groupMetadata(groupId: String)

    public static let metadataFileName = "maven-metadata.xml"

    /// Parses the raw, percent-encoded remainder of the path (`org/example/lib/1.0/lib-1.0.jar.sha1`).
    /// Anything that is not a valid coordinate path throws `badRequest` (code `InvalidPath`).
    public init(parsing raw: String) throws {
        guard !raw.isEmpty else { throw Self.invalid(raw, "empty path") }
        var segments: [String] = []
        for encoded in raw.split(separator: "/", omittingEmptySubsequences: false) {
            let segment = try Self.percentDecode(encoded, raw: raw)
            guard MavenName.isValidSegment(segment, plus: true) else {
                throw Self.invalid(raw, "invalid path segment '\(segment.debugDescription.dropFirst().dropLast())'")
            }
            segments.append(segment)
        }
        var file = segments.removeLast()
        let algorithm = MavenChecksum.forFileName(file)
        if let algorithm { file.removeLast(algorithm.fileSuffix.count) }
        let inner = try Self.parseFile(file, directories: segments, raw: raw)
        if let algorithm {
            self = .checksum(of: inner, algorithm: algorithm)
        } else {
            self = inner
        }
    }

    /// The last path segment: `lib-1.0.jar`, `maven-metadata.xml.sha1`.
    public var fileName: String {
        switch self {
        case .artifact(let artifact): artifact.fileName
        case .checksum(let inner, let algorithm): inner.fileName + algorithm.fileSuffix
        case .artifactMetadata, .snapshotMetadata, .groupMetadata: Self.metadataFileName
        }
    }

    /// The canonical path relative to the `maven/` endpoint.
    public var path: String {
        switch self {
        case .artifact(let artifact): artifact.path
        case .checksum(let inner, let algorithm): inner.path + algorithm.fileSuffix
        case .artifactMetadata(let g, let a): "\(Self.groupPath(g))/\(a)/\(Self.metadataFileName)"
        case .snapshotMetadata(let g, let a, let v): "\(Self.groupPath(g))/\(a)/\(v)/\(Self.metadataFileName)"
        case .groupMetadata(let g): "\(Self.groupPath(g))/\(Self.metadataFileName)"
        }
    }

    public var groupId: String {
        switch self {
        case .artifact(let artifact): artifact.groupId
        case .checksum(let inner, _): inner.groupId
        case .artifactMetadata(let g, _), .snapshotMetadata(let g, _, _), .groupMetadata(let g): g
        }
    }

    /// The package the path belongs to; nil for group metadata.
    public var packageKey: PackageKey? {
        switch self {
        case .artifact(let artifact): artifact.packageKey
        case .checksum(let inner, _): inner.packageKey
        case .artifactMetadata(let g, let a), .snapshotMetadata(let g, let a, _):
            PackageKey(format: MavenFormat.id, namespace: g, name: a)
        case .groupMetadata: nil
        }
    }

    /// The group-metadata reading of an artifact-metadata path (`org/apache/maven/plugins/maven-metadata.xml`
    /// -> group `org.apache.maven.plugins`), when the artifactId is also a valid group part; checksums follow.
    public var groupMetadataAlternative: MavenPath? {
        switch self {
        case .artifactMetadata(let g, let a) where !a.contains("."):
            .groupMetadata(groupId: "\(g).\(a)")
        case .checksum(let inner, let algorithm):
            inner.groupMetadataAlternative.map { .checksum(of: $0, algorithm: algorithm) }
        default: nil
        }
    }

    // MARK: - Parsing

    private static func parseFile(_ file: String, directories dirs: [String], raw: String) throws -> MavenPath {
        if file == metadataFileName {
            switch dirs.count {
            case 0: throw invalid(raw, "maven-metadata.xml needs a groupId")
            case 1:
                try checkGroup(dirs, raw: raw)
                return .groupMetadata(groupId: dirs[0])
            default:
                let last = dirs[dirs.count - 1]
                if dirs.count >= 3, MavenVersion.isSnapshot(last) {
                    let group = Array(dirs[..<(dirs.count - 2)])
                    try checkGroup(group, raw: raw)
                    try checkArtifactId(dirs[dirs.count - 2], raw: raw)
                    return .snapshotMetadata(
                        groupId: group.joined(separator: "."), artifactId: dirs[dirs.count - 2], version: last)
                }
                let group = Array(dirs[..<(dirs.count - 1)])
                try checkGroup(group, raw: raw)
                try checkArtifactId(last, raw: raw)
                return .artifactMetadata(groupId: group.joined(separator: "."), artifactId: last)
            }
        }
        guard dirs.count >= 3 else {
            throw invalid(raw, "expected groupId/artifactId/version/file, with the groupId's dots as slashes")
        }
        let group = Array(dirs[..<(dirs.count - 2)])
        let artifactId = dirs[dirs.count - 2]
        let version = dirs[dirs.count - 1]
        try checkGroup(group, raw: raw)
        try checkArtifactId(artifactId, raw: raw)

        var rest: Substring
        var timestamp: String?
        var buildNumber: Int?
        let prefix = "\(artifactId)-\(version)"
        if file.hasPrefix(prefix) {
            rest = file.dropFirst(prefix.count)
        } else if MavenVersion.isSnapshot(version),
            case let base = version.dropLast(MavenVersion.snapshotSuffix.count),
            file.hasPrefix("\(artifactId)-\(base)-"),
            let build = parseBuild(file.dropFirst(artifactId.count + base.count + 2))
        {
            timestamp = build.timestamp
            buildNumber = build.number
            rest = build.rest
        } else {
            throw invalid(raw, "the file name must start with '\(prefix)'")
        }

        var classifier: String?
        if rest.first == "-", parseBuild(rest.dropFirst()) != nil {
            throw invalid(raw, "a timestamped SNAPSHOT build belongs in a -SNAPSHOT version directory")
        }
        if rest.first == "-" {
            rest = rest.dropFirst()
            guard let dot = rest.firstIndex(of: ".") else { throw invalid(raw, "the file name has no extension") }
            let c = String(rest[..<dot])
            guard !c.isEmpty, !c.contains("+") else { throw invalid(raw, "invalid classifier '\(c)'") }
            classifier = c
            rest = rest[dot...]
        }
        guard rest.first == "." else { throw invalid(raw, "the file name must start with '\(prefix)'") }
        let ext = String(rest.dropFirst())
        let parts = ext.split(separator: ".", omittingEmptySubsequences: false)
        guard !ext.isEmpty, !ext.contains("+"), parts.allSatisfy({ !$0.isEmpty }),
            !parts.contains(where: { $0.allSatisfy(\.isASCIIDigitCharacter) }),
            MavenChecksum(rawValue: String(parts[parts.count - 1])) == nil
        else {
            throw invalid(raw, "invalid extension '\(ext)'")
        }
        return .artifact(
            MavenArtifact(
                groupId: group.joined(separator: "."), artifactId: artifactId, version: version,
                classifier: classifier, extension: ext, snapshotTimestamp: timestamp, buildNumber: buildNumber))
    }

    /// `20251122.101500-3...` -> timestamp, build number and the rest after them.
    private static func parseBuild(_ s: Substring) -> (timestamp: String, number: Int, rest: Substring)? {
        let u = Array(s.utf8)
        guard u.count > 17, u[..<8].allSatisfy(isDigit), u[8] == UInt8(ascii: "."), u[9..<15].allSatisfy(isDigit),
            u[15] == UInt8(ascii: "-")
        else { return nil }
        var end = 16
        while end < u.count, isDigit(u[end]) { end += 1 }
        let digits = String(decoding: u[16..<end], as: UTF8.self)
        guard let number = Int(digits), number >= 1, String(number) == digits else { return nil }
        let rest = s.dropFirst(end)  // ASCII only, so bytes == characters
        guard rest.first == "." || rest.first == "-" else { return nil }
        return (String(decoding: u[..<15], as: UTF8.self), number, rest)
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    private static func checkGroup(_ parts: [String], raw: String) throws {
        for part in parts where part.contains(".") || part.contains("+") {
            throw invalid(raw, "invalid groupId part '\(part)'")
        }
    }

    private static func checkArtifactId(_ artifactId: String, raw: String) throws {
        guard !artifactId.contains("+") else { throw invalid(raw, "invalid artifactId '\(artifactId)'") }
    }

    static func groupPath(_ groupId: String) -> String {
        groupId.split(separator: ".").joined(separator: "/")
    }

    /// Decodes `%XX` once; a malformed escape is an error.
    private static func percentDecode(_ s: Substring, raw: String) throws -> String {
        guard s.contains("%") else { return String(s) }
        var out: [UInt8] = []
        var it = Array(s.utf8)[...]
        while let c = it.popFirst() {
            if c == UInt8(ascii: "%") {
                guard it.count >= 2, let h = hexValue(it.popFirst()!), let l = hexValue(it.popFirst()!) else {
                    throw invalid(raw, "malformed percent-encoding")
                }
                out.append(h << 4 | l)
            } else {
                out.append(c)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func invalid(_ raw: String, _ reason: String) -> DepotError {
        let shown = raw.count > 200 ? String(raw.prefix(200)) + "..." : raw
        return DepotError.badRequest("invalid Maven path '\(shown)': \(reason)", code: "InvalidPath")
    }
}

extension Character {
    fileprivate var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
