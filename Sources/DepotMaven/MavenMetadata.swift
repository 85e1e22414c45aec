import DepotCore
import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// A `maven-metadata.xml` at one of its three levels: G/A (versions), G/A/V-SNAPSHOT (builds) or G (plugin prefixes).
/// Rendered from what Depot stores; uploaded ones are parsed (and validated) with `parse`.
public struct MavenMetadata: Sendable, Equatable {
    public var groupId: String?
    public var artifactId: String?
    /// Set at the G/A/V-SNAPSHOT level.
    public var version: String?
    public var versioning: Versioning?
    /// Set at the G level (plugin prefixes).
    public var plugins: [Plugin]

    public struct Versioning: Sendable, Equatable {
        public var latest: String?
        public var release: String?
        public var versions: [String]
        public var snapshot: Snapshot?
        /// `yyyyMMddHHmmss` (UTC).
        public var lastUpdated: String?
        public var snapshotVersions: [SnapshotVersion]

        public init(
            latest: String? = nil, release: String? = nil, versions: [String] = [], snapshot: Snapshot? = nil,
            lastUpdated: String? = nil, snapshotVersions: [SnapshotVersion] = []
        ) {
            self.latest = latest
            self.release = release
            self.versions = versions
            self.snapshot = snapshot
            self.lastUpdated = lastUpdated
            self.snapshotVersions = snapshotVersions
        }
    }

    public struct Snapshot: Sendable, Equatable {
        /// `yyyyMMdd.HHmmss` (UTC).
        public var timestamp: String?
        public var buildNumber: Int?
        public var localCopy: Bool

        public init(timestamp: String? = nil, buildNumber: Int? = nil, localCopy: Bool = false) {
            self.timestamp = timestamp
            self.buildNumber = buildNumber
            self.localCopy = localCopy
        }
    }

    public struct SnapshotVersion: Sendable, Equatable {
        public var classifier: String?
        public var `extension`: String
        /// `1.0-20251122.101500-3`.
        public var value: String
        /// `yyyyMMddHHmmss` (UTC).
        public var updated: String?

        public init(classifier: String? = nil, extension: String, value: String, updated: String? = nil) {
            self.classifier = classifier
            self.extension = `extension`
            self.value = value
            self.updated = updated
        }
    }

    public struct Plugin: Sendable, Equatable {
        public var name: String?
        public var prefix: String
        public var artifactId: String

        public init(name: String? = nil, prefix: String, artifactId: String) {
            self.name = name
            self.prefix = prefix
            self.artifactId = artifactId
        }
    }

    /// A file of a SNAPSHOT version, with the time it was stored, for `snapshotLevel`.
    public struct SnapshotFile: Sendable, Equatable {
        public var artifact: MavenArtifact
        public var updated: Date

        public init(artifact: MavenArtifact, updated: Date) {
            self.artifact = artifact
            self.updated = updated
        }
    }

    public init(
        groupId: String? = nil, artifactId: String? = nil, version: String? = nil, versioning: Versioning? = nil,
        plugins: [Plugin] = []
    ) {
        self.groupId = groupId
        self.artifactId = artifactId
        self.version = version
        self.versioning = versioning
        self.plugins = plugins
    }

    /// Largest document parsed unless the caller says otherwise (uploads use `limits.maxXMLSize`).
    public static let maxSize = 1 << 20

    // MARK: - Building

    /// G/A metadata: versions in Maven order (duplicates dropped), `latest` the newest, `release` the newest non-SNAPSHOT.
    public static func artifactLevel(
        groupId: String, artifactId: String, versions: [String], lastUpdated: Date
    ) -> MavenMetadata {
        var seen = Set<String>()
        let sorted = versions.filter { seen.insert($0).inserted }.sorted { a, b in
            let va = MavenVersion(a)
            let vb = MavenVersion(b)
            return va == vb ? a < b : va < vb
        }
        return MavenMetadata(
            groupId: groupId, artifactId: artifactId,
            versioning: Versioning(
                latest: sorted.last, release: sorted.last { !MavenVersion.isSnapshot($0) }, versions: sorted,
                lastUpdated: timestampCompact(lastUpdated)))
    }

    /// G/A/V-SNAPSHOT metadata from the stored files of the version: `snapshot` is the newest timestamped build,
    /// and each (classifier, extension) lists its newest file. `lastUpdated` defaults to the newest file's time.
    public static func snapshotLevel(
        groupId: String, artifactId: String, version: String, files: [SnapshotFile], lastUpdated: Date? = nil
    ) -> MavenMetadata {
        func newer(_ a: MavenArtifact, than b: MavenArtifact) -> Bool {
            let ka = (a.buildNumber ?? 0, a.snapshotTimestamp ?? "")
            let kb = (b.buildNumber ?? 0, b.snapshotTimestamp ?? "")
            return ka > kb
        }
        var newest: MavenArtifact?
        struct Key: Hashable {
            var classifier: String?
            var ext: String
        }
        var perKey: [Key: SnapshotFile] = [:]
        for file in files {
            let a = file.artifact
            if a.isTimestampedSnapshot, newest.map({ newer(a, than: $0) }) ?? true { newest = a }
            let key = Key(classifier: a.classifier, ext: a.extension)
            if let existing = perKey[key] {
                if newer(a, than: existing.artifact)
                    || (!newer(existing.artifact, than: a) && file.updated > existing.updated)
                {
                    perKey[key] = file
                }
            } else {
                perKey[key] = file
            }
        }
        let snapshotVersions = perKey.values
            .sorted { ($0.artifact.classifier ?? "", $0.artifact.extension) < ($1.artifact.classifier ?? "", $1.artifact.extension) }
            .map {
                SnapshotVersion(
                    classifier: $0.artifact.classifier, extension: $0.artifact.extension, value: $0.artifact.fileVersion,
                    updated: timestampCompact($0.updated))
            }
        let updated = lastUpdated ?? files.map(\.updated).max() ?? Date()
        return MavenMetadata(
            groupId: groupId, artifactId: artifactId, version: version,
            versioning: Versioning(
                snapshot: newest.map { Snapshot(timestamp: $0.snapshotTimestamp, buildNumber: $0.buildNumber) },
                lastUpdated: timestampCompact(updated), snapshotVersions: snapshotVersions))
    }

    /// G metadata listing plugin prefixes (sorted by prefix).
    public static func groupLevel(plugins: [Plugin]) -> MavenMetadata {
        MavenMetadata(plugins: plugins.sorted { ($0.prefix, $0.artifactId) < ($1.prefix, $1.artifactId) })
    }

    // MARK: - Time stamps (UTC)

    /// `yyyyMMddHHmmss`, as in `lastUpdated` and `updated`.
    public static func timestampCompact(_ date: Date) -> String {
        let c = utcComponents(date)
        return pad(c.year, 4) + pad(c.month, 2) + pad(c.day, 2) + pad(c.hour, 2) + pad(c.minute, 2) + pad(c.second, 2)
    }

    /// `yyyyMMdd.HHmmss`, as in SNAPSHOT build file names.
    public static func snapshotTimestamp(_ date: Date) -> String {
        let c = utcComponents(date)
        return pad(c.year, 4) + pad(c.month, 2) + pad(c.day, 2) + "." + pad(c.hour, 2) + pad(c.minute, 2)
            + pad(c.second, 2)
    }

    private static func utcComponents(_ date: Date) -> DateComponents {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    }

    private static func pad(_ value: Int?, _ width: Int) -> String {
        let s = String(value ?? 0)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    // MARK: - Rendering

    /// The XML text, two-space indented, with an XML declaration.
    public var xml: String {
        var w = XMLWriter()
        w.line("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        w.open("metadata")
        w.element("groupId", groupId)
        w.element("artifactId", artifactId)
        w.element("version", version)
        if let v = versioning {
            w.open("versioning")
            w.element("latest", v.latest)
            w.element("release", v.release)
            if let s = v.snapshot {
                w.open("snapshot")
                w.element("timestamp", s.timestamp)
                w.element("buildNumber", s.buildNumber.map(String.init))
                if s.localCopy { w.element("localCopy", "true") }
                w.close("snapshot")
            }
            if !v.versions.isEmpty {
                w.open("versions")
                for version in v.versions { w.element("version", version) }
                w.close("versions")
            }
            w.element("lastUpdated", v.lastUpdated)
            if !v.snapshotVersions.isEmpty {
                w.open("snapshotVersions")
                for sv in v.snapshotVersions {
                    w.open("snapshotVersion")
                    w.element("classifier", sv.classifier)
                    w.element("extension", sv.extension)
                    w.element("value", sv.value)
                    w.element("updated", sv.updated)
                    w.close("snapshotVersion")
                }
                w.close("snapshotVersions")
            }
            w.close("versioning")
        }
        if !plugins.isEmpty {
            w.open("plugins")
            for p in plugins {
                w.open("plugin")
                w.element("name", p.name)
                w.element("prefix", p.prefix)
                w.element("artifactId", p.artifactId)
                w.close("plugin")
            }
            w.close("plugins")
        }
        w.close("metadata")
        return w.text
    }

    // MARK: - Parsing

    /// Parses an uploaded `maven-metadata.xml`. Malformed XML, a DTD, a root other than `<metadata>` or a
    /// non-numeric build number -> 400; more than `maxSize` bytes -> 413.
    public static func parse(_ data: Data, maxSize: Int = maxSize) throws -> MavenMetadata {
        guard data.count <= maxSize else {
            throw DepotError.tooLarge("maven-metadata.xml is larger than \(maxSize) bytes")
        }
        switch XMLDocumentGuard.problem(in: data) {
        case .dtd: throw DepotError.badRequest("maven-metadata.xml must not contain a DTD", code: "InvalidMetadata")
        case .emptyProcessingInstruction:
            throw DepotError.badRequest("maven-metadata.xml has a processing instruction without data", code: "InvalidMetadata")
        case .encoding(let name):
            throw DepotError.badRequest("maven-metadata.xml must be UTF-8, not \(name.prefix(40))", code: "InvalidMetadata")
        case nil: break
        }
        let handler = MetadataParserDelegate()
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = false
        parser.shouldResolveExternalEntities = false
        parser.delegate = handler
        // On Linux, parse() can return true after an error (e.g. an unclosed root); check parserError as well.
        let ok = parser.parse()
        if let error = handler.error { throw error }
        guard ok, parser.parserError == nil, !handler.sawParseError, handler.sawRoot, handler.rootClosed else {
            let reason = parser.parserError.map { " (\($0.localizedDescription))" } ?? ""
            throw DepotError.badRequest("maven-metadata.xml is not well-formed XML\(reason)", code: "InvalidMetadata")
        }
        return handler.metadata
    }

    public static func parse(_ text: String) throws -> MavenMetadata {
        try parse(Data(text.utf8))
    }
}

private struct XMLWriter {
    var text = ""
    var depth = 0

    mutating func line(_ s: String) {
        text += String(repeating: "  ", count: depth) + s + "\n"
    }

    mutating func open(_ name: String) {
        line("<\(name)>")
        depth += 1
    }

    mutating func close(_ name: String) {
        depth -= 1
        line("</\(name)>")
    }

    mutating func element(_ name: String, _ value: String?) {
        guard let value else { return }
        line("<\(name)>\(XMLEscape.escape(value))</\(name)>")
    }
}

/// Collects the known elements by their path below `<metadata>`; unknown elements are ignored.
private final class MetadataParserDelegate: NSObject, XMLParserDelegate {
    var metadata = MavenMetadata()
    var error: DepotError?
    var sawRoot = false
    var rootClosed = false
    var sawParseError = false
    private var path: [String] = []
    private var text = ""
    private var snapshotVersion: MavenMetadata.SnapshotVersion?
    private var plugin: (name: String?, prefix: String?, artifactId: String?)?

    private static func localName(_ name: String) -> String {
        name.split(separator: ":").last.map(String.init) ?? name
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
        attributes attributeDict: [String: String] = [:]
    ) {
        let name = Self.localName(elementName)
        if path.isEmpty {
            guard !rootClosed else {
                fail(DepotError.badRequest("maven-metadata.xml has more than one root element", code: "InvalidMetadata"),
                    parser)
                return
            }
            guard name == "metadata" else {
                fail(DepotError.badRequest(
                    "maven-metadata.xml: the root element is <\(name)>, expected <metadata>", code: "InvalidMetadata"),
                    parser)
                return
            }
            sawRoot = true
        }
        path.append(name)
        text = ""
        switch path.joined(separator: "/") {
        case "metadata/versioning":
            if metadata.versioning == nil { metadata.versioning = .init() }
        case "metadata/versioning/snapshot":
            if metadata.versioning?.snapshot == nil { metadata.versioning?.snapshot = .init() }
        case "metadata/versioning/snapshotVersions/snapshotVersion":
            snapshotVersion = .init(extension: "", value: "")
        case "metadata/plugins/plugin":
            plugin = (nil, nil, nil)
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        text += String(decoding: CDATABlock, as: UTF8.self)
    }

    func parser(
        _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?
    ) {
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        switch path.joined(separator: "/") {
        case "metadata/groupId": metadata.groupId = value
        case "metadata/artifactId": metadata.artifactId = value
        case "metadata/version": metadata.version = value
        case "metadata/versioning/latest": metadata.versioning?.latest = value
        case "metadata/versioning/release": metadata.versioning?.release = value
        case "metadata/versioning/lastUpdated": metadata.versioning?.lastUpdated = value
        case "metadata/versioning/versions/version": metadata.versioning?.versions.append(value)
        case "metadata/versioning/snapshot/timestamp": metadata.versioning?.snapshot?.timestamp = value
        case "metadata/versioning/snapshot/buildNumber":
            guard let n = Int(value), n >= 0 else {
                fail(DepotError.badRequest(
                    "maven-metadata.xml: buildNumber '\(value.prefix(40))' is not a number", code: "InvalidMetadata"),
                    parser)
                return
            }
            metadata.versioning?.snapshot?.buildNumber = n
        case "metadata/versioning/snapshot/localCopy": metadata.versioning?.snapshot?.localCopy = value == "true"
        case "metadata/versioning/snapshotVersions/snapshotVersion/classifier": snapshotVersion?.classifier = value
        case "metadata/versioning/snapshotVersions/snapshotVersion/extension": snapshotVersion?.extension = value
        case "metadata/versioning/snapshotVersions/snapshotVersion/value": snapshotVersion?.value = value
        case "metadata/versioning/snapshotVersions/snapshotVersion/updated": snapshotVersion?.updated = value
        case "metadata/versioning/snapshotVersions/snapshotVersion":
            if let sv = snapshotVersion { metadata.versioning?.snapshotVersions.append(sv) }
            snapshotVersion = nil
        case "metadata/plugins/plugin/name": plugin?.name = value
        case "metadata/plugins/plugin/prefix": plugin?.prefix = value
        case "metadata/plugins/plugin/artifactId": plugin?.artifactId = value
        case "metadata/plugins/plugin":
            if let p = plugin, let prefix = p.prefix, let artifactId = p.artifactId {
                metadata.plugins.append(.init(name: p.name, prefix: prefix, artifactId: artifactId))
            } else {
                fail(DepotError.badRequest(
                    "maven-metadata.xml: a <plugin> needs <prefix> and <artifactId>", code: "InvalidMetadata"), parser)
                return
            }
            plugin = nil
        default: break
        }
        if !path.isEmpty { path.removeLast() }
        if path.isEmpty { rootClosed = true }
        text = ""
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        sawParseError = true
        parser.abortParsing()
    }

    func parser(_ parser: XMLParser, validationErrorOccurred validationError: any Error) {
        sawParseError = true
        parser.abortParsing()
    }

    private func fail(_ error: DepotError, _ parser: XMLParser) {
        if self.error == nil { self.error = error }
        parser.abortParsing()
    }
}
