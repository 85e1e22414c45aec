import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A Source/Git action's work: finds the head commit of a branch and writes that commit's tree (no `.git`) into
/// a directory, with the `git` executable. Repository and branch are passed as separate arguments after `--` or
/// inside a refspec, never through a shell; only the repositories `policy` allows are touched, and only over the
/// file (when local repositories are allowed), git, http(s) and ssh transports.
public struct GitSourceExporter: Sendable {
    /// Most bytes of git's output read back (a commit message, an error).
    static let maxOutputBytes = 1 << 20

    public var policy: GitSourcePolicy
    public var environment: [String: String]
    /// For each git command.
    public var timeout: Duration
    /// Where the temporary repository goes.
    public var scratchDirectory: URL

    public init(
        policy: GitSourcePolicy, environment: [String: String] = ProcessInfo.processInfo.environment, timeout: Duration = .seconds(600),
        scratchDirectory: URL
    ) {
        self.policy = policy
        self.environment = environment
        self.timeout = timeout
        self.scratchDirectory = scratchDirectory
    }

    /// The commit the branch points at, without fetching anything.
    public func headCommit(_ source: GitSourceConfiguration) async throws(GitSourceError) -> String {
        try checkAllowed(source)
        let output = try await git(["ls-remote", "--heads", "--", source.repository, "refs/heads/\(source.branch)"], source: source)
        guard let line = output.split(separator: "\n").first, let commit = line.split(separator: "\t").first, Self.isCommitId(commit) else {
            throw GitSourceError("branch \(source.branch) was not found in \(Self.withoutCredentials(source.repository))")
        }
        return String(commit)
    }

    /// Fetches the branch's head and writes its tree into `directory` (created; it must not exist or be empty).
    public func export(_ source: GitSourceConfiguration, into directory: URL) async throws(GitSourceError) -> GitSourceRevision {
        try checkAllowed(source)
        let fileManager = FileManager.default
        if let existing = try? fileManager.contentsOfDirectory(atPath: directory.path), !existing.isEmpty {
            throw GitSourceError("\(directory.path) is not empty")
        }
        let repository = scratchDirectory.appendingPathComponent("git-\(UUID().uuidString)")
        defer { try? fileManager.removeItem(at: repository) }
        do {
            try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
            try fileManager.createDirectory(at: scratchDirectory, withIntermediateDirectories: true)
        } catch {
            throw GitSourceError("cannot create \(directory.path): \(error.localizedDescription)")
        }
        let local = ["-C", repository.path]
        _ = try await git(["init", "--quiet", "--", repository.path], source: source)
        _ = try await git(
            local + ["fetch", "--quiet", "--no-tags", "--depth", "1", "--", source.repository, "+refs/heads/\(source.branch):refs/depot/source"],
            source: source)
        let commit = try await git(local + ["rev-parse", "--verify", "--quiet", "refs/depot/source^{commit}"], source: source)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard Self.isCommitId(Substring(commit)) else { throw GitSourceError("git did not name the fetched commit") }
        let details = try await git(local + ["log", "-1", "--format=%at%x00%B", commit], source: source)
        _ = try await git(local + ["read-tree", commit], source: source)
        _ = try await git(local + ["checkout-index", "--all", "--force", "--prefix=\(directory.standardizedFileURL.path)/"], source: source)
        let parts = details.split(separator: "\0", maxSplits: 1, omittingEmptySubsequences: false)
        let seconds = parts.first.flatMap { Int64($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
        let message = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespacesAndNewlines) : ""
        return GitSourceRevision(
            commitId: commit, branchName: source.branch, commitMessage: String(message.prefix(GitSourceRevision.maxMessageLength)),
            authorDate: Self.iso8601(Date(timeIntervalSince1970: TimeInterval(seconds))))
    }

    /// Checked before every use: a variable may have put the repository in after the definition was saved.
    private func checkAllowed(_ source: GitSourceConfiguration) throws(GitSourceError) {
        if let refusal = policy.refusal(source.repository) {
            throw GitSourceError("repository \(Self.withoutCredentials(source.repository)) \(refusal)")
        }
        if let option = [source.repository, source.branch].first(where: { $0.hasPrefix("-") }) {
            throw GitSourceError("'\(option.prefix(40))' would read as a git option")
        }
    }

    /// Runs git with `arguments`, returning its standard output; a failure carries git's error output.
    private func git(_ arguments: [String], source: GitSourceConfiguration) async throws(GitSourceError) -> String {
        let isLocal = source.repository.hasPrefix("/") || source.repository.hasPrefix("file://")
        // File transport is refused by default in some contexts (submodules); a local repository is what was asked for.
        var options = isLocal ? ["-c", "protocol.file.allow=always"] : []
        // A redirect could lead an allowed host's URL to a host that is not.
        if !policy.allowsEveryHost { options += ["-c", "http.followRedirects=false"] }
        var environment = environment
        environment["GIT_TERMINAL_PROMPT"] = "0"
        environment["GIT_ALLOW_PROTOCOL"] = policy.allowsLocalRepositories ? "file:git:http:https:ssh" : "git:http:https:ssh"
        environment["LC_ALL"] = "C"
        let files = scratchDirectory.appendingPathComponent("git-output-\(UUID().uuidString)")
        defer {
            try? FileManager.default.removeItem(at: files.appendingPathExtension("out"))
            try? FileManager.default.removeItem(at: files.appendingPathExtension("err"))
        }
        let result: (status: Int32, interrupted: Bool)
        do {
            result = try await run(["git"] + options + arguments, environment: environment, output: files)
        } catch {
            throw GitSourceError("cannot run git: \(error.localizedDescription)")
        }
        let output = Self.read(files.appendingPathExtension("out"))
        let errors = Self.read(files.appendingPathExtension("err"))
            .replacingOccurrences(of: source.repository, with: Self.withoutCredentials(source.repository))
        let command = arguments.first { !$0.hasPrefix("-") && !$0.hasPrefix("/") } ?? "git"
        if result.interrupted { throw GitSourceError("git \(command) was stopped: it did not finish within \(timeout), or the action was cancelled") }
        guard result.status == 0 else {
            let detail = errors.trimmingCharacters(in: .whitespacesAndNewlines)
            throw GitSourceError("git \(command) failed (status \(result.status))" + (detail.isEmpty ? "" : ": \(detail.suffix(2000))"))
        }
        return output
    }

    /// Output goes to files and the wait polls, so a slow fetch holds no thread; the timeout or cancellation kills
    /// git's process group (its transport helpers with it).
    private func run(_ arguments: [String], environment: [String: String], output: URL) async throws -> (status: Int32, interrupted: Bool) {
        let outFile = output.appendingPathExtension("out"), errFile = output.appendingPathExtension("err")
        try FileManager.default.createDirectory(at: output.deletingLastPathComponent(), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: outFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        let out = try FileHandle(forWritingTo: outFile), err = try FileHandle(forWritingTo: errFile)
        defer {
            try? out.close()
            try? err.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var interrupted = false
        while process.isRunning {
            if ContinuousClock.now >= deadline || Task.isCancelled {
                interrupted = true
                _ = kill(-process.processIdentifier, SIGKILL)
                _ = kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                break
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return (process.terminationStatus, interrupted)
    }

    private static func read(_ file: URL) -> String {
        guard let handle = try? FileHandle(forReadingFrom: file) else { return "" }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: maxOutputBytes)) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    static func isCommitId(_ text: Substring) -> Bool {
        (text.count == 40 || text.count == 64) && text.allSatisfy(\.isHexDigit)
    }

    static func iso8601(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// `https://user:token@host/x.git` -> `https://host/x.git`, for messages.
    static func withoutCredentials(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.user != nil || components.password != nil else { return url }
        components.user = nil
        components.password = nil
        return components.string ?? url
    }
}

/// A Source/Git action that could not fetch its source.
public struct GitSourceError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
