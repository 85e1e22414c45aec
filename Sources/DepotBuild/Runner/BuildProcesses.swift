import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A build's processes found by the `CODEBUILD_BUILD_ID` in their environment, which every process of a build
/// inherits, even one that left the shell's process group (`setsid`, a daemon): those a previous run of the
/// server left behind, and those that escaped the group kill at the end of a build.
public enum BuildProcesses {
    /// Kills them; returns how many were killed.
    public static func kill(buildIDs: Set<String>) -> Int {
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
