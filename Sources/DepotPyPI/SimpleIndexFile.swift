import Foundation

/// One distribution file as the Simple API lists it (PEP 503, 592, 658, 691, 700, 714).
public struct SimpleIndexFile: Sendable, Hashable {
    public var filename: String
    /// Where the file is downloaded from (absolute, or relative to the project page).
    public var url: String
    /// Hex SHA-256 of the file.
    public var sha256: String
    public var size: Int64
    public var uploadTime: Date
    /// The release this file belongs to (for PEP 700 `versions`).
    public var version: String
    /// `Requires-Python` of the file's metadata, raw (escaping is the renderer's job).
    public var requiresPython: String?
    /// Hex SHA-256 of the core metadata served at `<url>.metadata`; nil when none is served (PEP 658).
    public var metadataSHA256: String?
    /// nil: not yanked; `.some(nil)`: yanked without a reason; `.some(reason)`: yanked with one (PEP 592).
    public var yankedReason: String??

    public init(
        filename: String, url: String, sha256: String, size: Int64, uploadTime: Date, version: String,
        requiresPython: String? = nil, metadataSHA256: String? = nil, yankedReason: String?? = nil
    ) {
        self.filename = filename
        self.url = url
        self.sha256 = sha256
        self.size = size
        self.uploadTime = uploadTime
        self.version = version
        self.requiresPython = requiresPython
        self.metadataSHA256 = metadataSHA256
        self.yankedReason = yankedReason
    }

    public var isYanked: Bool { yankedReason != nil }
}

/// Constants and helpers shared by the Simple API renderers.
public enum SimpleIndex {
    /// PEP 691 API version; 1.1 announces the PEP 700 fields (`versions`, `size`, `upload-time`).
    public static let apiVersion = "1.1"

    /// Escapes text for HTML element content and double- or single-quoted attribute values.
    public static func escapeHTML(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// `2024-01-31T12:34:56.789012Z`: the PEP 700 `upload-time` form (UTC, microseconds, `Z`).
    public static func uploadTimeString(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        var seconds = micros / 1_000_000
        var fraction = micros % 1_000_000
        if fraction < 0 {
            seconds -= 1
            fraction += 1_000_000
        }
        // Civil-from-days (Howard Hinnant): no locale, no time zone database, no Foundation formatter.
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ n: Int64, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):"
            + "\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(fraction, 6))Z"
    }

    /// Distinct versions, oldest first by PEP 440 (unparsable ones first, by text).
    public static func sortedVersions(_ versions: some Sequence<String>) -> [String] {
        Array(Set(versions)).sorted { a, b in
            switch (PEP440Version(a), PEP440Version(b)) {
            case let (x?, y?): x == y ? a < b : x < y
            case (nil, .some): true
            case (.some, nil): false
            case (nil, nil): a < b
            }
        }
    }
}
