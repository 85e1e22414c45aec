import Foundation
import Testing

/// `depot pipeline` against a running server: the list follows its pages, `executions --id --follow` watches an
/// execution to its end (exit status from its outcome), `reject` fails a waiting approval.
@Suite("pipeline: CLI", .serialized)
struct PipelineCLITests {
    static func definition(_ name: String, repository: URL, approval: Bool) -> String {
        """
        name: \(name)
        stages:
        \(PipelineYAML.sourceStage(repository, poll: false, output: "Src"))
          - name: Check
            actions:
              - name: \(approval ? "Gate" : "List")
                category: \(approval ? "Approval" : "Invoke")
                provider: \(approval ? "Manual" : "Shell")
        \(approval ? "" : "        configuration: {Command: test -f README}\n        inputArtifacts: [Src]")
        """
    }

    func json(_ result: CommandResult) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
    }

    @Test("list pages with --max-results/--next-token; executions --follow ends with the execution; reject fails it")
    func listFollowReject() throws {
        let bw = try BuildWorkspace(serverEnvironment: [:], localGitSources: true)
        let source = try bw.ws.directory("git")
        try Data("hello\n".utf8).write(to: source.appendingPathComponent("README"))
        for arguments in [
            ["init", "--quiet", "--initial-branch=main"], ["add", "."], ["-c", "user.name=e2e", "-c", "user.email=e2e@example.com", "commit", "--quiet", "-m", "one"],
        ] {
            let result = try Command.run("git", arguments, in: source)
            try #require(result.succeeded, "git \(arguments): \(result.output)")
        }
        let definitions = try bw.ws.directory("definitions")
        for (name, approval) in [("gamma", false), ("alpha", true), ("beta", false)] {
            let file = definitions.appendingPathComponent("\(name).yml")
            try Data(Self.definition(name, repository: source, approval: approval).utf8).write(to: file)
            let created = try bw.server.cli(["pipeline", "create", "--domain", "acme", file.path])
            try #require(created.succeeded, "\(created.output)")
        }

        // Two, then the token that continues; without --max-results every page.
        let first = try bw.server.cli(["pipeline", "list", "--domain", "acme", "--max-results", "2", "--json"])
        let firstPage = json(first)
        #expect((firstPage["pipelines"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["alpha", "beta"], "\(first.output)")
        let token = try #require(firstPage["nextToken"] as? String, "\(first.output)")
        let rest = json(try bw.server.cli(["pipeline", "list", "--domain", "acme", "--next-token", token, "--json"]))
        #expect((rest["pipelines"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["gamma"])
        #expect(rest["nextToken"] == nil)
        let table = try bw.server.cli(["pipeline", "list", "--domain", "acme"])
        #expect(["alpha", "beta", "gamma"].allSatisfy(table.stdout.contains), "\(table.output)")

        // --follow watches a started execution to its end.
        let started = json(try bw.server.cli(["pipeline", "start", "--domain", "acme", "gamma", "--json"]))
        let id = try #require(started["pipelineExecutionId"] as? String)
        let followed = try bw.server.cli(["pipeline", "executions", "--domain", "acme", "gamma", "--id", id, "--follow"])
        #expect(followed.succeeded, "\(followed.output)")
        #expect(followed.stdout.contains("Source/Checkout") && followed.stdout.contains("Check/List"), "\(followed.stdout)")
        #expect(followed.stdout.contains("Execution \(id) Succeeded"), "\(followed.stdout)")
        let noId = try bw.server.cli(["pipeline", "executions", "--domain", "acme", "gamma", "--follow"])
        #expect(!noId.succeeded && noId.output.contains("--id"), "\(noId.output)")

        // A rejected approval fails the execution; following it then exits non-zero.
        let gated = json(try bw.server.cli(["pipeline", "start", "--domain", "acme", "alpha", "--json"]))
        let gatedId = try #require(gated["pipelineExecutionId"] as? String)
        let deadline = Date().addingTimeInterval(120)
        var waiting = false
        while !waiting, Date() < deadline {
            let detail = try bw.server.cli(["pipeline", "executions", "--domain", "acme", "alpha", "--id", gatedId])
            waiting = detail.stdout.contains("WaitingForApproval")
            if !waiting { Thread.sleep(forTimeInterval: 0.3) }
        }
        try #require(waiting, "\(bw.server.log.suffix(2000))")
        let rejected = try bw.server.cli(
            ["pipeline", "reject", "--domain", "acme", "alpha", "--execution", gatedId, "--stage", "Check", "--action", "Gate", "--comment", "not now"])
        #expect(rejected.succeeded, "\(rejected.output)")
        let failed = try bw.server.cli(["pipeline", "executions", "--domain", "acme", "alpha", "--id", gatedId, "--follow"])
        #expect(!failed.succeeded)
        #expect(failed.stdout.contains("Execution \(gatedId) Failed") && failed.stdout.contains("Rejected"), "\(failed.stdout)")
    }
}
