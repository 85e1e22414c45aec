import DepotBuild
import Foundation
import Testing

@Suite struct PipelineGitSourceTests {
    /// Runs git in `directory` with a fixed identity and dates; returns its trimmed output.
    @discardableResult
    func git(_ arguments: [String], in directory: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory.path] + arguments
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in [
            "GIT_AUTHOR_NAME": "Ada", "GIT_AUTHOR_EMAIL": "ada@example.com", "GIT_COMMITTER_NAME": "Ada", "GIT_COMMITTER_EMAIL": "ada@example.com",
            "GIT_AUTHOR_DATE": "2020-01-02T04:04:05+01:00", "GIT_COMMITTER_DATE": "2020-01-02T04:04:05+01:00", "GIT_CONFIG_NOSYSTEM": "1",
        ] { environment[key] = value }
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "git \(arguments)")
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A repository with two commits on `main` (the second with a long message) and one on `other`.
    func makeRepository(_ directory: TemporaryDirectory) throws -> (url: URL, head: String) {
        let repository = directory.url.appendingPathComponent("repo")
        try FileManager.default.createDirectory(at: repository, withIntermediateDirectories: true)
        try git(["init", "--quiet", "--initial-branch=main"], in: repository)
        try directory.write("repo/README.md", "one")
        try git(["add", "."], in: repository)
        try git(["commit", "--quiet", "-m", "first"], in: repository)
        try directory.write("repo/README.md", "two")
        try directory.write("repo/src/app.js", "console.log(1)")
        try FileManager.default.createSymbolicLink(atPath: repository.appendingPathComponent("link").path, withDestinationPath: "README.md")
        try git(["add", "."], in: repository)
        let message = "Second commit: " + String(repeating: "x", count: 120) + "\n\nbody"
        try git(["commit", "--quiet", "-m", message], in: repository)
        let head = try git(["rev-parse", "HEAD"], in: repository)
        try git(["checkout", "--quiet", "-b", "other"], in: repository)
        try directory.write("repo/other.txt", "other")
        try git(["add", "."], in: repository)
        try git(["commit", "--quiet", "-m", "other"], in: repository)
        try git(["checkout", "--quiet", "main"], in: repository)
        return (repository, head)
    }

    @Test func exportsTheBranchHeadWithoutGitMetadata() async throws {
        let directory = try TemporaryDirectory()
        let (repository, head) = try makeRepository(directory)
        let exporter = GitSourceExporter(
            policy: GitSourcePolicy(allowedHosts: [], allowedDirectories: [directory.url.path]), scratchDirectory: directory.url.appendingPathComponent("scratch"))
        let source = try #require(GitSourceConfiguration(["Repository": repository.path, "Branch": "main"]))
        #expect(try await exporter.headCommit(source) == head)

        let output = directory.url.appendingPathComponent("out")
        let revision = try await exporter.export(source, into: output)
        #expect(revision.commitId == head)
        #expect(revision.branchName == "main")
        #expect(revision.commitMessage == String(("Second commit: " + String(repeating: "x", count: 120)).prefix(100)))
        #expect(revision.authorDate == "2020-01-02T03:04:05Z")
        #expect(revision.outputVariables["CommitId"] == head)
        #expect(try String(contentsOf: output.appendingPathComponent("README.md"), encoding: .utf8) == "two")
        #expect(try String(contentsOf: output.appendingPathComponent("src/app.js"), encoding: .utf8) == "console.log(1)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: output.appendingPathComponent("link").path) == "README.md")
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent(".git").path))
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("other.txt").path))
        // The temporary repository is gone.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.appendingPathComponent("scratch").path) == [])

        let other = try await exporter.export(try #require(GitSourceConfiguration(["Repository": "file://" + repository.path, "BranchName": "other"])), into: directory.url.appendingPathComponent("other"))
        #expect(other.commitMessage == "other")
        #expect(other.commitId != head)
    }

    @Test func reportsMissingBranchesAndRepositories() async throws {
        let directory = try TemporaryDirectory()
        let (repository, _) = try makeRepository(directory)
        let exporter = GitSourceExporter(
            policy: GitSourcePolicy(allowedHosts: [], allowedDirectories: [directory.url.path]), scratchDirectory: directory.url.appendingPathComponent("scratch"))
        let missingBranch = try #require(GitSourceConfiguration(["Repository": repository.path, "Branch": "nope"]))
        await #expect(throws: GitSourceError.self) { try await exporter.headCommit(missingBranch) }
        await #expect(throws: GitSourceError.self) { try await exporter.export(missingBranch, into: directory.url.appendingPathComponent("a")) }
        let missingRepository = try #require(GitSourceConfiguration(["Repository": directory.url.appendingPathComponent("none").path, "Branch": "main"]))
        do {
            _ = try await exporter.export(missingRepository, into: directory.url.appendingPathComponent("b"))
            Issue.record("expected an error")
        } catch {
            #expect(error.message.hasPrefix("git fetch failed"))
        }
        // A non-empty destination is refused before anything is fetched.
        try directory.write("full/file", "x")
        await #expect(throws: GitSourceError("\(directory.url.appendingPathComponent("full").path) is not empty")) {
            try await exporter.export(try #require(GitSourceConfiguration(["Repository": repository.path, "Branch": "main"])), into: directory.url.appendingPathComponent("full"))
        }
    }

    @Test func refusesOptionLikeOrMalformedInput() {
        #expect(GitSourceConfiguration(["Repository": "--upload-pack=touch /tmp/x", "Branch": "main"]) == nil)
        #expect(GitSourceConfiguration(["Repository": "/srv/repo.git", "Branch": "-main"]) == nil)
        #expect(GitSourceConfiguration(["Repository": "/srv/repo.git", "Branch": "a..b"]) == nil)
        #expect(GitSourceConfiguration(["Repository": "ext::sh -c touch% /tmp/x", "Branch": "main"]) == nil)
        #expect(GitSourceConfiguration(["Repository": "git@github.com:acme/app.git", "Branch": "feature/x"])?.branch == "feature/x")
    }

    @Test func policyAllowsOnlyConfiguredHostsAndDirectories() {
        let policy = GitSourcePolicy(allowedHosts: ["git.example.com", "*.corp.example"], allowedDirectories: ["/srv/git"])
        for allowed in [
            "https://git.example.com/acme/app.git", "ssh://git@git.example.com/acme/app.git", "git@git.example.com:acme/app.git",
            "https://build.corp.example/x.git", "/srv/git/app.git", "/srv/git", "file:///srv/git/app.git",
        ] {
            #expect(policy.refusal(allowed) == nil, "\(allowed)")
        }
        for refused in [
            "https://evil.example.org/x.git", "https://corp.example/x.git", "git@evil.example.org:x.git", "/etc/secrets", "/srv/gitx/app.git",
            "/srv/git/../../etc", "file://otherhost/srv/git/app.git", "file:///srv/git/%2e%2e/etc", "ext::sh -c touch% /tmp/pwned",
            "fd::3", "https::git.example.com", "--upload-pack=touch /tmp/x", "-oProxyCommand=x@git.example.com:a", "git@git.example.com:-x",
            "ssh://-oProxyCommand=x/y", "ftp://git.example.com/x", "", "/srv/git/app\u{0}",
        ] {
            #expect(policy.refusal(refused) != nil, "\(refused)")
        }
        // Without a configured directory no local repository is allowed at all; every host is by default.
        let defaults = GitSourcePolicy()
        #expect(defaults.refusal("/srv/git/app.git")?.contains("pipelines.gitAllowedPaths") == true)
        #expect(defaults.refusal("file:///srv/git/app.git") != nil)
        #expect(defaults.refusal("https://anything.example/x.git") == nil)
        #expect(!defaults.allowsLocalRepositories)
    }

    /// Checked when git would run, whatever the saved definition said: a symbolic link out of the allowed
    /// directory, or a directory that is not allowed, never reaches git.
    @Test func exporterRefusesRepositoriesOutsideThePolicy() async throws {
        let directory = try TemporaryDirectory()
        let (repository, _) = try makeRepository(directory)
        let allowed = directory.url.appendingPathComponent("allowed")
        try FileManager.default.createDirectory(at: allowed, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: allowed.appendingPathComponent("escape"), withDestinationURL: repository)
        let exporter = GitSourceExporter(
            policy: GitSourcePolicy(allowedHosts: [], allowedDirectories: [allowed.path]), scratchDirectory: directory.url.appendingPathComponent("scratch"))
        for path in [repository.path, allowed.appendingPathComponent("escape").path] {
            let source = try #require(GitSourceConfiguration(["Repository": path, "Branch": "main"]))
            do {
                _ = try await exporter.headCommit(source)
                Issue.record("\(path) was fetched")
            } catch {
                #expect(error.message.contains("outside the directories"), "\(error)")
            }
        }
        let remote = try #require(GitSourceConfiguration(["Repository": "https://git.example.com/x.git", "Branch": "main"]))
        await #expect(throws: GitSourceError.self) { try await exporter.export(remote, into: directory.url.appendingPathComponent("r")) }
        #expect(!FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("r").path))
    }
}
