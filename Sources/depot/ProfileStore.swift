import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where the CLI's profiles live (`$XDG_CONFIG_HOME/depot/config.toml`, else `~/.config/depot/config.toml`) and how
/// the file is read and replaced. It holds tokens, so it is private from its first byte: directories 0700, file 0600.
struct ProfileStore: Sendable {
    let path: String

    init(environment: [String: String]) {
        // The XDG base directory spec says a relative XDG_CONFIG_HOME is to be ignored.
        let base: String
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            base = xdg
        } else {
            let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? FileManager.default.homeDirectoryForCurrentUser.path
            base = (home as NSString).appendingPathComponent(".config")
        }
        path = ((base as NSString).appendingPathComponent("depot") as NSString).appendingPathComponent("config.toml")
    }

    /// The profiles, or none when the file does not exist yet.
    func load() throws -> ProfileFile {
        guard FileManager.default.fileExists(atPath: path) else { return ProfileFile() }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ClientError.usage("cannot read \(path): \(CLIFailure.words(for: error))")
        }
        do {
            return try ProfileFile(parsing: text)
        } catch let error as ProfileFileError {
            throw ClientError.usage("\(path):\(error.line): \(error.message)")
        }
    }

    /// Whether others than the owner may read the file (a token in it would be theirs too).
    var isReadableByOthers: Bool {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue
        else { return false }
        return mode & 0o077 != 0
    }

    /// Replaces the file atomically: a private temporary file next to it, flushed, then renamed over it.
    func save(_ file: ProfileFile) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try Self.createPrivateDirectories(directory)
        let temporary = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ClientError.usage("cannot write \(temporary): \(Self.lastError())") }
        // fchmod: a umask could only narrow 0600, but a file that is private must not depend on it.
        var written = fchmod(descriptor, 0o600) == 0
        let bytes = Array(file.text.utf8)
        var offset = 0
        while written, offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { written = false } else { offset += count }
        }
        written = written && fsync(descriptor) == 0
        let reason = Self.lastError()
        close(descriptor)
        guard written, rename(temporary, path) == 0 else {
            let failure = written ? Self.lastError() : reason
            unlink(temporary)
            throw ClientError.usage("cannot write \(path): \(failure)")
        }
    }

    /// Creates each missing directory of `directory` with mode 0700 (existing ones, such as ~/.config, are left as they are).
    private static func createPrivateDirectories(_ directory: String) throws {
        var missing: [String] = []
        var current = directory
        while !current.isEmpty, current != "/", !FileManager.default.fileExists(atPath: current) {
            missing.append(current)
            current = (current as NSString).deletingLastPathComponent
        }
        for path in missing.reversed() {
            guard mkdir(path, 0o700) == 0 || errno == EEXIST else {
                throw ClientError.usage("cannot create the directory \(path): \(lastError())")
            }
        }
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}
