import Foundation
import Testing

/// The real AWS CLI (awscli 1.x) and boto3 against `depot serve`'s CodeBuild and CloudWatch Logs APIs: projects
/// (inline buildspec, a git source), builds with a buildspec override, environment and source version overrides,
/// their phases and exported variables, their logs as CloudWatch events, stop, retry, listings and refusals.
@Suite("AWS CodeBuild API")
struct AWSCodeBuildTests {
    static let projectBuildspec = """
        version: 0.2
        phases:
          build:
            commands:
              - echo "project-buildspec $GREETING"
        """

    /// Replaces the project's buildspec in one build: the overridden variable, the project's, and an exported one.
    static let overrideBuildspec = """
        version: 0.2
        env:
          exported-variables: [RESULT]
        phases:
          install:
            commands:
              - echo installing
          build:
            commands:
              - echo "override-$GREETING-$EXTRA"
              - export RESULT="built-$EXTRA"
          post_build:
            commands:
              - echo done
        """

    static let sleepingBuildspec = """
        version: 0.2
        phases:
          build:
            commands:
              - echo sleeping
              - sleep 300
        """

    @Test("aws codebuild and aws logs: create, start with overrides, phases, logs, source version, stop, retry, refusals")
    func awsCLIWorkflow() throws {
        let (bw, admin) = try Self.server()
        let ws = bw.ws
        #expect(try ws.server.cli(["repo", "create", "--domain", "acme", "other"]).succeeded)

        // A project without a source: its buildspec is inline; role, image and compute are accepted and ignored.
        let created = try ws.awsService("codebuild", admin, [
            "create-project", "--name", "app", "--service-role", "arn:aws:iam::000000000000:role/ignored",
            "--source", Self.json(["type": "NO_SOURCE", "buildspec": Self.projectBuildspec]),
            "--artifacts", "type=NO_ARTIFACTS",
            "--environment", Self.json([
                "type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL",
                "environmentVariables": [["name": "GREETING", "value": "hello", "type": "PLAINTEXT"]],
            ]),
            "--tags", "key=depot:repository,value=main",
        ])
        let project = created["project"] as? [String: Any] ?? [:]
        #expect(project["arn"] as? String == "arn:aws:codebuild:us-east-1:000000000000:project/app", "\(created)")
        #expect((project["source"] as? [String: Any])?["type"] as? String == "NO_SOURCE", "\(created)")
        let duplicate = try ws.awsServiceRun("codebuild", admin, [
            "create-project", "--name", "app", "--service-role", "r", "--source", Self.json(["type": "NO_SOURCE", "buildspec": Self.projectBuildspec]),
            "--artifacts", "type=NO_ARTIFACTS", "--environment", "type=LINUX_CONTAINER,image=i,computeType=BUILD_GENERAL1_SMALL",
            "--tags", "key=depot:repository,value=main",
        ])
        #expect(!duplicate.succeeded && duplicate.output.contains("ResourceAlreadyExistsException"), "\(duplicate.output)")
        let fetched = try ws.awsService("codebuild", admin, ["batch-get-projects", "--names", "app", "missing"])
        let fetchedProject = (fetched["projects"] as? [[String: Any]])?.first ?? [:]
        #expect(fetched["projectsNotFound"] as? [String] == ["missing"], "\(fetched)")
        #expect((fetchedProject["tags"] as? [[String: Any]])?.first?["value"] as? String == "main", "\(fetched)")
        let variables = ((fetchedProject["environment"] as? [String: Any])?["environmentVariables"] as? [[String: Any]]) ?? []
        #expect(variables.map { $0["name"] as? String } == ["GREETING"] && variables.first?["value"] as? String == "***", "\(fetched)")
        #expect((try ws.awsService("codebuild", admin, ["list-projects"])["projects"] as? [String]) == ["app"])

        // A build with a buildspec override and an environment override: its phases, status and exported variable.
        let started = try ws.awsService("codebuild", admin, [
            "start-build", "--project-name", "app", "--buildspec-override", Self.overrideBuildspec,
            "--environment-variables-override", "name=EXTRA,value=extra-value,type=PLAINTEXT",
        ])
        let id = try #require((started["build"] as? [String: Any])?["id"] as? String, "\(started)")
        #expect(id.hasPrefix("app:"), "\(started)")
        let build = try waitForEnd(ws, admin, id)
        #expect(build["buildStatus"] as? String == "SUCCEEDED", "\(build)\n\(ws.server.log.suffix(2000))")
        #expect(build["currentPhase"] as? String == "COMPLETED" && build["buildComplete"] as? Bool == true, "\(build)")
        let phases = (build["phases"] as? [[String: Any]] ?? []).compactMap { $0["phaseType"] as? String }
        #expect(phases.first == "SUBMITTED" && phases.last == "COMPLETED", "\(phases)")
        #expect(Set(phases).isSuperset(of: ["QUEUED", "DOWNLOAD_SOURCE", "PROVISIONING", "INSTALL", "BUILD", "POST_BUILD", "FINALIZING"]), "\(phases)")
        let statuses = (build["phases"] as? [[String: Any]] ?? []).filter { $0["phaseType"] as? String != "COMPLETED" }.map { $0["phaseStatus"] as? String }
        #expect(statuses.allSatisfy { $0 == "SUCCEEDED" }, "\(build)")
        let exported = build["exportedEnvironmentVariables"] as? [[String: Any]] ?? []
        #expect(exported.first { $0["name"] as? String == "RESULT" }?["value"] as? String == "built-extra-value", "\(build)")
        let logs = build["logs"] as? [String: Any] ?? [:]
        let group = try #require(logs["groupName"] as? String, "\(build)")
        let stream = try #require(logs["streamName"] as? String, "\(build)")
        #expect(group == "/aws/codebuild/app" && "app:\(stream)" == id, "\(logs)")

        // The build's log through CloudWatch Logs: every line an event, tokens that stay put at the end.
        let events = try ws.awsService("logs", admin, [
            "get-log-events", "--log-group-name", group, "--log-stream-name", stream, "--start-from-head",
        ])
        let messages = (events["events"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
        #expect(messages.contains("override-hello-extra-value"), "\(events)")
        #expect(messages.contains { $0.contains("Entering phase BUILD") } && !messages.contains { $0.contains("project-buildspec") }, "\(messages)")
        let timestamps = (events["events"] as? [[String: Any]] ?? []).compactMap { $0["timestamp"] as? Int }
        #expect(timestamps.count == messages.count && timestamps == timestamps.sorted() && (timestamps.first ?? 0) > 1_600_000_000_000, "\(timestamps)")
        let forward = try #require(events["nextForwardToken"] as? String)
        let again = try ws.awsService("logs", admin, [
            "get-log-events", "--log-group-name", group, "--log-stream-name", stream, "--next-token", forward,
        ])
        #expect((again["events"] as? [Any])?.isEmpty == true && again["nextForwardToken"] as? String == forward, "\(again)")
        let tail = try ws.awsService("logs", admin, ["get-log-events", "--log-group-name", group, "--log-stream-name", stream, "--limit", "2"])
        #expect((tail["events"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String } == Array(messages.suffix(2)), "\(tail)")
        let filtered = try ws.awsService("logs", admin, [
            "filter-log-events", "--log-group-name", group, "--filter-pattern", "\"override-hello\"",
        ])
        let matches = filtered["events"] as? [[String: Any]] ?? []
        #expect(matches.map { $0["message"] as? String } == ["override-hello-extra-value"], "\(filtered)")
        #expect(matches.first?["logStreamName"] as? String == stream, "\(filtered)")

        try sourceVersion(bw, admin)
        let stopped = try stop(ws, admin)

        // Listings, newest first; a retry runs the same build again (same overrides).
        let listed = try ws.awsService("codebuild", admin, ["list-builds-for-project", "--project-name", "app"])
        #expect(listed["ids"] as? [String] == [stopped, id], "\(listed)")
        let all = try ws.awsService("codebuild", admin, ["list-builds"])
        #expect(Set(all["ids"] as? [String] ?? []).isSuperset(of: [id, stopped]), "\(all)")
        let retried = try ws.awsService("codebuild", admin, ["retry-build", "--id", id])
        let retryID = try #require((retried["build"] as? [String: Any])?["id"] as? String, "\(retried)")
        #expect(retryID != id)
        let retry = try waitForEnd(ws, admin, retryID)
        #expect(retry["buildStatus"] as? String == "SUCCEEDED" && retry["buildNumber"] as? Int == 3, "\(retry)")
        let retryLog = try ws.awsService("logs", admin, [
            "filter-log-events", "--log-group-name", group, "--log-stream-names", BuildLogName.stream(retryID), "--filter-pattern", "override-hello",
        ])
        #expect((retryLog["events"] as? [[String: Any]])?.first?["message"] as? String == "override-hello-extra-value", "\(retryLog)")

        try refusals(ws, admin: admin, buildID: id, group: group, stream: stream)

        // Changing and deleting a project; its builds stay.
        let updated = try ws.awsService("codebuild", admin, [
            "update-project", "--name", "app", "--environment",
            Self.json(["type": "LINUX_CONTAINER", "image": "x", "computeType": "BUILD_GENERAL1_SMALL", "environmentVariables": [["name": "OTHER", "value": "1"]]]),
        ])
        #expect(((((updated["project"] as? [String: Any])?["environment"] as? [String: Any])?["environmentVariables"]) as? [[String: Any]])?
            .first?["name"] as? String == "OTHER", "\(updated)")
        _ = try ws.awsService("codebuild", admin, ["delete-project", "--name", "app"])
        let gone = try ws.awsService("codebuild", admin, ["batch-get-projects", "--names", "app"])
        #expect(gone["projectsNotFound"] as? [String] == ["app"], "\(gone)")
        #expect(!ws.server.log.contains("dpt_"), "a token reached the log")
    }

    /// A project cloning a git repository: a build of another branch through `--source-version`.
    func sourceVersion(_ bw: BuildWorkspace, _ admin: AWSKeyPair) throws {
        let ws = bw.ws
        let repository = try bw.project("git-source", [
            "buildspec.yml": "version: 0.2\nphases:\n  build:\n    commands:\n      - echo \"branch-$(cat branch.txt)\"\n",
            "branch.txt": "main\n",
        ])
        for command in [
            ["init", "-q", "-b", "main"], ["add", "."], ["-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "main"],
            ["checkout", "-q", "-b", "feature"],
        ] {
            #expect(try Command.run("git", command, in: repository).succeeded)
        }
        try Data("feature\n".utf8).write(to: repository.appendingPathComponent("branch.txt"))
        #expect(try Command.run("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qam", "feature"], in: repository).succeeded)
        #expect(try Command.run("git", ["checkout", "-q", "main"], in: repository).succeeded)
        _ = try ws.awsService("codebuild", admin, [
            "create-project", "--name", "from-git", "--service-role", "r", "--artifacts", "type=NO_ARTIFACTS",
            "--source", "type=GITHUB_ENTERPRISE,location=file://\(repository.path)", "--source-version", "main",
            "--environment", "type=LINUX_CONTAINER,image=i,computeType=BUILD_GENERAL1_SMALL", "--tags", "key=depot:repository,value=main",
        ])
        let started = try ws.awsService("codebuild", admin, ["start-build", "--project-name", "from-git", "--source-version", "feature"])
        let id = try #require((started["build"] as? [String: Any])?["id"] as? String, "\(started)")
        let build = try waitForEnd(ws, admin, id)
        #expect(build["buildStatus"] as? String == "SUCCEEDED" && build["sourceVersion"] as? String == "feature", "\(build)")
        let events = try ws.awsService("logs", admin, [
            "get-log-events", "--log-group-name", "/aws/codebuild/from-git", "--log-stream-name", BuildLogName.stream(id), "--start-from-head",
        ])
        let messages = (events["events"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
        #expect(messages.contains("branch-feature") && !messages.contains("branch-main"), "\(messages)")
    }

    /// A long build stopped while it runs ends STOPPED; stopping it again is refused.
    func stop(_ ws: Workspace, _ admin: AWSKeyPair) throws -> String {
        let started = try ws.awsService("codebuild", admin, ["start-build", "--project-name", "app", "--buildspec-override", Self.sleepingBuildspec])
        let id = try #require((started["build"] as? [String: Any])?["id"] as? String, "\(started)")
        let running = try wait(ws, admin, id) { $0["currentPhase"] as? String == "BUILD" }
        #expect(running["buildStatus"] as? String == "IN_PROGRESS", "\(running)")
        let runningPhases = running["phases"] as? [[String: Any]] ?? []
        #expect(runningPhases.last?["phaseType"] as? String == "BUILD" && runningPhases.last?["phaseStatus"] == nil, "\(running)")
        _ = try ws.awsService("codebuild", admin, ["stop-build", "--id", id])
        let stopped = try waitForEnd(ws, admin, id)
        #expect(stopped["buildStatus"] as? String == "STOPPED", "\(stopped)")
        let again = try ws.awsServiceRun("codebuild", admin, ["stop-build", "--id", id])
        #expect(!again.succeeded && again.output.contains("InvalidInputException"), "\(again.output)")
        return id
    }

    /// Keys whose tokens may not do it get AccessDeniedException; bad input gets CodeBuild's and Logs' exceptions.
    func refusals(_ ws: Workspace, admin: AWSKeyPair, buildID: String, group: String, stream: String) throws {
        let reader = try ws.awsKeys(["token", "create", "--domain", "acme", "--repo", "main", "--permission", "read", "--aws", "--name", "cb-reader"])
        let seen = try ws.awsService("codebuild", reader, ["batch-get-builds", "--ids", buildID])
        #expect((seen["builds"] as? [[String: Any]])?.count == 1, "\(seen)")
        let start = try ws.awsServiceRun("codebuild", reader, ["start-build", "--project-name", "app"])
        #expect(!start.succeeded && start.output.contains("AccessDeniedException"), "\(start.output)")
        // Publishing does not extend to choosing the commands a build runs.
        let publisher = try ws.awsKeys(["token", "create", "--domain", "acme", "--repo", "main", "--permission", "publish", "--aws", "--name", "cb-publisher"])
        for override in [["--buildspec-override", Self.overrideBuildspec], ["--source-version", "main"]] {
            let refused = try ws.awsServiceRun("codebuild", publisher, ["start-build", "--project-name", "app"] + override)
            #expect(!refused.succeeded && refused.output.contains("AccessDeniedException"), "\(override): \(refused.output)")
        }
        let otherRepository = try ws.awsKeys([
            "token", "create", "--domain", "acme", "--repo", "other", "--permission", "publish", "--aws", "--name", "cb-other",
        ])
        for (service, arguments) in [
            ("codebuild", ["batch-get-builds", "--ids", buildID]), ("codebuild", ["start-build", "--project-name", "app"]),
            ("codebuild", ["stop-build", "--id", buildID]), ("codebuild", ["retry-build", "--id", buildID]),
            ("logs", ["get-log-events", "--log-group-name", group, "--log-stream-name", stream]),
            ("logs", ["filter-log-events", "--log-group-name", group]),
        ] {
            let refused = try ws.awsServiceRun(service, otherRepository, arguments)
            #expect(!refused.succeeded && refused.output.contains("AccessDeniedException"), "\(arguments): \(refused.output)")
        }
        let listed = try ws.awsService("codebuild", otherRepository, ["list-builds"])
        #expect((listed["ids"] as? [String])?.isEmpty == true, "\(listed)")
        // A key of a token of every domain: CodeBuild works in one domain.
        let everyDomain = try ws.awsKeys(["token", "aws-keys"])
        let noDomain = try ws.awsServiceRun("codebuild", everyDomain, ["list-projects"])
        #expect(!noDomain.succeeded && noDomain.output.contains("InvalidInputException"), "\(noDomain.output)")

        for (service, arguments, expected) in [
            ("codebuild", ["start-build", "--project-name", "app", "--buildspec-override", "version: [unclosed"], "InvalidInputException"),
            ("codebuild", ["start-build", "--project-name", "app", "--environment-variables-override", "name=LD_PRELOAD,value=x"], "InvalidInputException"),
            ("codebuild", ["start-build", "--project-name", "app", "--source-version", "main"], "InvalidInputException"),
            ("codebuild", ["start-build", "--project-name", "nothing"], "ResourceNotFoundException"),
            ("codebuild", ["list-projects", "--next-token", "not-a-token"], "InvalidInputException"),
            ("logs", ["get-log-events", "--log-group-name", "/aws/codebuild/nothing", "--log-stream-name", stream], "ResourceNotFoundException"),
            ("logs", ["get-log-events", "--log-group-name", group, "--log-stream-name", stream, "--next-token", "f/x"], "InvalidParameterException"),
            ("logs", ["filter-log-events", "--log-group-name", group, "--filter-pattern", "{ $.level = 1 }"], "InvalidParameterException"),
        ] {
            let refused = try ws.awsServiceRun(service, admin, arguments)
            #expect(!refused.succeeded && refused.output.contains(expected), "\(arguments): \(refused.output)")
        }
    }

    @Test("boto3: every CodeBuild and Logs response conforms to botocore's model, paginators, refused signatures")
    func boto3() throws {
        let (bw, admin) = try Self.server()
        let ws = bw.ws
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Support/aws_codebuild_boto3.py")
        let result = try ws.runPython(PythonTools.shared.python, [script.path, ws.server.url], environment: admin.environment)
        #expect(result.succeeded, "\(result.output)\n\(ws.server.log.suffix(3000))")
        #expect(result.stdout.contains("boto3 codebuild checks passed"), "\(result.output)")
    }

    /// Terraform's AWS provider, from the machine's provider mirror (no registry is reached), against the CodeBuild API.
    @Test("terraform: aws_codebuild_project created, no drift on a second plan, changed, built, destroyed")
    func terraform() throws {
        let (bw, admin) = try Self.server()
        let ws = bw.ws
        let terraform = try Terraform(ws, keys: admin)
        func configure(_ message: String) throws {
            try terraform.configure(endpoints: ["codebuild": "\(ws.server.url)/api/aws/codebuild"], resources: """
                resource "aws_codebuild_project" "app" {
                  name         = "tf-app"
                  description  = "made by terraform"
                  service_role = "arn:aws:iam::000000000000:role/ignored"
                  artifacts { type = "NO_ARTIFACTS" }
                  environment {
                    type         = "LINUX_CONTAINER"
                    image        = "aws/codebuild/standard:7.0"
                    compute_type = "BUILD_GENERAL1_SMALL"
                  }
                  source {
                    type      = "NO_SOURCE"
                    buildspec = "version: 0.2\\nphases:\\n  build:\\n    commands:\\n      - echo \(message)\\n"
                  }
                  tags = { "depot:repository" = "main" }
                }
                """)
        }
        func run(_ arguments: [String]) throws -> CommandResult { try terraform.run(arguments) }
        try configure("from-terraform")
        let initialized = try run(["init"])
        try #require(initialized.succeeded, "\(initialized.output)")
        let applied = try run(["apply", "-auto-approve"])
        #expect(applied.succeeded, "\(applied.output)\n\(ws.server.log.suffix(2000))")
        // What Terraform set comes back as it set it: a second plan finds nothing to change.
        let plan = try run(["plan", "-detailed-exitcode"])
        #expect(plan.status == 0, "\(plan.output)")
        let project = (try ws.awsService("codebuild", admin, ["batch-get-projects", "--names", "tf-app"])["projects"] as? [[String: Any]])?.first
        #expect(project?["description"] as? String == "made by terraform", "\(String(describing: project))")

        // A change applies in place; the project Terraform made builds.
        try configure("changed-by-terraform")
        let changed = try run(["apply", "-auto-approve"])
        #expect(changed.succeeded && changed.output.contains("1 changed"), "\(changed.output)")
        #expect(try run(["plan", "-detailed-exitcode"]).status == 0)
        let started = try ws.awsService("codebuild", admin, ["start-build", "--project-name", "tf-app"])
        let id = try #require((started["build"] as? [String: Any])?["id"] as? String, "\(started)")
        #expect(try waitForEnd(ws, admin, id)["buildStatus"] as? String == "SUCCEEDED")
        let log = try ws.awsService("logs", admin, [
            "filter-log-events", "--log-group-name", "/aws/codebuild/tf-app", "--filter-pattern", "changed-by-terraform -Running",
        ])
        #expect((log["events"] as? [[String: Any]])?.map { $0["message"] as? String } == ["changed-by-terraform"], "\(log)")

        let destroyed = try run(["destroy", "-auto-approve"])
        #expect(destroyed.succeeded, "\(destroyed.output)")
        let gone = try ws.awsService("codebuild", admin, ["batch-get-projects", "--names", "tf-app"])
        #expect(gone["projectsNotFound"] as? [String] == ["tf-app"], "\(gone)")
    }

    /// A server with domain `acme` and repository `main` (builds two at a time), and the AWS key pair of an admin token
    /// of the domain: CodeBuild's calls work in the key's domain.
    static func server() throws -> (BuildWorkspace, AWSKeyPair) {
        let tools = PythonTools.shared
        try #require(tools.available && tools.awsAvailable, tools.awsMissingMessage)
        let bw = try BuildWorkspace(serverEnvironment: ["DEPOT_BUILD_CONCURRENCY": "2"])
        let admin = try bw.ws.awsKeys(["token", "create", "--domain", "acme", "--permission", "admin", "--aws", "--name", "aws-admin"])
        return (bw, admin)
    }

    func waitForEnd(_ ws: Workspace, _ keys: AWSKeyPair, _ id: String) throws -> [String: Any] {
        try wait(ws, keys, id) { $0["buildComplete"] as? Bool == true }
    }

    /// `batch-get-builds` until `condition` holds (at most two minutes).
    func wait(_ ws: Workspace, _ keys: AWSKeyPair, _ id: String, until condition: ([String: Any]) -> Bool) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(120)
        var build: [String: Any] = [:]
        while Date() < deadline {
            build = (try ws.awsService("codebuild", keys, ["batch-get-builds", "--ids", id])["builds"] as? [[String: Any]])?.first ?? [:]
            if condition(build) { return build }
            Thread.sleep(forTimeInterval: 0.5)
        }
        Issue.record("build \(id) did not get there: \(build)")
        return build
    }

    static func json(_ value: Any) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])) ?? Data(), as: UTF8.self)
    }
}

enum BuildLogName {
    /// A build's log stream: its id after `<project>:`.
    static func stream(_ id: String) -> String { String(id.split(separator: ":", maxSplits: 1).last ?? "") }
}
