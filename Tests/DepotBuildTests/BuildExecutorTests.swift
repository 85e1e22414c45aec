import DepotBuild
import DepotClientConfig
import Foundation
import Testing

/// Records what the executor asks of the token issuer.
actor FakeIssuer: BuildTokenIssuer {
    private(set) var issued: [(domain: String, repository: String, lifetime: Int)] = []
    private(set) var revoked: [String] = []

    func issue(domain: String, repository: String, lifetimeSeconds: Int, buildID: String) async throws -> BuildToken {
        issued.append((domain, repository, lifetimeSeconds))
        return BuildToken(id: "tok-1", value: "dpt_fake_build_token_value")
    }

    func revoke(_ token: BuildToken, domain: String) async throws { revoked.append(token.id) }
}

@Suite struct BuildExecutorTests {
    @Test func wiresRegistryMasksTokenAndRevokesIt() async throws {
        let dir = try TemporaryDirectory()
        let source = dir.url.appendingPathComponent("src")
        try dir.write("src/README", "hello")
        let spec = try BuildspecParser.parse(
            """
            version: 0.2
            env:
              secrets:
                PASSWORD: db-password
            phases:
              build:
                commands:
                  - echo "token $DEPOT_AUTH_TOKEN pw $PASSWORD"
                  - grep -q "_authToken=dpt_fake_build_token_value" "$HOME/.npmrc"
                  - grep -q "depot:dpt_fake_build_token_value@" "$HOME/.config/pip/pip.conf"
                  - grep -q "<password>dpt_fake_build_token_value</password>" "$HOME/.m2/settings.xml"
                  - test "$DEPOT_NPM_REGISTRY" = "http://depot.test/acme/main/npm/"
                  - test "$DEPOT_BUILD_NUMBER" = 7 && test "$CODEBUILD_SRC_DIR" = "$PWD"
                  - test -z "$LEAKED"
            artifacts:
              files: [README]
            """)
        let issuer = FakeIssuer()
        let request = BuildRequest(
            buildID: "p:1", buildNumber: 7, project: "p", buildspec: spec, sourceDirectory: source,
            workDirectory: dir.url.appendingPathComponent("work"), artifactsDirectory: dir.url.appendingPathComponent("out"),
            hostEnvironment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "LEAKED": "host"],
            secretValues: ["db-password": "s3cret-pw"], initiator: "test", timeoutSeconds: 60,
            registry: RegistryEndpoints(serverURL: "http://depot.test/", domain: "acme", repository: "main"))
        let log = LogLines()
        let result = await BuildExecutor(tokenIssuer: issuer, cacheStore: nil, clients: ClientConfigurators.all).run(request) { await log.append($0) }
        let text = await log.text
        #expect(result.status == .succeeded, "\(text)")
        #expect(text.contains("token *** pw ***"))
        #expect(!text.contains("dpt_fake") && !text.contains("s3cret-pw"))
        #expect(await issuer.issued.first?.lifetime == 900)
        #expect(await issuer.revoked == ["tok-1"])
        #expect(result.artifacts.first?.files == ["README"])
        #expect(result.phases.map(\.phase) == [.provisioning, .build, .uploadArtifacts, .finalizing])
        #expect(!FileManager.default.fileExists(atPath: request.workDirectory.path))
    }

    @Test func missingSecretsFaultBeforeAnyCommand() async throws {
        let dir = try TemporaryDirectory()
        let spec = try BuildspecParser.parse("version: 0.2\nenv:\n  secrets:\n    A: nope\nphases:\n  build:\n    commands: [touch ran]\n")
        let request = BuildRequest(
            buildID: "p:2", buildNumber: 1, project: "p", buildspec: spec, sourceDirectory: dir.url,
            workDirectory: dir.url.appendingPathComponent("work"), artifactsDirectory: dir.url.appendingPathComponent("out"),
            initiator: "test", timeoutSeconds: 60, registry: nil)
        let result = await BuildExecutor(tokenIssuer: nil, cacheStore: nil, clients: ClientConfigurators.all).run(request) { _ in }
        #expect(result.status == .fault)
        #expect(result.message?.contains("nope") == true)
        #expect(!FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("ran").path))
    }

    @Test func artifactsAreAttemptedAfterAFailureAndAMissingOneFailsTheBuild() async throws {
        let dir = try TemporaryDirectory()
        let spec = try BuildspecParser.parse(
            "version: 0.2\nphases:\n  build:\n    commands: [echo hi > out.txt]\nartifacts:\n  files: [missing.bin]\n")
        let request = BuildRequest(
            buildID: "p:3", buildNumber: 1, project: "p", buildspec: spec, sourceDirectory: dir.url,
            workDirectory: dir.url.appendingPathComponent("work"), artifactsDirectory: dir.url.appendingPathComponent("out"),
            hostEnvironment: ProcessInfo.processInfo.environment, initiator: "test", timeoutSeconds: 60, registry: nil)
        let result = await BuildExecutor(tokenIssuer: nil, cacheStore: nil, clients: ClientConfigurators.all).run(request) { _ in }
        #expect(result.status == .failed)
        #expect(result.phases.first { $0.phase == .uploadArtifacts }?.status == .failed)
        #expect(result.message?.contains("no matching artifact paths") == true)
    }
}
