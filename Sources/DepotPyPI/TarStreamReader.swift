import DepotCore

/// Reads a tar stream fed in arbitrary chunks and hands back the first regular file that `wants` picks,
/// skipping everything else without keeping it. Understands ustar names with a prefix, GNU long names
/// (`L` entries) and pax extended headers (`x`), which is what sdist builders emit for long paths.
struct TarStreamReader {
    struct Entry {
        var path: String
        var data: [UInt8]
    }

    /// Decides, from the normalized path (no leading `./`), whether a regular file is the one wanted.
    let wants: (String) -> Bool
    /// Largest wanted file accepted; a bigger one is refused rather than buffered.
    let maxEntrySize: Int
    /// Largest GNU long name or pax header accepted (they are buffered to read the next entry's path).
    let maxHeaderDataSize = 1 << 20
    /// Most entries read (headers of every kind): a tar of millions of empty files is refused, not walked.
    let maxEntries: Int
    private var entryCount = 0

    private enum Purpose {
        case skip
        case longName
        case pax
        case capture(path: String)
    }

    private enum State {
        case header
        case data(remaining: Int, padding: Int, purpose: Purpose)
        case padding(remaining: Int)
        case finished
    }

    private var state = State.header
    private var block: [UInt8] = []
    private var captured: [UInt8] = []
    /// Path and size announced by a GNU long name or pax header for the entry that follows.
    private var nextPath: String?
    private var nextSize: Int?

    init(maxEntrySize: Int, maxEntries: Int = InputLimits().maxArchiveEntries, wants: @escaping (String) -> Bool) {
        self.maxEntrySize = maxEntrySize
        self.maxEntries = maxEntries
        self.wants = wants
        block.reserveCapacity(512)
    }

    /// True once the end-of-archive block has been read.
    var isFinished: Bool {
        if case .finished = state { return true }
        return false
    }

    /// Feeds the next bytes of the stream; returns the wanted entry as soon as it is complete.
    mutating func consume(_ bytes: UnsafeRawBufferPointer) throws -> Entry? {
        var index = 0
        while index < bytes.count {
            switch state {
            case .finished:
                return nil
            case .header:
                let take = min(512 - block.count, bytes.count - index)
                block.append(contentsOf: bytes[index..<index + take])
                index += take
                if block.count == 512 {
                    let header = block
                    block.removeAll(keepingCapacity: true)
                    if let entry = try startEntry(header) { return entry }
                }
            case .data(let remaining, let padding, let purpose):
                let take = min(remaining, bytes.count - index)
                if case .skip = purpose {} else { captured.append(contentsOf: bytes[index..<index + take]) }
                index += take
                state = .data(remaining: remaining - take, padding: padding, purpose: purpose)
                if remaining == take, let entry = try finishEntry(purpose: purpose, padding: padding) { return entry }
            case .padding(let remaining):
                let take = min(remaining, bytes.count - index)
                index += take
                state = remaining == take ? .header : .padding(remaining: remaining - take)
            }
        }
        return nil
    }

    /// Reads a 512-byte header and sets up how its data is handled.
    private mutating func startEntry(_ header: [UInt8]) throws -> Entry? {
        if header.allSatisfy({ $0 == 0 }) {
            state = .finished
            return nil
        }
        entryCount += 1
        guard entryCount <= maxEntries else {
            throw DepotError.badRequest("not a valid sdist: more than \(maxEntries) tar entries", code: "TooManyEntries")
        }
        guard let recorded = Self.octal(header[148..<156]), Self.checksums(header).contains(recorded) else {
            throw Self.corrupt("header checksum mismatch")
        }
        guard var size = Self.size(header[124..<136]) else { throw Self.corrupt("bad size field") }
        let type = header[156]
        let purpose: Purpose
        switch type {
        case UInt8(ascii: "L"), UInt8(ascii: "x"):
            guard size <= maxHeaderDataSize else { throw Self.corrupt("extended header of \(size) bytes") }
            purpose = type == UInt8(ascii: "L") ? .longName : .pax
        case UInt8(ascii: "0"), 0, UInt8(ascii: "7"):
            let path = Self.normalize(nextPath ?? Self.headerPath(header))
            size = nextSize ?? size
            nextPath = nil
            nextSize = nil
            if wants(path) {
                guard size <= maxEntrySize else {
                    throw DepotError.badRequest(
                        "\(path) is \(size) bytes, more than the \(maxEntrySize) allowed", code: "MetadataTooLarge")
                }
                purpose = .capture(path: path)
            } else {
                purpose = .skip
            }
        default:
            // Directories, links, global pax headers, GNU long link names: nothing to read.
            if type != UInt8(ascii: "g"), type != UInt8(ascii: "K") {
                nextPath = nil
                nextSize = nil
            }
            purpose = .skip
        }
        captured.removeAll(keepingCapacity: true)
        let padding = (512 - size % 512) % 512
        state = .data(remaining: size, padding: padding, purpose: purpose)
        return size == 0 ? try finishEntry(purpose: purpose, padding: padding) : nil
    }

    private mutating func finishEntry(purpose: Purpose, padding: Int) throws -> Entry? {
        state = padding > 0 ? .padding(remaining: padding) : .header
        switch purpose {
        case .skip:
            return nil
        case .longName:
            let end = captured.firstIndex(of: 0) ?? captured.endIndex
            nextPath = String(decoding: captured[..<end], as: UTF8.self)
        case .pax:
            let records = try Self.paxRecords(captured)
            if let path = records["path"] { nextPath = path }
            if let text = records["size"] {
                guard let size = Int(text), size >= 0 else { throw Self.corrupt("bad pax size") }
                nextSize = size
            }
        case .capture(let path):
            return Entry(path: path, data: captured)
        }
        return nil
    }

    /// `name`, or `prefix/name` in the POSIX ustar layout (GNU tar's old layout has no prefix field).
    private static func headerPath(_ header: [UInt8]) -> String {
        let name = cString(header[0..<100])
        let isPOSIX = header[257..<263].elementsEqual(Array("ustar".utf8) + [0])
        let prefix = isPOSIX ? cString(header[345..<500]) : ""
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    /// Drops leading `./` so `./pkg-1.0/PKG-INFO` and `pkg-1.0/PKG-INFO` are the same entry.
    static func normalize(_ path: String) -> String {
        var path = Substring(path)
        while path.hasPrefix("./") { path = path.dropFirst(2) }
        return String(path)
    }

    private static func cString(_ bytes: ArraySlice<UInt8>) -> String {
        let end = bytes.firstIndex(of: 0) ?? bytes.endIndex
        return String(decoding: bytes[..<end], as: UTF8.self)
    }

    /// Unsigned and (for old tars) signed sums, with the checksum field counted as spaces.
    private static func checksums(_ header: [UInt8]) -> [Int] {
        var unsigned = 0, signed = 0
        for (i, b) in header.enumerated() {
            let byte = (148..<156).contains(i) ? UInt8(ascii: " ") : b
            unsigned += Int(byte)
            signed += Int(Int8(bitPattern: byte))
        }
        return [unsigned, signed]
    }

    /// NUL- or space-terminated octal digits; an empty field is 0, any other character makes it invalid.
    private static func octal(_ field: ArraySlice<UInt8>) -> Int? {
        var value = 0
        var digits = 0
        for b in field {
            if b == 0 || b == UInt8(ascii: " ") {
                if digits > 0 { break } else { continue }
            }
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "7"), digits < 21 else { return nil }
            value = value * 8 + Int(b - UInt8(ascii: "0"))
            digits += 1
        }
        return value
    }

    /// Octal, or GNU base-256 (high bit of the first byte set) for sizes over 8 GiB.
    private static func size(_ field: ArraySlice<UInt8>) -> Int? {
        guard let first = field.first, first & 0x80 != 0 else { return octal(field) }
        var value = Int(first & 0x7f)
        for b in field.dropFirst() {
            guard value < Int.max >> 8 else { return nil }
            value = value << 8 | Int(b)
        }
        return value
    }

    /// pax records: `<length> <key>=<value>\n`, the length counting the whole record.
    private static func paxRecords(_ data: [UInt8]) throws -> [String: String] {
        var records: [String: String] = [:]
        var index = 0
        while index < data.count {
            if data[index] == 0 { break }
            // The length is untrusted: compare it with what is left, never add it to `index` unchecked.
            guard let space = data[index...].firstIndex(of: UInt8(ascii: " ")),
                let length = Int(String(decoding: data[index..<space], as: UTF8.self)), length > 0,
                length <= data.count - index, data[index + length - 1] == UInt8(ascii: "\n"),
                let equals = data[(space + 1)..<(index + length)].firstIndex(of: UInt8(ascii: "="))
            else { throw corrupt("bad pax header") }
            let key = String(decoding: data[(space + 1)..<equals], as: UTF8.self)
            records[key] = String(decoding: data[(equals + 1)..<(index + length - 1)], as: UTF8.self)
            index += length
        }
        return records
    }

    private static func corrupt(_ detail: String) -> DepotError {
        DepotError.badRequest("not a valid sdist: corrupt tar archive (\(detail))", code: "InvalidDistribution")
    }
}
