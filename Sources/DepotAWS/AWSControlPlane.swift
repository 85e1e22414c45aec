import DepotBuild
import DepotCore
import DepotHTTP
import Foundation
import Hummingbird

/// The AWS-compatible control plane: CodeArtifact's rest-json API under `/api/aws/codeartifact` (`/api` is a reserved
/// first segment, so no domain can take the path), signed with AWS Signature Version 4 by key pairs of Depot tokens.
/// Point the AWS CLI and SDKs at `<server>/api/aws/codeartifact` (`--endpoint-url`, `AWS_ENDPOINT_URL_CODEARTIFACT`).
/// CodeBuild's and CloudWatch Logs' JSON 1.1 APIs answer under `/api/aws/codebuild` and `/api/aws/logs` on Depot's
/// build projects and builds.
public struct AWSControlPlane: Sendable {
    /// The account id in ARNs and `domainOwner` (Depot has no accounts): the configured one.
    public static let defaultAccountID = "000000000000"

    private let codeArtifact: CodeArtifactController
    private let codeBuild: CodeBuildController
    private let logs: CloudWatchLogsController
    private let keys: AWSAccessKeys
    private let access: AccessService
    private let now: @Sendable () -> Date

    public init(
        repositories: RepositoryService, packages: PackageService, access: AccessService, policy: AuthorizationPolicy,
        modules: [FormatModule], baseURL: PublicBaseURL, keys: AWSAccessKeys, accountID: String, buildStore: any BuildStore,
        builds: any BuildQueue, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        codeBuild = CodeBuildController(
            store: buildStore, builds: builds, repositories: repositories, policy: policy, baseURL: baseURL, accountID: accountID)
        logs = CloudWatchLogsController(store: buildStore, builds: builds, policy: policy, accountID: accountID)
        codeArtifact = CodeArtifactController(
            repositories: repositories, packages: packages, access: access, policy: policy, modules: modules, baseURL: baseURL,
            accountID: accountID)
        self.keys = keys
        self.access = access
        self.now = now
    }

    /// What each AWS route needs, for the router check and the README's table.
    public static var permissions: [RoutePermission] {
        CodeArtifactController.permissions + CodeBuildController.permissions + CloudWatchLogsController.permissions
    }

    public func addRoutes(to router: Router<DepotRequestContext>) {
        let group = router.group(RouterPath(stringLiteral: String(CodeArtifactController.prefix.dropFirst())))
        group.add(middleware: AWSSignatureMiddleware(
            verifier: SigV4Verifier(service: "codeartifact"), keys: keys, access: access, contentType: "application/json", now: now))
        codeArtifact.addRoutes(to: group)
        let codeBuildGroup = router.group(RouterPath(stringLiteral: String(CodeBuildController.prefix.dropFirst())))
        codeBuildGroup.add(middleware: AWSSignatureMiddleware(
            verifier: SigV4Verifier(service: "codebuild"), keys: keys, access: access, contentType: AWSJSON11Service.contentType, now: now))
        codeBuild.addRoutes(to: codeBuildGroup)
        let logsGroup = router.group(RouterPath(stringLiteral: String(CloudWatchLogsController.prefix.dropFirst())))
        logsGroup.add(middleware: AWSSignatureMiddleware(
            verifier: SigV4Verifier(service: "logs"), keys: keys, access: access, contentType: AWSJSON11Service.contentType, now: now))
        logs.addRoutes(to: logsGroup)
    }
}
