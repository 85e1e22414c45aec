import DepotCore
import Foundation

/// How Depot proxies PyPI: the project's Simple API page as JSON (PEP 691/700), files grouped into
/// versions by their filenames, each verified against the page's `sha256`.
public struct PyPIUpstreamFormat: UpstreamFormat {
    public var formatID: String { PyPIFormat.id }
    public var connectionName: String { "public:pypi" }
    /// The format's version policy, as the upstream sees it.
    public var mergeMetadata: (@Sendable (Data, Data) throws -> Data)? { PyPIFormat().versionPolicy.mergeMetadata }
    public var versionsHaveManyAssets: Bool { PyPIFormat().versionPolicy.severalAssets }

    public init() {}

    public func metadataRequest(for key: PackageKey, base: URL) -> (url: URL, accept: String) {
        let directory = base.absoluteString.hasSuffix("/") ? base : URL(string: base.absoluteString + "/")!
        return (URL(string: "\(key.name)/", relativeTo: directory)!.absoluteURL, "application/vnd.pypi.simple.v1+json")
    }

    public func parseMetadata(_ body: Data, key: PackageKey, documentURL: URL) throws -> UpstreamPackage {
        let page: SimpleJSONPage
        do {
            page = try JSONDecoder().decode(SimpleJSONPage.self, from: body)
        } catch {
            throw PyPIUpstreamError("the project page is not PEP 691 JSON: \(error)")
        }
        guard (try? PyPIProjectName(page.name))?.normalized == key.name else {
            throw PyPIUpstreamError("the project page is for '\(page.name)', not '\(key.name)'")
        }
        var byVersion: [String: (files: [String: PyPIVersionMetadata.File], assets: [UpstreamAsset], firstUpload: Date?)] = [:]
        for file in page.files {
            // Files whose names do not parse (eggs, exe installers) are not installable by pip anyway.
            guard let filename = try? DistributionFilename(file.filename), let sha256 = file.hashes["sha256"]?.lowercased(),
                Hex.isDigest(sha256, length: 64),
                let url = URL(string: file.url, relativeTo: documentURL)?.absoluteURL,
                let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https"
            else { continue }
            let version = filename.parsedVersion.normalized
            let uploaded = file.uploadTime.flatMap(Self.date)
            var entry = byVersion[version] ?? ([:], [], nil)
            entry.files[file.filename] = PyPIVersionMetadata.File(
                requiresPython: file.requiresPython, uploadTime: uploaded ?? Date(timeIntervalSince1970: 0),
                yanked: file.yanked.isYanked, yankedReason: file.yanked.reason, hasMetadata: false)
            entry.assets.append(UpstreamAsset(name: file.filename, url: url, expected: [.sha256: sha256], size: file.size))
            // PyPI dates a release by its first upload.
            if let uploaded, entry.firstUpload.map({ uploaded < $0 }) ?? true { entry.firstUpload = uploaded }
            byVersion[version] = entry
        }
        let versions = try byVersion.map { version, entry in
            UpstreamVersion(
                version: version, publishedAt: entry.firstUpload, summary: nil,
                metadata: try PyPIVersionMetadata(files: entry.files, summary: nil, requiresDist: []).encoded(),
                assets: entry.assets.sorted { $0.name < $1.name })
        }
        return UpstreamPackage(versions: versions.sorted { $0.version < $1.version })
    }

    public func unlistedAsset(key: PackageKey, version: String, name: String, base: URL) -> UpstreamAsset? { nil }

    /// The fetched file's entry alone; further files of the version are merged in as they are fetched.
    public func recordedMetadata(for version: UpstreamVersion, asset: UpstreamAsset, file: URL?) throws -> Data {
        var metadata = try PyPIVersionMetadata(data: version.metadata)
        metadata.files = metadata.files.filter { $0.key == asset.name }
        return try metadata.encoded()
    }

    static func date(_ text: String) -> Date? {
        (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text))
    }
}

/// The parts of a PEP 691 project page Depot reads.
struct SimpleJSONPage: Decodable {
    struct File: Decodable {
        var filename: String
        var url: String
        var hashes: [String: String]
        var requiresPython: String?
        var yanked: Yanked
        var size: Int64?
        var uploadTime: String?

        enum CodingKeys: String, CodingKey {
            case filename, url, hashes, yanked, size
            case requiresPython = "requires-python"
            case uploadTime = "upload-time"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            filename = try container.decode(String.self, forKey: .filename)
            url = try container.decode(String.self, forKey: .url)
            hashes = try container.decode([String: String].self, forKey: .hashes)
            requiresPython = try container.decodeIfPresent(String.self, forKey: .requiresPython)
            yanked = try container.decodeIfPresent(Yanked.self, forKey: .yanked) ?? .no
            size = try container.decodeIfPresent(Int64.self, forKey: .size)
            uploadTime = try container.decodeIfPresent(String.self, forKey: .uploadTime)
        }
    }

    /// PEP 691: `false`, `true`, or a reason string.
    enum Yanked: Decodable {
        case no
        case yes(String?)

        var isYanked: Bool { if case .yes = self { true } else { false } }
        var reason: String? { if case .yes(let reason) = self { reason } else { nil } }

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let flag = try? container.decode(Bool.self) {
                self = flag ? .yes(nil) : .no
            } else {
                self = .yes(try container.decode(String.self))
            }
        }
    }

    var name: String
    var files: [File]
}

struct PyPIUpstreamError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
