import DepotCore
import DepotHTTP
import Foundation
import Hummingbird

/// CodeArtifact's resource tags on domains and repositories, named by ARN: ListTagsForResource, TagResource,
/// UntagResource. Reading tags needs `read` on the resource; changing them needs the admin a change of the resource
/// needs (the domain's admin for a domain, the repository's for a repository, as UpdateRepository).
extension CodeArtifactController {
    static let tagPermissions: [RoutePermission] = {
        let v1 = prefix + "/v1"
        return [
            RoutePermission(.post, "\(v1)/tags", .read, .repository, note: "ListTagsForResource: `read` on the domain for a domain's ARN"),
            RoutePermission(
                .post, "\(v1)/tag", .admin, .repository, note: "TagResource: `admin` on the whole domain for a domain's ARN"),
            RoutePermission(
                .post, "\(v1)/untag", .admin, .repository, note: "UntagResource: `admin` on the whole domain for a domain's ARN"),
        ]
    }()

    func addTagRoutes(to group: RouterGroup<DepotRequestContext>) {
        group.post("v1/tags", use: listTags)
        group.post("v1/tag", use: tagResource)
        group.post("v1/untag", use: untagResource)
    }

    @Sendable func listTags(_ request: Request, context: DepotRequestContext) async throws -> Response {
        struct Body: Encodable {
            var tags: [ResourceTag]
        }
        let (arn, _) = try openTagged(request, context: context, permission: .read)
        return try AWSJSON.response(Body(tags: try await repositories.tags(domain: arn.domain, repository: arn.repository)))
    }

    @Sendable func tagResource(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let (arn, input) = try openTagged(request, context: context, permission: .admin)
        guard input.body["tags"] != nil else { throw AWSError.validation("'tags' is required") }
        try await repositories.tag(domain: arn.domain, repository: arn.repository, with: try input.tags())
        return try AWSJSON.response([String: String]())
    }

    @Sendable func untagResource(_ request: Request, context: DepotRequestContext) async throws -> Response {
        let (arn, input) = try openTagged(request, context: context, permission: .admin)
        guard let keys = try input.strings("tagKeys") else { throw AWSError.validation("'tagKeys' is required") }
        guard keys.count <= AWSInput.maximumTagItems else {
            throw AWSError.validation("tagKeys holds more than \(AWSInput.maximumTagItems) keys")
        }
        try await repositories.untag(domain: arn.domain, repository: arn.repository, keys: keys)
        return try AWSJSON.response([String: String]())
    }

    /// The resource of `resourceArn`, after the policy allowed `permission` on it (before any lookup, so a resource
    /// the caller may not see and one that does not exist look the same).
    private func openTagged(
        _ request: Request, context: DepotRequestContext, permission: Permission
    ) throws -> (CodeArtifactARN, AWSInput) {
        let input = try AWSInput.read(request, context: context)
        let arn = try CodeArtifactARN(parsing: try input.required("resourceArn"), accountID: accountID)
        if let repository = arn.repository {
            try policy.authorize(context.identity, permission, on: .repository(domain: arn.domain, name: repository))
        } else {
            try policy.authorize(context.identity, permission, on: .domain(arn.domain))
        }
        return (arn, input)
    }
}
