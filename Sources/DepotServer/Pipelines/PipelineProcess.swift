import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs a short tool (unzip, sh) for a pipeline action: output captured in a file, the wait polled so no thread of
/// the cooperative pool blocks; cancelling the task kills the process group.
enum PipelineProcess {
    struct Status: Sendable {
        var code: Int32
        var output: String
    }

    static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) async throws -> Status {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("depot-pipeline-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputFile) }
        let output = try FileHandle(forWritingTo: outputFile)
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let pid = process.processIdentifier
        while process.isRunning {
            if Task.isCancelled { _ = Glibc.kill(pid, SIGKILL) }
            try? await Task.sleep(for: .milliseconds(50))
        }
        try? output.close()
        let data = (try? Data(contentsOf: outputFile)) ?? Data()
        return Status(code: process.terminationStatus, output: String(decoding: data.suffix(4000), as: UTF8.self))
    }
}
