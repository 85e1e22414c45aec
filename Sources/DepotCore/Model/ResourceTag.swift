import Foundation

/// A key-value label on a domain or a repository (CodeArtifact's resource tags), for the owner's bookkeeping:
/// nothing in Depot acts on them.
public struct ResourceTag: Sendable, Equatable, Codable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    /// CodeArtifact's limits: at most 50 tags a resource, keys of 1-128 characters, values of 0-256, no control
    /// (or other unprintable) characters, and the `aws:` prefix reserved.
    public static let maximumPerResource = 50
    public static let keyLengths = 1...128
    public static let maximumValueLength = 256
    public static let reservedPrefix = "aws:"

    /// Throws a 400 `InvalidTag` when the key breaks the rules.
    public static func validate(key: String) throws {
        guard keyLengths.contains(key.unicodeScalars.count) else {
            throw DepotError.badRequest("tag key '\(key.prefix(140))' must be 1-128 characters", code: "InvalidTag")
        }
        guard !key.lowercased().hasPrefix(reservedPrefix) else {
            throw DepotError.badRequest("tag keys starting with '\(reservedPrefix)' are reserved", code: "InvalidTag")
        }
        try refuseControlCharacters(key, what: "tag key")
    }

    /// Throws a 400 `InvalidTag` when the key or the value breaks the rules.
    public func validate() throws {
        try Self.validate(key: key)
        guard value.unicodeScalars.count <= Self.maximumValueLength else {
            throw DepotError.badRequest("the value of tag '\(key)' is longer than 256 characters", code: "InvalidTag")
        }
        try Self.refuseControlCharacters(value, what: "the value of tag '\(key)'")
    }

    /// Unicode's "other" categories, which CodeArtifact's patterns (`\P{C}`) exclude.
    private static let otherCategories: Set<Unicode.GeneralCategory> = [.control, .format, .surrogate, .privateUse, .unassigned]

    private static func refuseControlCharacters(_ text: String, what: String) throws {
        guard !text.unicodeScalars.contains(where: { otherCategories.contains($0.properties.generalCategory) }) else {
            throw DepotError.badRequest("\(what) holds a control character", code: "InvalidTag")
        }
    }

    /// The error for a resource that would carry more than `maximumPerResource` tags.
    public static func tooMany(_ count: Int) -> DepotError {
        DepotError.badRequest(
            "the resource would carry \(count) tags; at most \(maximumPerResource) are allowed", code: "TooManyTags")
    }
}

/// What carries resource tags: a domain or a repository, by id.
public enum TaggedResource: Sendable, Hashable {
    case domain(id: Int64)
    case repository(id: Int64)
}
