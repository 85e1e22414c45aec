import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Processes a previous run of the server left behind (it stopped while builds ran): found by the
/// `CODEBUILD_BUILD_ID` in their environment, which every process of a build inherits, and killed.
enum OrphanedBuildProcesses {
    /// Returns how many processes were killed.
    static func kill(buildIDs: Set<String>) -> Int {
        let wanted = Set(buildIDs.map { "CODEBUILD_BUILD_ID=\($0)" })
        var killed = 0
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), pid != getpid(),
                let environ = FileManager.default.contents(atPath: "/proc/\(entry)/environ")
            else { continue }
            let variables = environ.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if variables.contains(where: wanted.contains), Glibc.kill(pid, SIGKILL) == 0 { killed += 1 }
        }
        return killed
    }
}
