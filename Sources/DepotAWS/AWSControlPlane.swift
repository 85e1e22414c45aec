import DepotCore
import DepotHTTP
import Foundation
import Hummingbird

/// The AWS-compatible control plane: CodeArtifact's rest-json API under `/api/aws/codeartifact` (`/api` is a reserved
/// first segment, so no domain can take the path), signed with AWS Signature Version 4 by key pairs of Depot tokens.
/// Point the AWS CLI and SDKs at `<server>/api/aws/codeartifact` (`--endpoint-url`, `AWS_ENDPOINT_URL_CODEARTIFACT`).
public struct AWSControlPlane: Sendable {
    /// The account id in ARNs and `domainOwner` (Depot has no accounts): the configured one.
    public static let defaultAccountID = "000000000000"

    private let codeArtifact: CodeArtifactController
    private let keys: AWSAccessKeys
    private let access: AccessService
    private let now: @Sendable () -> Date

    public init(
        repositories: RepositoryService, packages: PackageService, access: AccessService, policy: AuthorizationPolicy,
        modules: [FormatModule], baseURL: PublicBaseURL, keys: AWSAccessKeys, accountID: String,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        codeArtifact = CodeArtifactController(
            repositories: repositories, packages: packages, access: access, policy: policy, modules: modules, baseURL: baseURL,
            accountID: accountID)
        self.keys = keys
        self.access = access
        self.now = now
    }

    /// What each AWS route needs, for the router check and the README's table.
    public static var permissions: [RoutePermission] { CodeArtifactController.permissions }

    public func addRoutes(to router: Router<DepotRequestContext>) {
        let group = router.group(RouterPath(stringLiteral: String(CodeArtifactController.prefix.dropFirst())))
        group.add(middleware: AWSSignatureMiddleware(
            verifier: SigV4Verifier(service: "codeartifact"), keys: keys, access: access, contentType: "application/json", now: now))
        codeArtifact.addRoutes(to: group)
    }
}
