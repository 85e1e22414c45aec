import DepotCore
import Foundation

/// What every build project must be, however it is created or changed (Depot's API, CodeBuild's): its name, a source
/// (a server directory, a git URL, or none with an inline buildspec), a buildspec path inside the source, its
/// environment within the allow-list. Where the source directory may be is the server's to check.
public enum BuildProjectRules {
    public static func validate(_ project: BuildProject) throws {
        guard project.name.range(of: "^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$", options: .regularExpression) != nil else {
            throw DepotError.badRequest("project name must be 1-100 letters, digits, '.', '_' or '-'", code: "InvalidName")
        }
        guard project.sourceDirectory == nil || project.gitURL == nil else {
            throw DepotError.badRequest("give either sourceDirectory or gitURL", code: "InvalidSource")
        }
        guard project.sourceDirectory != nil || project.gitURL != nil || project.inlineBuildspec != nil else {
            throw DepotError.badRequest("a project without a source needs an inline buildspec", code: "InvalidSource")
        }
        if let url = project.gitURL {
            guard !url.hasPrefix("-"), url.utf8.count <= 2048, !url.contains(where: \.isWhitespace) else {
                throw DepotError.badRequest("the git URL is not one git can clone", code: "InvalidSource")
            }
        }
        if let ref = project.gitRef { try BuildOverrides.validate(sourceVersion: ref) }
        try BuildEnvironment.validateOverrides(project.environment)
        guard !project.buildspecPath.isEmpty, !project.buildspecPath.hasPrefix("/"), !project.buildspecPath.split(separator: "/").contains("..") else {
            throw DepotError.badRequest("buildspec must be a path inside the source", code: "InvalidBuildspec")
        }
        if let inline = project.inlineBuildspec { try BuildOverrides.validate(buildspec: inline, field: "project's buildspec") }
    }
}
