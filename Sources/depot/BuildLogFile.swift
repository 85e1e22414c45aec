import Foundation

/// Appends a build's (already masked) log lines to a file and echoes them to the terminal.
actor BuildLogFile {
    private let handle: FileHandle?
    private let echo: Bool

    init(path: String, echo: Bool) {
        _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        handle = FileHandle(forWritingAtPath: path)
        self.echo = echo
    }

    func append(_ line: String) {
        try? handle?.write(contentsOf: Data((line + "\n").utf8))
        if echo {
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
    }

    func close() {
        try? handle?.close()
    }
}
