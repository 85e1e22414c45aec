import DepotBuild
import DepotCore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Puts a project's source into a build's directory: a copy of a server directory, or a git clone at a ref.
/// A stop or the build's timeout kills git (and its helpers, in git's process group).
struct BuildSource {
    let project: BuildProject
    let control: BuildControl
    /// The server's storage: a source directory that is, holds or (through a link made since) leads into it is refused.
    let storage: URL

    func fetch(into destination: URL, log: @Sendable (String) async -> Void) async throws {
        try? FileManager.default.removeItem(at: destination)
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        if let directory = project.sourceDirectory {
            guard !PathOverlap.overlaps(directory, storage.path) else {
                throw DepotError.badRequest("the source directory \(directory) overlaps Depot's storage", code: "InvalidSource")
            }
            await log("[Container] Copying source from \(directory)")
            try FileManager.default.copyItem(at: URL(fileURLWithPath: directory), to: destination)
        } else if let url = project.gitURL {
            await log("[Container] Cloning \(Self.withoutCredentials(url))\(project.gitRef.map { " at \($0)" } ?? "")")
            try await git(["clone", "--quiet", "--", url, destination.path], log: log)
            if let ref = project.gitRef {
                try await git(["-C", destination.path, "checkout", "--quiet", ref], log: log)
            }
        } else if project.inlineBuildspec != nil {
            // CodeBuild's NO_SOURCE: the inline buildspec runs in an empty directory.
            await log("[Container] No source: building in an empty directory")
            try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
        } else {
            throw DepotError.badRequest("the project has no source", code: "InvalidProject")
        }
    }

    private func git(_ arguments: [String], log: @Sendable (String) async -> Void) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        // Output goes to a file and the wait polls, so a long clone never blocks a thread of the cooperative pool.
        let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("depot-git-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputFile) }
        let output = try FileHandle(forWritingTo: outputFile)
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        process.environment = ProcessInfo.processInfo.environment.merging(["GIT_TERMINAL_PROMPT": "0"]) { $1 }
        try process.run()
        let group = process.processIdentifier
        await control.attach { _ = Glibc.kill(-group, SIGKILL) }
        while process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        await control.detach()
        try? output.close()
        let data = (try? Data(contentsOf: outputFile)) ?? Data()
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") { await log(String(line)) }
        if let interruption = await control.interruption { throw BuildInterrupted(interruption: interruption) }
        guard process.terminationStatus == 0 else {
            throw DepotError.badRequest("git \(arguments.first ?? "") failed with status \(process.terminationStatus)", code: "SourceFailed")
        }
    }

    /// The URL to show in the log: `https://user:token@host/x.git` -> `https://host/x.git`.
    static func withoutCredentials(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.user != nil || components.password != nil else { return url }
        components.user = nil
        components.password = nil
        return components.string ?? url
    }
}
