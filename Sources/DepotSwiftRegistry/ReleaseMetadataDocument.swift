import DepotCore
import Foundation

/// The `metadata` part of a publish (the spec's Appendix B, `PackageRelease`): a JSON object whose known members
/// must have the schema's types. Other members are kept (a registry may allow more). `originalPublicationTime` is
/// rewritten in whole seconds, the ISO 8601 form SwiftPM's decoder reads.
struct ReleaseMetadataDocument: Sendable, Equatable {
    /// The object as it will be served, re-serialized with sorted keys.
    let json: Data
    let description: String?
    let repositoryURLs: [String]
    let originalPublicationTime: Date?

    static let maxRepositoryURLs = 64

    init(data: Data, limits: InputLimits) throws {
        try data.withUnsafeBytes { try JSONNesting.check($0, limits: limits) }
        guard var object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw Self.invalid("it is not a JSON object")
        }
        for key in ["description", "licenseURL", "readmeURL"] where object[key] != nil {
            guard object[key] is String else { throw Self.invalid("\(key) must be a string") }
        }
        if let author = object["author"] {
            try Self.checkPerson(author, field: "author", nested: true)
        }
        var urls: [String] = []
        if let list = object["repositoryURLs"] {
            guard let strings = list as? [String], strings.count <= Self.maxRepositoryURLs,
                strings.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 2048 })
            else {
                throw Self.invalid("repositoryURLs must be an array of at most \(Self.maxRepositoryURLs) URL strings")
            }
            urls = strings
        }
        var published: Date?
        if let time = object["originalPublicationTime"] {
            guard let text = time as? String, let date = Self.parseDate(text) else {
                throw Self.invalid("originalPublicationTime must be an ISO 8601 date-time")
            }
            published = date
            object["originalPublicationTime"] = Self.formatDate(date)
        }
        json = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        description = object["description"] as? String
        repositoryURLs = urls
        originalPublicationTime = published
    }

    /// No metadata part: an empty object.
    static let empty = (try? ReleaseMetadataDocument(data: Data("{}".utf8), limits: InputLimits()))!

    /// An author, or (without `nested`) an organization: `name` required, the other members strings.
    private static func checkPerson(_ value: Any, field: String, nested: Bool) throws {
        guard let object = value as? [String: Any], object["name"] is String else {
            throw invalid("\(field) must be an object with a name")
        }
        for key in ["email", "description", "url"] where object[key] != nil {
            guard object[key] is String else { throw invalid("\(field).\(key) must be a string") }
        }
        if nested, let organization = object["organization"] {
            try checkPerson(organization, field: "\(field).organization", nested: false)
        }
    }

    private static func invalid(_ reason: String) -> Error {
        ProblemDetails.unprocessable("invalid JSON provided for release metadata: \(reason)")
    }

    /// ISO 8601 with or without fractional seconds.
    static func parseDate(_ text: String) -> Date? {
        guard text.utf8.count <= 64 else { return nil }
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }

    /// Whole seconds, UTC (`2023-02-16T04:00:00Z`).
    static func formatDate(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}

/// A source-control URL in the one spelling the `identifiers` lookup compares: lowercased, without scheme, user,
/// `.git` suffix or trailing slash, and with scp-style `host:path` read as `host/path` (so the https and ssh forms of
/// one repository match).
enum RepositoryURL {
    static func canonical(_ url: String) -> String {
        var text = Substring(url.trimmingCharacters(in: .whitespaces).lowercased())
        var hadScheme = false
        if let scheme = text.range(of: "://") {
            text = text[scheme.upperBound...]
            hadScheme = true
        }
        let hostEnd = text.firstIndex(of: "/") ?? text.endIndex
        if let at = text[..<hostEnd].lastIndex(of: "@") { text = text[text.index(after: at)...] }
        if !hadScheme, let colon = text.firstIndex(of: ":"), colon < (text.firstIndex(of: "/") ?? text.endIndex) {
            text = text[..<colon] + "/" + text[text.index(after: colon)...]
        }
        while text.hasSuffix("/") { text = text.dropLast() }
        if text.hasSuffix(".git") { text = text.dropLast(4) }
        while text.hasSuffix("/") { text = text.dropLast() }
        return String(text)
    }
}
