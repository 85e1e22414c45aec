import Foundation

/// The lines Depot itself writes into a build's log, as CodeBuild writes them: `[Container] 2024/01/31 12:00:00.123
/// Entering phase BUILD`. Written by `BuildLogger` and the server's build service, read back for CloudWatch Logs'
/// event times and for the phase a running build is in. Command output lines carry no time of their own.
public enum BuildLogLine {
    static let prefix = "[Container] "

    /// A line of Depot's, stamped with `date`.
    public static func container(_ text: String, at date: Date = Date()) -> String {
        "\(prefix)\(timestamp(date)) \(text)"
    }

    public static func phaseHeader(_ phase: BuildPhaseName, at date: Date = Date()) -> String {
        container("Entering phase \(phase.rawValue)", at: date)
    }

    /// The time stamped on one of Depot's lines; nil for any other line.
    public static func time(of line: Substring) -> Date? {
        guard line.hasPrefix(prefix) else { return nil }
        let stamp = line.dropFirst(prefix.count).prefix(23)
        guard stamp.count == 23 else { return nil }
        return formatter().date(from: String(stamp))
    }

    /// The phase a header line enters; nil for any other line.
    public static func enteredPhase(of line: Substring) -> BuildPhaseName? {
        guard line.hasPrefix(prefix), let range = line.range(of: " Entering phase ") else { return nil }
        return BuildPhaseName(rawValue: String(line[range.upperBound...]).trimmingCharacters(in: .whitespaces))
    }

    static func timestamp(_ date: Date) -> String { formatter().string(from: date) }

    /// A formatter per call: DateFormatter is not safe to share across threads.
    private static func formatter() -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy/MM/dd HH:mm:ss.SSS"
        return formatter
    }
}
