/// String tests for the request path, compared byte by byte. With Foundation imported, `contains`, `range(of:)` and
/// `trimmingCharacters` on Linux go through NSString: a profile under load showed them at several per cent of a
/// request. For ASCII needles a UTF-8 byte match is the same answer (multi-byte sequences hold no ASCII bytes).
extension StringProtocol {
    /// Whether `needle` occurs.
    public func includes(_ needle: some StringProtocol) -> Bool {
        utf8.firstRange(of: needle.utf8) != nil
    }

    /// Without leading and trailing spaces and tabs.
    public func trimmingBlanks() -> SubSequence {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !blank($0) }), let last = lastIndex(where: { !blank($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}
