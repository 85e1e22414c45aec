/// String tests for the request path, compared byte by byte. With Foundation imported, `contains`, `range(of:)` and
/// `trimmingCharacters` on Linux go through NSString: a profile under load showed them at several per cent of a
/// request. For ASCII needles a UTF-8 byte match is the same answer (multi-byte sequences hold no ASCII bytes).
extension StringProtocol {
    /// Whether `needle` occurs.
    public func includes(_ needle: some StringProtocol) -> Bool {
        // A plain byte scan: the standard library's generic `firstRange(of:)` was a tenth of an npm request's CPU.
        let pattern = Array(needle.utf8)
        guard !pattern.isEmpty else { return true }
        return utf8.withContiguousStorageIfAvailable { ByteScan.contains(pattern, in: $0) } ?? ByteScan.contains(pattern, in: Array(utf8))
    }

    /// Without leading and trailing spaces and tabs.
    public func trimmingBlanks() -> SubSequence {
        // Over bytes, not Characters: blanks are ASCII, and grapheme breaking is costly on every request's header.
        let blank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        let bytes = utf8
        guard let first = bytes.firstIndex(where: { !blank($0) }) else { return self[endIndex...] }
        var end = first
        var index = first
        while index != bytes.endIndex {
            let next = bytes.index(after: index)
            if !blank(bytes[index]) { end = next }
            index = next
        }
        return self[first..<end]
    }
}

/// Substring search over bytes, for the short needles path checks use.
enum ByteScan {
    static func contains(_ pattern: [UInt8], in haystack: some RandomAccessCollection<UInt8>) -> Bool {
        guard haystack.count >= pattern.count else { return false }
        let first = pattern[0]
        var start = haystack.startIndex
        let lastStart = haystack.index(haystack.endIndex, offsetBy: -pattern.count)
        while start <= lastStart {
            if haystack[start] == first, haystack[start...].starts(with: pattern) { return true }
            start = haystack.index(after: start)
        }
        return false
    }
}
