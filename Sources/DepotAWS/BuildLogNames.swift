import Foundation

/// Where CloudWatch Logs finds a build's log, named as CodeBuild names it: the group `/aws/codebuild/<project>`, the
/// stream the build id's part after `<project>:`.
enum BuildLogNames {
    static let groupPrefix = "/aws/codebuild/"

    static func group(project: String) -> String { groupPrefix + project }

    static func stream(buildID: String) -> String {
        guard let colon = buildID.firstIndex(of: ":") else { return buildID }
        return String(buildID[buildID.index(after: colon)...])
    }

    /// The project a group names; nil when it is not a build project's group.
    static func project(group: String) -> String? {
        guard group.hasPrefix(groupPrefix) else { return nil }
        let name = String(group.dropFirst(groupPrefix.count))
        guard name.range(of: "^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$", options: .regularExpression) != nil else { return nil }
        return name
    }

    /// The group name in `logGroupName` or `logGroupIdentifier` (a name, or an ARN `arn:aws:logs:r:a:log-group:NAME[:*]`).
    static func groupName(name: String?, identifier: String?) -> String? {
        if let name { return name }
        guard var identifier else { return nil }
        if identifier.hasPrefix("arn:"), let range = identifier.range(of: ":log-group:") {
            identifier = String(identifier[range.upperBound...])
            if identifier.hasSuffix(":*") { identifier.removeLast(2) }
        }
        return identifier
    }

    /// The build a stream of a project's group is: `<project>:<stream>`; nil when the stream cannot be one.
    static func buildID(project: String, stream: String) -> String? {
        guard (1...100).contains(stream.utf8.count), !stream.contains(":"), !stream.contains("/") else { return nil }
        return "\(project):\(stream)"
    }

    static func groupARN(project: String, region: String, accountID: String) -> String {
        "arn:aws:logs:\(region):\(accountID):log-group:\(group(project: project))"
    }

    static func streamARN(buildID: String, project: String, region: String, accountID: String) -> String {
        "\(groupARN(project: project, region: region, accountID: accountID)):log-stream:\(stream(buildID: buildID))"
    }
}
