import Foundation

/// The Simple API page of one project (`/simple/<name>/`), as PEP 503 HTML or PEP 691 JSON.
public struct SimpleProjectPage: Sendable, Hashable {
    /// The PEP 503 normalized project name.
    public let name: String
    /// Files in the order they are listed.
    public let files: [SimpleIndexFile]
    /// Every version of the project, PEP 440 ordered (PEP 700), including any without files.
    public let versions: [String]

    public init(name: String, files: [SimpleIndexFile], versions: [String] = []) {
        self.name = PyPIProjectName.normalize(name)
        self.files = files
        self.versions = SimpleIndex.sortedVersions(versions + files.map(\.version))
    }

    public func html() -> String {
        let title = SimpleIndex.escapeHTML(name)
        var out = """
            <!DOCTYPE html>
            <html>
              <head>
                <meta name="pypi:repository-version" content="\(SimpleIndex.apiVersion)">
                <title>Links for \(title)</title>
              </head>
              <body>
                <h1>Links for \(title)</h1>

            """
        for file in files {
            out += "    <a href=\"\(SimpleIndex.escapeHTML(file.url + "#sha256=" + file.sha256))\""
            if let requiresPython = file.requiresPython {
                out += " data-requires-python=\"\(SimpleIndex.escapeHTML(requiresPython))\""
            }
            if let metadata = file.metadataSHA256 {
                // PEP 714 renamed the attribute; older pip only knows the PEP 658 name, so emit both.
                out += " data-dist-info-metadata=\"sha256=\(SimpleIndex.escapeHTML(metadata))\""
                out += " data-core-metadata=\"sha256=\(SimpleIndex.escapeHTML(metadata))\""
            }
            if let reason = file.yankedReason {
                out += " data-yanked=\"\(SimpleIndex.escapeHTML(reason ?? ""))\""
            }
            out += ">\(SimpleIndex.escapeHTML(file.filename))</a><br />\n"
        }
        out += "  </body>\n</html>\n"
        return out
    }

    /// PEP 691 JSON (`application/vnd.pypi.simple.v1+json`) with the PEP 700 fields.
    public func json() -> String {
        let document = Document(
            meta: .init(apiVersion: SimpleIndex.apiVersion), name: name, files: files.map(JSONFile.init), versions: versions)
        return SimpleIndex.encodeJSON(document)
    }

    private struct Document: Encodable {
        var meta: Meta
        var name: String
        var files: [JSONFile]
        var versions: [String]
    }

    struct Meta: Encodable {
        var apiVersion: String
        enum CodingKeys: String, CodingKey { case apiVersion = "api-version" }
    }

    private struct JSONFile: Encodable {
        let file: SimpleIndexFile

        enum CodingKeys: String, CodingKey {
            case filename, url, hashes, size, yanked
            case requiresPython = "requires-python"
            case coreMetadata = "core-metadata"
            case distInfoMetadata = "dist-info-metadata"
            case uploadTime = "upload-time"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(file.filename, forKey: .filename)
            try c.encode(file.url, forKey: .url)
            try c.encode(["sha256": file.sha256], forKey: .hashes)
            try c.encodeIfPresent(file.requiresPython, forKey: .requiresPython)
            // `false` when there is no metadata file, else its hashes (PEP 691/714: both key names).
            for key in [CodingKeys.coreMetadata, .distInfoMetadata] {
                if let metadata = file.metadataSHA256 {
                    try c.encode(["sha256": metadata], forKey: key)
                } else {
                    try c.encode(false, forKey: key)
                }
            }
            // `false`, the reason, or `true` when yanked without one (PEP 691 wants a non-empty string).
            switch file.yankedReason {
            case nil: try c.encode(false, forKey: .yanked)
            case .some(let reason?) where !reason.isEmpty: try c.encode(reason, forKey: .yanked)
            case .some: try c.encode(true, forKey: .yanked)
            }
            try c.encode(file.size, forKey: .size)
            try c.encode(SimpleIndex.uploadTimeString(file.uploadTime), forKey: .uploadTime)
        }
    }
}

extension SimpleIndex {
    /// Sorted keys so the bytes are stable (ETags, caches, tests); slashes left unescaped in URLs.
    static func encodeJSON(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding strings, numbers and booleans cannot fail.
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
