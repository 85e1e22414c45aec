/// Splits a byte stream into lines across chunk boundaries (the console's live build log, the CLI's followed
/// logs). A line longer than `maximumLength` bytes (output without line breaks: progress bars, binary dumps) is cut,
/// so what is held stays bounded whatever the stream contains.
public struct LineSplitter: Sendable {
    /// The build runner cuts its output lines at the same length.
    public static let defaultMaximumLength = 64 * 1024
    public let maximumLength: Int
    private var partial: [UInt8] = []

    public init(maximumLength: Int = defaultMaximumLength) {
        self.maximumLength = max(1, maximumLength)
    }

    /// The lines completed by `chunk`, without their line breaks.
    public mutating func append(_ chunk: some Sequence<UInt8>) -> [String] {
        appendMeasured(chunk).map(\.line)
    }

    /// The lines completed by `chunk`, each with how many bytes of the stream it took (its line break included), so a
    /// reader can tell where each line starts (CloudWatch Logs' tokens are positions in a build's log).
    public mutating func appendMeasured(_ chunk: some Sequence<UInt8>) -> [(line: String, length: Int)] {
        partial += chunk
        var lines: [(line: String, length: Int)] = []
        var start = partial.startIndex
        while start < partial.endIndex {
            let window = partial[start...].prefix(maximumLength)
            if let newline = window.firstIndex(of: UInt8(ascii: "\n")) {
                lines.append((String(decoding: partial[start..<newline], as: UTF8.self), newline + 1 - start))
                start = newline + 1
            } else if window.count == maximumLength {
                lines.append((String(decoding: window, as: UTF8.self), window.count))
                start = window.endIndex
            } else {
                break
            }
        }
        partial.removeSubrange(..<start)
        return lines
    }

    /// What is left after the last line break, if anything.
    public mutating func rest() -> String? {
        defer { partial.removeAll() }
        return partial.isEmpty ? nil : String(decoding: partial, as: UTF8.self)
    }
}
