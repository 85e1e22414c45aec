import Foundation

/// Splits the shell's output into lines and picks out the marker lines the session writes after each command.
/// Called from the pipe's reading thread, one chunk at a time.
final class ShellOutputSplitter: @unchecked Sendable {
    /// Output without newlines (progress bars redrawn with `\r`, binary dumps) is cut into lines this long.
    static let maximumLineLength = 64 * 1024
    private let lock = NSLock()
    private var buffer = Data()
    private let marker: String
    private let emit: @Sendable (ShellEvent) -> Void

    init(marker: String, emit: @escaping @Sendable (ShellEvent) -> Void) {
        self.marker = marker
        self.emit = emit
    }

    func consume(_ chunk: Data) {
        lock.lock()
        defer { lock.unlock() }
        buffer.append(chunk)
        while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
            buffer.removeSubrange(buffer.startIndex...newline)
            handle(line)
        }
        // A loaded machine can hand over several pipe buffers at once: cut as many full lines as there are.
        // The tail stays: it may be the start of a marker line.
        let tail = marker.utf8.count + 32
        while buffer.count >= Self.maximumLineLength {
            let cut = buffer.startIndex + min(Self.maximumLineLength, buffer.count - tail)
            emit(.output(String(decoding: buffer[buffer.startIndex..<cut], as: UTF8.self)))
            buffer.removeSubrange(buffer.startIndex..<cut)
        }
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if !buffer.isEmpty { handle(String(decoding: buffer, as: UTF8.self)) }
        buffer.removeAll()
    }

    /// A marker may follow output that had no final newline: that output is a line of its own.
    private func handle(_ raw: String) {
        let line = raw.hasSuffix("\r") ? String(raw.dropLast()) : raw
        guard let range = line.range(of: marker) else {
            emit(.output(line))
            return
        }
        let before = String(line[..<range.lowerBound])
        if !before.isEmpty { emit(.output(before)) }
        let fields = line[range.upperBound...].split(separator: " ", maxSplits: 2).map(String.init)
        if fields.first == "exit", fields.count > 1, let status = Int32(fields[1]) {
            emit(.commandExited(status))
        } else if fields.first == "var", fields.count > 1 {
            let value = fields.count > 2 ? Data(base64Encoded: fields[2]).map { String(decoding: $0, as: UTF8.self) } ?? "" : ""
            emit(.variable(name: fields[1], value: value))
        } else {
            emit(.output(line))
        }
    }
}
