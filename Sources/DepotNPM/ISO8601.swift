import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `2024-01-31T12:34:56.789Z`, the timestamp form npm uses in `time`.
enum ISO8601 {
    static func string(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        let millis = Int((interval - Double(seconds)) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), millis)
    }

    /// Parses npm's `time` values (with or without fractional seconds).
    static func date(_ string: String) -> Date? {
        let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        return (try? withFraction.parse(string)) ?? (try? Date.ISO8601FormatStyle().parse(string))
    }
}
