import Foundation
import Testing

/// The real AWS CLI (awscli 1.x) and boto3 against `depot serve`'s CodeArtifact API: domains and repositories with an
/// upstream and an external connection, `aws codeartifact login` for npm, pip and twine followed by the real clients
/// using only what login wrote, package listings, copy, statuses, origin controls, and refused signatures.
@Suite("AWS CodeArtifact API")
struct AWSCodeArtifactTests {
    static let libSource = "module.exports = 'aws-lib-1.0.0';\n"

    @Test("aws codeartifact: create, login for npm/pip/twine, publish and install, list, copy, statuses, refusals")
    func awsCLIWorkflow() async throws {
        let tools = PythonTools.shared
        try #require(tools.available && tools.awsAvailable, tools.awsMissingMessage)
        let ws = try Workspace()
        let standIn = try StandInRegistry(root: ws.root.appendingPathComponent("stand-in"))
        let tree = try NpmStandInTree(root: standIn.root, workspace: ws)
        try tree.addFromNpmModules(["ms"])
        try standIn.start()
        defer { standIn.stop() }
        try ws.server.start(environment: StandInRegistry.depotEnvironment.merging(["DEPOT_NPMJS_URL": standIn.url + "/"]) { $1 })
        let admin = try ws.awsKeys(["token", "aws-keys"])

        // Domain, a store with the external connection, an app repository reading through it, a release repository.
        let domain = try ws.aws(admin, ["create-domain", "--domain", "acme"])
        #expect((domain["domain"] as? [String: Any])?["arn"] as? String == "arn:aws:codeartifact:us-east-1:000000000000:domain/acme", "\(domain)")
        _ = try ws.aws(admin, ["create-repository", "--domain", "acme", "--repository", "npm-store"])
        let associated = try ws.aws(
            admin, ["associate-external-connection", "--domain", "acme", "--repository", "npm-store", "--external-connection", "public:npmjs"])
        let connections = (associated["repository"] as? [String: Any])?["externalConnections"] as? [[String: Any]]
        #expect(connections?.first?["externalConnectionName"] as? String == "public:npmjs", "\(associated)")
        #expect(connections?.first?["packageFormat"] as? String == "npm", "\(associated)")
        _ = try ws.aws(admin, ["create-repository", "--domain", "acme", "--repository", "app", "--upstreams", "repositoryName=npm-store"])
        _ = try ws.aws(admin, ["create-repository", "--domain", "acme", "--repository", "release", "--description", "promoted"])
        let app = try ws.aws(admin, ["describe-repository", "--domain", "acme", "--repository", "app"])
        #expect(((app["repository"] as? [String: Any])?["upstreams"] as? [[String: Any]])?.first?["repositoryName"] as? String == "npm-store")
        let listed = try ws.aws(admin, ["list-repositories-in-domain", "--domain", "acme"])
        #expect(Set((listed["repositories"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }) == ["npm-store", "app", "release"])
        // CodeArtifact's name rules where they are narrower than Depot's.
        let badName = try ws.awsRun(admin, ["create-domain", "--domain", "Bad_Name"])
        #expect(!badName.succeeded && badName.output.contains("ValidationException"), "\(badName.output)")

        // npm: login, publish, install (with a dependency from the external connection) using only ~/.npmrc.
        let npmLogin = try ws.awsRun(admin, ["login", "--tool", "npm", "--domain", "acme", "--repository", "app"])
        #expect(npmLogin.succeeded, "\(npmLogin.output)")
        let npmrc = try String(contentsOf: ws.home.appendingPathComponent(".npmrc"), encoding: .utf8)
        #expect(npmrc.contains("registry=\(ws.server.url)/acme/app/npm/") && npmrc.contains("_authToken=dpt_"), "\(npmrc)")
        let lib = try ws.makePackage("aws-e2e-lib", version: "1.0.0", dependencies: ["ms": "^2.1.0"], body: Self.libSource)
        let publish = try ws.npm(["publish"], in: lib)
        #expect(publish.succeeded, "\(publish.output)")
        let project = try ws.directory("npm-project")
        try ws.npm(["init", "-y"], in: project)
        let install = try ws.npm(["install", "aws-e2e-lib"], in: project, cache: "npm-cache-install")
        #expect(install.succeeded, "\(install.output)")
        let run = try Command.run("node", ["-e", "console.log(require('aws-e2e-lib'), require('ms')('1m'))"], in: project)
        #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "aws-lib-1.0.0 60000", "\(run.output)")

        // twine and pip: login writes ~/.pypirc and pip's user configuration; upload and install use only those.
        let twineLogin = try ws.awsRun(admin, ["login", "--tool", "twine", "--domain", "acme", "--repository", "app"])
        #expect(twineLogin.succeeded, "\(twineLogin.output)")
        let pyProject = try ws.makePythonProject("aws-e2e-py", version: "1.0.0", source: "def hello():\n    return 'aws-py'\n")
        let distributions = try ws.buildDistributions(pyProject)
        let upload = try ws.twine(["upload", "-r", "codeartifact"] + distributions.map(\.path))
        #expect(upload.succeeded, "\(upload.output)")
        let venv = try ws.makeVenv("venv-aws")
        let pipPath = "\(venv.root.path)/bin:\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")"
        let pipLogin = try ws.awsRun(admin, ["login", "--tool", "pip", "--domain", "acme", "--repository", "app"], path: pipPath)
        #expect(pipLogin.succeeded, "\(pipLogin.output)")
        let pipInstall = try ws.runPython(venv.python, ["-m", "pip", "install", "aws-e2e-py"], unset: ["PIP_CONFIG_FILE"])
        #expect(pipInstall.succeeded && pipInstall.output.contains("/acme/app/pypi/simple/"), "\(pipInstall.output)")
        let imported = try ws.runPython(venv.python, ["-c", "import aws_e2e_py; print(aws_e2e_py.hello())"])
        #expect(imported.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "aws-py", "\(imported.output)")

        try await packagesAndVersions(ws, admin: admin, wheel: distributions[1])
        try refusals(ws, admin: admin)
        #expect(!ws.server.log.contains("dpt_"), "a token reached the log")
    }

    /// Listings, descriptions, an asset download, a copy between repositories, statuses and origin controls.
    func packagesAndVersions(_ ws: Workspace, admin: AWSKeyPair, wheel: URL) async throws {
        let packages = try ws.aws(admin, ["list-packages", "--domain", "acme", "--repository", "app"])
        let names = Set((packages["packages"] as? [[String: Any]] ?? []).map { "\($0["format"] ?? "")/\($0["package"] ?? "")" })
        #expect(names.isSuperset(of: ["npm/aws-e2e-lib", "pypi/aws-e2e-py", "npm/ms"]), "\(packages)")
        let ms = try ws.aws(admin, ["list-package-versions", "--domain", "acme", "--repository", "app", "--format", "npm", "--package", "ms"])
        let origin = ((ms["versions"] as? [[String: Any]])?.first?["origin"] as? [String: Any])
        #expect(origin?["originType"] as? String == "EXTERNAL", "\(ms)")
        let described = try ws.aws(admin, [
            "describe-package-version", "--domain", "acme", "--repository", "app", "--format", "pypi", "--package", "aws-e2e-py",
            "--package-version", "1.0.0",
        ])
        #expect((described["packageVersion"] as? [String: Any])?["status"] as? String == "Published", "\(described)")
        let assets = try ws.aws(admin, [
            "list-package-version-assets", "--domain", "acme", "--repository", "app", "--format", "pypi", "--package", "aws-e2e-py",
            "--package-version", "1.0.0",
        ])
        let assetNames = (assets["assets"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(assetNames.contains(wheel.lastPathComponent), "\(assets)")
        let downloaded = ws.root.appendingPathComponent("downloaded.whl")
        _ = try ws.aws(admin, [
            "get-package-version-asset", "--domain", "acme", "--repository", "app", "--format", "pypi", "--package", "aws-e2e-py",
            "--package-version", "1.0.0", "--asset", wheel.lastPathComponent, downloaded.path,
        ])
        #expect(try ws.sha256(downloaded) == (try ws.sha256(wheel)))

        let copy = try ws.aws(admin, [
            "copy-package-versions", "--domain", "acme", "--source-repository", "app", "--destination-repository", "release",
            "--format", "npm", "--package", "aws-e2e-lib", "--versions", "1.0.0",
        ])
        #expect((copy["successfulVersions"] as? [String: Any])?["1.0.0"] != nil, "\(copy)")
        let status = try ws.aws(admin, [
            "update-package-versions-status", "--domain", "acme", "--repository", "release", "--format", "npm", "--package", "aws-e2e-lib",
            "--versions", "1.0.0", "--target-status", "Archived",
        ])
        #expect(((status["successfulVersions"] as? [String: Any])?["1.0.0"] as? [String: Any])?["status"] as? String == "Archived", "\(status)")
        let mismatch = try ws.aws(admin, [
            "update-package-versions-status", "--domain", "acme", "--repository", "release", "--format", "npm", "--package", "aws-e2e-lib",
            "--versions", "1.0.0", "--expected-status", "Published", "--target-status", "Unlisted",
        ])
        #expect(((mismatch["failedVersions"] as? [String: Any])?["1.0.0"] as? [String: Any])?["errorCode"] as? String == "MISMATCHED_STATUS")
        let archived = try ws.aws(admin, [
            "list-package-versions", "--domain", "acme", "--repository", "release", "--format", "npm", "--package", "aws-e2e-lib",
            "--status", "Archived",
        ])
        #expect((archived["versions"] as? [[String: Any]])?.map { $0["version"] as? String } == ["1.0.0"], "\(archived)")
        let origin2 = try ws.aws(admin, [
            "put-package-origin-configuration", "--domain", "acme", "--repository", "app", "--format", "npm", "--package", "aws-e2e-lib",
            "--restrictions", "publish=BLOCK,upstream=BLOCK",
        ])
        #expect(((origin2["originConfiguration"] as? [String: Any])?["restrictions"] as? [String: Any])?["publish"] as? String == "BLOCK")
        let package = try ws.aws(admin, ["describe-package", "--domain", "acme", "--repository", "app", "--format", "npm", "--package", "aws-e2e-lib"])
        #expect((((package["package"] as? [String: Any])?["originConfiguration"] as? [String: Any])?["restrictions"] as? [String: Any])?["upstream"] as? String == "BLOCK")
        let disposed = try ws.aws(admin, [
            "dispose-package-versions", "--domain", "acme", "--repository", "release", "--format", "npm", "--package", "aws-e2e-lib",
            "--versions", "1.0.0",
        ])
        #expect(((disposed["successfulVersions"] as? [String: Any])?["1.0.0"] as? [String: Any])?["status"] as? String == "Disposed")
        let deleted = try ws.aws(admin, [
            "delete-package-versions", "--domain", "acme", "--repository", "app", "--format", "pypi", "--package", "aws-e2e-py",
            "--versions", "1.0.0", "2.0.0",
        ])
        #expect(((deleted["successfulVersions"] as? [String: Any])?["1.0.0"] as? [String: Any])?["status"] as? String == "Deleted", "\(deleted)")
        #expect(((deleted["failedVersions"] as? [String: Any])?["2.0.0"] as? [String: Any])?["errorCode"] as? String == "NOT_FOUND", "\(deleted)")
        let gone = try ws.awsRun(admin, [
            "describe-package-version", "--domain", "acme", "--repository", "app", "--format", "pypi", "--package", "aws-e2e-py",
            "--package-version", "1.0.0",
        ])
        #expect(!gone.succeeded && gone.output.contains("ResourceNotFoundException"), "\(gone.output)")
        let disassociated = try ws.aws(
            admin, ["disassociate-external-connection", "--domain", "acme", "--repository", "npm-store", "--external-connection", "public:npmjs"])
        #expect(((disassociated["repository"] as? [String: Any])?["externalConnections"] as? [Any])?.isEmpty == true, "\(disassociated)")
    }

    /// A wrong secret, an unknown key, a read-only token's key doing an admin's work, a revoked token's key.
    func refusals(_ ws: Workspace, admin: AWSKeyPair) throws {
        let wrong = AWSKeyPair(accessKeyID: admin.accessKeyID, secretAccessKey: String(admin.secretAccessKey.reversed()))
        let badSecret = try ws.awsRun(wrong, ["list-domains"])
        #expect(!badSecret.succeeded && badSecret.output.contains("InvalidSignatureException"), "\(badSecret.output)")
        let unknown = try ws.awsRun(AWSKeyPair(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "x"), ["list-domains"])
        #expect(!unknown.succeeded && unknown.output.contains("UnrecognizedClientException"), "\(unknown.output)")

        let reader = try ws.awsKeys(["token", "create", "--domain", "acme", "--permission", "read", "--repo", "app", "--aws", "--name", "reader"])
        let read = try ws.aws(reader, ["describe-repository", "--domain", "acme", "--repository", "app"])
        #expect((read["repository"] as? [String: Any])?["name"] as? String == "app")
        let forbidden = try ws.awsRun(reader, [
            "update-package-versions-status", "--domain", "acme", "--repository", "app", "--format", "npm", "--package", "aws-e2e-lib",
            "--versions", "1.0.0", "--target-status", "Unlisted",
        ])
        #expect(!forbidden.succeeded && forbidden.output.contains("AccessDeniedException"), "\(forbidden.output)")
        let otherRepository = try ws.awsRun(reader, ["describe-repository", "--domain", "acme", "--repository", "release"])
        #expect(!otherRepository.succeeded && otherRepository.output.contains("AccessDeniedException"), "\(otherRepository.output)")
        let createDomain = try ws.awsRun(reader, ["create-domain", "--domain", "other"])
        #expect(!createDomain.succeeded && createDomain.output.contains("AccessDeniedException"), "\(createDomain.output)")

        // The key lives and dies with its token.
        let tokens = try ws.server.cli(["token", "list", "--domain", "acme", "--json"])
        let id = try #require(((try JSONSerialization.jsonObject(with: Data(tokens.stdout.utf8)) as? [String: Any])?["tokens"] as? [[String: Any]])?
            .first { $0["name"] as? String == "reader" }?["id"] as? String, "\(tokens.output)")
        #expect(try ws.server.cli(["token", "revoke", "--domain", "acme", id]).succeeded)
        let revoked = try ws.awsRun(reader, ["describe-repository", "--domain", "acme", "--repository", "app"])
        #expect(!revoked.succeeded && revoked.output.contains("UnrecognizedClientException"), "\(revoked.output)")
    }

    @Test("aws codeartifact: tags on domains and repositories, and listings paged with --max-items and --page-size")
    func awsCLITagsAndPaging() async throws {
        let (ws, admin) = try Self.serverWithAdminKeys()

        // Tags given at creation, then added, listed, replaced and removed by ARN.
        let domain = try ws.aws(admin, ["create-domain", "--domain", "pages", "--tags", "key=team,value=core"])
        let domainARN = try #require((domain["domain"] as? [String: Any])?["arn"] as? String, "\(domain)")
        let repoNames = ["r-a", "r-b", "r-c", "r-d", "r-e"]
        for name in repoNames {
            _ = try ws.aws(admin, ["create-repository", "--domain", "pages", "--repository", name, "--tags", "key=repo,value=\(name)"])
        }
        _ = try ws.aws(admin, ["create-domain", "--domain", "other"])
        _ = try ws.aws(admin, ["create-repository", "--domain", "other", "--repository", "r-z"])
        let repoARN = "arn:aws:codeartifact:us-east-1:000000000000:repository/pages/r-c"
        #expect(Self.tags(try ws.aws(admin, ["list-tags-for-resource", "--resource-arn", domainARN])) == ["team": "core"])
        _ = try ws.aws(admin, ["tag-resource", "--resource-arn", repoARN, "--tags", "key=tier,value=gold", "key=repo,value=renamed"])
        #expect(Self.tags(try ws.aws(admin, ["list-tags-for-resource", "--resource-arn", repoARN])) == ["repo": "renamed", "tier": "gold"])
        _ = try ws.aws(admin, ["untag-resource", "--resource-arn", repoARN, "--tag-keys", "repo", "absent"])
        #expect(Self.tags(try ws.aws(admin, ["list-tags-for-resource", "--resource-arn", repoARN])) == ["tier": "gold"])
        for (arguments, type) in [
            (["tag-resource", "--resource-arn", repoARN, "--tags", "key=aws:owner,value=x"], "ValidationException"),
            (["list-tags-for-resource", "--resource-arn", "arn:aws:codeartifact:us-east-1:111111111111:domain/pages"], "ResourceNotFoundException"),
            (["list-tags-for-resource", "--resource-arn", "arn:aws:codeartifact:us-east-1:000000000000:repository/pages/nope"], "ResourceNotFoundException"),
            (["list-tags-for-resource", "--resource-arn", "arn:aws:s3:::bucket"], "ValidationException"),
        ] {
            let refused = try ws.awsRun(admin, arguments)
            #expect(!refused.succeeded && refused.output.contains(type), "\(arguments): \(refused.output)")
        }
        let tooMany = (0..<50).map { "key=k\($0),value=v" }
        let quota = try ws.awsRun(admin, ["tag-resource", "--resource-arn", repoARN, "--tags"] + tooMany)
        #expect(!quota.succeeded && quota.output.contains("ServiceQuotaExceededException"), "\(quota.output)")
        #expect(Self.tags(try ws.aws(admin, ["list-tags-for-resource", "--resource-arn", repoARN])) == ["tier": "gold"])
        // Changing a repository's tags takes that repository's admin, as UpdateRepository does; reading them, read.
        let reader = try ws.awsKeys(["token", "create", "--domain", "pages", "--permission", "read", "--repo", "r-c", "--aws"])
        #expect(Self.tags(try ws.aws(reader, ["list-tags-for-resource", "--resource-arn", repoARN])) == ["tier": "gold"])
        let denied = try ws.awsRun(reader, ["tag-resource", "--resource-arn", repoARN, "--tags", "key=a,value=b"])
        #expect(!denied.succeeded && denied.output.contains("AccessDeniedException"), "\(denied.output)")

        // Repositories: the CLI follows nextToken page by page (--page-size), stops at --max-items and resumes.
        let inDomain = try ws.aws(admin, ["list-repositories-in-domain", "--domain", "pages", "--page-size", "1"])
        #expect(Self.names(inDomain, "repositories") == repoNames, "\(inDomain)")
        let firstTwo = try ws.aws(admin, ["list-repositories-in-domain", "--domain", "pages", "--page-size", "1", "--max-items", "2"])
        #expect(Self.names(firstTwo, "repositories") == ["r-a", "r-b"], "\(firstTwo)")
        let resume = try #require(firstTwo["NextToken"] as? String, "\(firstTwo)")
        let rest = try ws.aws(admin, ["list-repositories-in-domain", "--domain", "pages", "--page-size", "2", "--starting-token", resume])
        #expect(Self.names(rest, "repositories") == ["r-c", "r-d", "r-e"], "\(rest)")
        let everywhere = try ws.aws(admin, ["list-repositories", "--page-size", "2"])
        #expect(Self.names(everywhere, "repositories") == ["r-z"] + repoNames, "\(everywhere)")
        let prefixed = try ws.aws(admin, ["list-repositories", "--repository-prefix", "r-", "--page-size", "1", "--max-items", "3"])
        #expect(Self.names(prefixed, "repositories") == ["r-z", "r-a", "r-b"], "\(prefixed)")
        let readerView = try ws.aws(reader, ["list-repositories", "--page-size", "1"])
        #expect(Self.names(readerView, "repositories") == ["r-c"], "\(readerView)")

        // Packages (origin controls claim names without versions): pages of the origin-filtered listing are full.
        for index in 0..<7 {
            let restrictions = index % 2 == 0 ? "publish=BLOCK,upstream=ALLOW" : "publish=ALLOW,upstream=BLOCK"
            _ = try ws.aws(admin, [
                "put-package-origin-configuration", "--domain", "pages", "--repository", "r-a", "--format", "npm", "--package", "pkg-\(index)",
                "--restrictions", restrictions,
            ])
        }
        let packages = try ws.aws(admin, ["list-packages", "--domain", "pages", "--repository", "r-a", "--page-size", "1"])
        #expect(Self.names(packages, "packages", key: "package") == (0..<7).map { "pkg-\($0)" }, "\(packages)")
        let blocked = try ws.aws(admin, [
            "list-packages", "--domain", "pages", "--repository", "r-a", "--publish", "BLOCK", "--no-paginate", "--max-results", "3",
        ])
        #expect(Self.names(blocked, "packages", key: "package") == ["pkg-0", "pkg-2", "pkg-4"], "\(blocked)")
        let next = try #require(blocked["nextToken"] as? String, "\(blocked)")
        let lastPage = try ws.aws(admin, [
            "list-packages", "--domain", "pages", "--repository", "r-a", "--publish", "BLOCK", "--no-paginate", "--max-results", "3",
            "--next-token", next,
        ])
        #expect(Self.names(lastPage, "packages", key: "package") == ["pkg-6"] && lastPage["nextToken"] == nil, "\(lastPage)")
        let allowed = try ws.aws(admin, ["list-packages", "--domain", "pages", "--repository", "r-a", "--upstream", "BLOCK", "--page-size", "2"])
        #expect(Self.names(allowed, "packages", key: "package") == ["pkg-1", "pkg-3", "pkg-5"], "\(allowed)")

        // Deleting a repository takes its tags: one of the same name starts without any.
        _ = try ws.aws(admin, ["delete-repository", "--domain", "pages", "--repository", "r-c"])
        _ = try ws.aws(admin, ["create-repository", "--domain", "pages", "--repository", "r-c"])
        #expect(Self.tags(try ws.aws(admin, ["list-tags-for-resource", "--resource-arn", repoARN])).isEmpty)
    }

    /// A workspace with `depot serve` running and the key pair of its bootstrap token (the AWS tools are required).
    static func serverWithAdminKeys() throws -> (Workspace, AWSKeyPair) {
        let tools = PythonTools.shared
        try #require(tools.available && tools.awsAvailable, tools.awsMissingMessage)
        let ws = try Workspace()
        try ws.server.start()
        return (ws, try ws.awsKeys(["token", "aws-keys"]))
    }

    static func tags(_ output: [String: Any]) -> [String: String] {
        var tags: [String: String] = [:]
        for tag in output["tags"] as? [[String: Any]] ?? [] { tags[tag["key"] as? String ?? ""] = tag["value"] as? String }
        return tags
    }

    static func names(_ output: [String: Any], _ list: String, key: String = "name") -> [String] {
        (output[list] as? [[String: Any]] ?? []).compactMap { $0[key] as? String }
    }

    /// The same Terraform that makes CodeArtifact domains and repositories on AWS makes them on Depot.
    @Test("terraform: aws_codeartifact_domain and _repository with upstreams, external connection and tags; no drift; changed; destroyed")
    func terraform() throws {
        let (ws, admin) = try Self.serverWithAdminKeys()
        let terraform = try Terraform(ws, keys: admin)
        func configure(_ description: String) throws {
            try terraform.configure(endpoints: ["codeartifact": "\(ws.server.url)/api/aws/codeartifact"], resources: """
                resource "aws_codeartifact_domain" "acme" {
                  domain = "tfacme"
                  tags   = { team = "platform" }
                }
                resource "aws_codeartifact_repository" "store" {
                  repository  = "store"
                  domain      = aws_codeartifact_domain.acme.domain
                  description = "\(description)"
                }
                resource "aws_codeartifact_repository" "app" {
                  repository = "app"
                  domain     = aws_codeartifact_domain.acme.domain
                  upstream { repository_name = aws_codeartifact_repository.store.repository }
                  external_connections { external_connection_name = "public:npmjs" }
                  tags = { tier = "app" }
                }
                """)
        }
        try configure("internal packages")
        let initialized = try terraform.run(["init"])
        try #require(initialized.succeeded, "\(initialized.output)")
        let applied = try terraform.run(["apply", "-auto-approve"])
        try #require(applied.succeeded, "\(applied.output)\n\(ws.server.log.suffix(2000))")
        // What Terraform set comes back as it set it: a second plan finds nothing to change.
        let plan = try terraform.run(["plan", "-detailed-exitcode"])
        #expect(plan.status == 0, "\(plan.output)")
        let app = try ws.aws(admin, ["describe-repository", "--domain", "tfacme", "--repository", "app"])["repository"] as? [String: Any] ?? [:]
        #expect((app["upstreams"] as? [[String: Any]])?.map { $0["repositoryName"] as? String } == ["store"], "\(app)")
        #expect((app["externalConnections"] as? [[String: Any]])?.first?["externalConnectionName"] as? String == "public:npmjs", "\(app)")
        let domainARN = "arn:aws:codeartifact:us-east-1:000000000000:domain/tfacme"
        #expect(Self.tags(try ws.aws(admin, ["list-tags-for-resource", "--resource-arn", domainARN])) == ["team": "platform"])

        try configure("internal packages, v2")
        let changed = try terraform.run(["apply", "-auto-approve"])
        #expect(changed.succeeded && changed.output.contains("1 changed"), "\(changed.output)")
        let store = try ws.aws(admin, ["describe-repository", "--domain", "tfacme", "--repository", "store"])["repository"] as? [String: Any]
        #expect(store?["description"] as? String == "internal packages, v2", "\(String(describing: store))")
        #expect(try terraform.run(["plan", "-detailed-exitcode"]).status == 0)

        let destroyed = try terraform.run(["destroy", "-auto-approve"])
        #expect(destroyed.succeeded, "\(destroyed.output)")
        let gone = try ws.awsRun(admin, ["describe-domain", "--domain", "tfacme"])
        #expect(!gone.succeeded && gone.output.contains("ResourceNotFoundException"), "\(gone.output)")
    }

    @Test("boto3: every response parsed by botocore, paginators, and refused signatures")
    func boto3() async throws {
        let (ws, admin) = try Self.serverWithAdminKeys()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Support/aws_codeartifact_boto3.py")
        let result = try ws.runPython(PythonTools.shared.python, [script.path, "\(ws.server.url)/api/aws/codeartifact"], environment: admin.environment)
        #expect(result.succeeded, "\(result.output)\n\(ws.server.log.suffix(3000))")
        #expect(result.stdout.contains("boto3 checks passed"), "\(result.output)")
    }
}

struct AWSKeyPair {
    var accessKeyID: String
    var secretAccessKey: String

    var environment: [String: String] {
        ["AWS_ACCESS_KEY_ID": accessKeyID, "AWS_SECRET_ACCESS_KEY": secretAccessKey, "AWS_DEFAULT_REGION": "us-east-1"]
    }
}

extension PythonTools {
    var aws: String { bin.appendingPathComponent("aws").path }
    var awsAvailable: Bool { FileManager.default.isExecutableFile(atPath: aws) }
    var awsMissingMessage: Comment {
        "awscli and boto3 not found in \(bin.path): run scripts/install-python-tools (or set DEPOT_PYTHON_TOOLS to its bin directory)"
    }
}

extension Workspace {
    /// The AWS key pair a `depot token ...` command prints (`AWS_ACCESS_KEY_ID=...` lines).
    func awsKeys(_ arguments: [String]) throws -> AWSKeyPair {
        let result = try server.cli(arguments)
        #expect(result.succeeded, "depot \(arguments.joined(separator: " ")): \(result.output)")
        var values: [String: String] = [:]
        for line in result.stdout.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
        }
        return AWSKeyPair(accessKeyID: values["AWS_ACCESS_KEY_ID"] ?? "", secretAccessKey: values["AWS_SECRET_ACCESS_KEY"] ?? "")
    }

    /// `aws <service> <arguments>` against this server's endpoint for that service (`/api/aws/<service>`), with npm's
    /// and pip's environment of the workspace (for `login`) and no AWS configuration but the key pair.
    func awsServiceRun(_ service: String, _ keys: AWSKeyPair, _ arguments: [String], path: String? = nil) throws -> CommandResult {
        var environment = keys.environment.merging(npmEnvironment()) { $1 }
        environment["AWS_CONFIG_FILE"] = root.appendingPathComponent("aws-config").path
        environment["AWS_SHARED_CREDENTIALS_FILE"] = root.appendingPathComponent("aws-credentials").path
        if let path { environment["PATH"] = path }
        return try runPython(
            tools.aws, [service, "--endpoint-url", "\(server.url)/api/aws/\(service)", "--output", "json"] + arguments,
            environment: environment, unset: ["PIP_CONFIG_FILE"])
    }

    /// `awsServiceRun` that must succeed, its JSON output parsed (empty output: an empty object).
    func awsService(_ service: String, _ keys: AWSKeyPair, _ arguments: [String]) throws -> [String: Any] {
        let result = try awsServiceRun(service, keys, arguments)
        #expect(result.succeeded, "aws \(service) \(arguments.joined(separator: " ")): \(result.output)")
        let text = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return [:] }
        return (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
    }

    func awsRun(_ keys: AWSKeyPair, _ arguments: [String], path: String? = nil) throws -> CommandResult {
        try awsServiceRun("codeartifact", keys, arguments, path: path)
    }

    func aws(_ keys: AWSKeyPair, _ arguments: [String]) throws -> [String: Any] {
        try awsService("codeartifact", keys, arguments)
    }
}
