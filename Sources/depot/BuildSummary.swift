import DepotBuild
import Foundation

/// The end-of-build summary `depot build run` prints: status, phases with durations, reports, variables, artifacts.
enum BuildSummary {
    static func text(_ result: BuildResult, logFile: String?) -> String {
        var lines = ["", "Build \(result.id) \(result.status.rawValue) in \(seconds(result.endTime.timeIntervalSince(result.startTime)))"]
        if let message = result.message, result.status != .succeeded { lines.append("  \(message)") }
        lines.append("Phases:")
        for phase in result.phases {
            let name = phase.phase.rawValue.padding(toLength: 17, withPad: " ", startingAt: 0)
            let status = phase.status.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
            lines.append("  \(name)\(status)\(seconds(phase.durationSeconds))")
        }
        if !result.reports.isEmpty {
            lines.append("Reports:")
            for report in result.reports {
                lines.append(
                    "  \(report.group): \(report.total) tests, \(report.passed) passed, \(report.failed) failed, \(report.skipped) skipped (\(seconds(report.durationSeconds)))"
                )
                for failure in report.failures {
                    lines.append("    \(failure.kind) \(failure.suite) > \(failure.name): \(failure.message)")
                }
            }
        }
        if !result.exportedVariables.isEmpty {
            lines.append("Exported variables:")
            for (name, value) in result.exportedVariables.sorted(by: { $0.key < $1.key }) { lines.append("  \(name)=\(value)") }
        }
        if !result.artifacts.isEmpty {
            lines.append("Artifacts:")
            for artifact in result.artifacts {
                lines.append("  \(artifact.location) (\(artifact.files.count) files, \(artifact.size) bytes)")
            }
        }
        if let logFile { lines.append("Log: \(logFile)") }
        return lines.joined(separator: "\n")
    }

    static func seconds(_ value: Double) -> String {
        String(format: "%.1fs", value)
    }
}
