import DepotCore
import Foundation

extension BuildOverrides {
    /// The largest inline buildspec (CodeBuild's override is a string field; Depot keeps it with the build's record).
    public static let maximumBuildspecSize = 256 * 1024
    /// The most environment variables one build may set.
    public static let maximumVariables = 200

    /// Refuses (400) what a build may not change: a variable outside the allow-list, a buildspec that is too large or
    /// does not parse, a source version that is not a plain git ref.
    public func validate() throws {
        guard environment.count <= Self.maximumVariables else {
            throw DepotError.badRequest("at most \(Self.maximumVariables) environment variables may be set", code: "InvalidEnvironment")
        }
        try BuildEnvironment.validateOverrides(environment)
        if let buildspec { try Self.validate(buildspec: buildspec, field: "buildspec override") }
        if let sourceVersion { try Self.validate(sourceVersion: sourceVersion) }
    }

    /// An inline buildspec: bounded, and it must parse (so a mistake is refused now, not when the build runs).
    public static func validate(buildspec text: String, field: String) throws {
        guard text.utf8.count <= maximumBuildspecSize else {
            throw DepotError.badRequest("the \(field) is larger than \(maximumBuildspecSize / 1024) KiB", code: "InvalidBuildspec")
        }
        do {
            _ = try BuildspecParser.parse(text, file: field)
        } catch {
            throw DepotError.badRequest("the \(field) is not a valid buildspec: \(error)", code: "InvalidBuildspec")
        }
    }

    /// A branch, tag or commit as `git checkout` takes it, and nothing it could read as an option or a range.
    public static func validate(sourceVersion: String) throws {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/@+-")
        guard (1...255).contains(sourceVersion.utf8.count), sourceVersion.unicodeScalars.allSatisfy(allowed.contains),
            !sourceVersion.hasPrefix("-"), !sourceVersion.hasPrefix("/"), !sourceVersion.contains("..")
        else {
            throw DepotError.badRequest(
                "sourceVersion must be a git branch, tag or commit (letters, digits and ._/@+-, not starting with - or /)",
                code: "InvalidSourceVersion")
        }
    }
}
