import DepotCore
import Foundation
import DepotHTTP

#if canImport(FoundationXML)
import FoundationXML
#endif

/// What Depot remembers of a Maven version (its `PackageVersion.metadata` JSON) to list it as a plugin in the
/// group-level `maven-metadata.xml`: the pom's packaging and name, the jar's plugin descriptor goal prefix, and what
/// an uploaded group-level metadata file declared for it.
public struct MavenVersionInfo: Codable, Sendable, Equatable {
    /// `<packaging>` of the pom (`maven-plugin` for plugins).
    public var packaging: String?
    /// `<name>` of the pom.
    public var name: String?
    /// `<goalPrefix>` of the jar's `META-INF/maven/plugin.xml`.
    public var goalPrefix: String?
    /// `<name>` of the jar's plugin descriptor.
    public var descriptorName: String?
    /// `<prefix>` and `<name>` of this artifact's `<plugin>` in an uploaded group-level maven-metadata.xml.
    public var declaredPrefix: String?
    public var declaredName: String?

    public init(
        packaging: String? = nil, name: String? = nil, goalPrefix: String? = nil, descriptorName: String? = nil,
        declaredPrefix: String? = nil, declaredName: String? = nil
    ) {
        self.packaging = packaging
        self.name = name
        self.goalPrefix = goalPrefix
        self.descriptorName = descriptorName
        self.declaredPrefix = declaredPrefix
        self.declaredName = declaredName
    }

    /// Versions stored before this existed have `{}`; anything unreadable counts as nothing known.
    public init(json: Data) {
        self = (try? JSONDecoder().decode(Self.self, from: json)) ?? Self()
    }

    public var json: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(self)) ?? Data("{}".utf8)
    }

    /// `self` with the non-nil fields of `other` taking over.
    public func merging(_ other: MavenVersionInfo) -> MavenVersionInfo {
        MavenVersionInfo(
            packaging: other.packaging ?? packaging, name: other.name ?? name, goalPrefix: other.goalPrefix ?? goalPrefix,
            descriptorName: other.descriptorName ?? descriptorName, declaredPrefix: other.declaredPrefix ?? declaredPrefix,
            declaredName: other.declaredName ?? declaredName)
    }

    /// A plugin has a plugin descriptor, `maven-plugin` packaging, or was declared one by an uploaded G metadata.
    public var isPlugin: Bool { packaging == "maven-plugin" || goalPrefix != nil || declaredPrefix != nil }

    /// The group-level `<plugin>` entry: the descriptor's prefix wins (it is what Maven itself resolves goals
    /// with), then the uploaded one, then Maven's naming convention.
    public func plugin(artifactId: String) -> MavenMetadata.Plugin? {
        guard isPlugin else { return nil }
        let prefix = goalPrefix ?? declaredPrefix ?? MavenPluginPrefix.conventional(artifactId: artifactId)
        return MavenMetadata.Plugin(name: name ?? declaredName ?? descriptorName ?? artifactId, prefix: prefix, artifactId: artifactId)
    }

    // MARK: - Reading uploads

    /// Packaging and name from a pom (direct children of `<project>` only, so a parent's `<name>` is not taken).
    public static func fromPom(_ data: Data) -> MavenVersionInfo {
        let values = XMLChildValues.read(data, root: "project", children: ["packaging", "name"])
        return MavenVersionInfo(packaging: values["packaging"], name: values["name"])
    }

    /// Goal prefix and name from a plugin descriptor (`META-INF/maven/plugin.xml`).
    public static func fromPluginDescriptor(_ data: Data) -> MavenVersionInfo {
        let values = XMLChildValues.read(data, root: "plugin", children: ["goalPrefix", "name"])
        return MavenVersionInfo(goalPrefix: values["goalPrefix"], descriptorName: values["name"])
    }

    /// Largest plugin descriptor read from a jar (big plugins have descriptors of a few hundred KB).
    static let maxDescriptorSize = 8 << 20

    /// The plugin descriptor of a jar on disk, or nil when it is not a zip or has none (most jars). A jar with more
    /// than `maxEntries` entries (400) or whose descriptor inflates past `maxDescriptorSize` (413, a zip bomb) is refused.
    public static func fromJar(at file: URL, maxEntries: Int = InputLimits().maxArchiveEntries) throws -> MavenVersionInfo? {
        // ZipProbe's walk and a bounded inflate, not ZIPFoundation: its inflater never returns from a deflate stream
        // that runs to the end of the file.
        guard ZipProbe.hasEndOfCentralDirectory(at: file), let entries = ZipProbe.centralDirectory(at: file) else { return nil }
        guard entries.count <= maxEntries else {
            throw DepotError.badRequest("\(file.lastPathComponent) has more than \(maxEntries) entries", code: "TooManyEntries")
        }
        guard let entry = entries.first(where: { $0.path == "META-INF/maven/plugin.xml" }) else { return nil }
        let bytes: Data
        do {
            bytes = try ZipEntryReader.contents(of: entry, in: file, limit: maxDescriptorSize)
        } catch ZipEntryReader.Failure.tooLarge {
            throw DepotError.tooLarge("META-INF/maven/plugin.xml inflates to more than \(maxDescriptorSize) bytes")
        } catch {
            return nil
        }
        let info = fromPluginDescriptor(bytes)
        return info == MavenVersionInfo() ? nil : info
    }
}

/// Maven's fallback when a plugin declares no goal prefix (PluginDescriptor.getGoalPrefixFromArtifactId):
/// `maven-foo-plugin` and `foo-maven-plugin` are both `foo`.
public enum MavenPluginPrefix {
    public static func conventional(artifactId: String) -> String {
        if artifactId == "maven-plugin-plugin" { return "plugin" }
        return artifactId.replacing(/-?maven-?/, with: "").replacing(/-?plugin-?/, with: "")
    }
}

/// Text of chosen direct children of the root element; nothing for a document that is not well-formed,
/// has another root, or declares a DTD (never resolved).
enum XMLChildValues {
    static func read(_ data: Data, root: String, children: Set<String>) -> [String: String] {
        guard XMLDocumentGuard.problem(in: data) == nil else { return [:] }
        let collector = Collector(root: root, children: children)
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.delegate = collector
        guard parser.parse(), parser.parserError == nil, !collector.failed else { return [:] }
        return collector.values
    }

    private final class Collector: NSObject, XMLParserDelegate {
        let root: String
        let children: Set<String>
        var values: [String: String] = [:]
        var failed = false
        private var depth = 0
        private var current: String?
        private var text = ""

        init(root: String, children: Set<String>) {
            self.root = root
            self.children = children
        }

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            let name = elementName.split(separator: ":").last.map(String.init) ?? elementName
            if depth == 0 && name != root {
                failed = true
                parser.abortParsing()
            }
            if depth == 1 && children.contains(name) && values[name] == nil {
                current = name
                text = ""
            }
            depth += 1
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if current != nil { text += string }
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            if current != nil { text += String(decoding: CDATABlock, as: UTF8.self) }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            depth -= 1
            if depth == 1, let name = current {
                let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
                if !value.isEmpty { values[name] = value }
                current = nil
            }
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
            failed = true
        }
    }
}
