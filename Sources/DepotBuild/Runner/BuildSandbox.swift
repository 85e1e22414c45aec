import Foundation

/// Where a build's shell runs: directly as the caller's user, or inside a bubblewrap sandbox that shows the
/// system read-only, the build's source and scratch directories writable, a private /tmp, and nothing else of
/// the host (the server's storage in particular: its admin token, secrets key, database and other builds).
public enum BuildSandbox: Sendable, Equatable {
    case none
    case bubblewrap(BubblewrapSandbox)

    /// bubblewrap when `bwrap` is installed, else none.
    public static func preferred(hiddenPaths: [String] = [], environment: [String: String] = ProcessInfo.processInfo.environment)
        -> BuildSandbox
    {
        guard let executable = BubblewrapSandbox.locate(environment: environment) else { return .none }
        return .bubblewrap(BubblewrapSandbox(executable: executable, hiddenPaths: hiddenPaths))
    }

    public var name: String {
        switch self {
        case .none: "none"
        case .bubblewrap: "bubblewrap"
        }
    }

    /// The executable and arguments that start `shell` for a build writing only to `writable`.
    /// `scratch` (one of `writable`) receives the sandbox's passwd and group files.
    func command(
        shell: String, arguments: [String], writable: [URL], scratch: URL, workingDirectory: URL, environment: [String: String]
    ) throws -> (executable: String, arguments: [String]) {
        switch self {
        case .none:
            return (shell, arguments)
        case .bubblewrap(let sandbox):
            let passwd = try sandbox.writeIdentityFiles(into: scratch, home: environment["HOME"])
            return (
                sandbox.executable,
                sandbox.arguments(writable: writable, identityFiles: passwd, workingDirectory: workingDirectory, path: environment["PATH"])
                    + ["--", shell] + arguments
            )
        }
    }
}

/// A bubblewrap (`bwrap`) sandbox: user, PID, IPC and UTS namespaces, the build as an unprivileged uid, killed
/// with the server. The network is shared so that builds reach Depot over loopback.
public struct BubblewrapSandbox: Sendable, Equatable {
    /// The uid and gid the build runs as inside the sandbox (files it writes belong to the server's user outside).
    public static let buildUID = 1000
    static let systemDirectories = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt"]

    public var executable: String
    /// Paths the sandbox never shows, nor any directory that contains them (the server's storage directory).
    public var hiddenPaths: [String]

    public init(executable: String, hiddenPaths: [String]) {
        self.executable = executable
        self.hiddenPaths = hiddenPaths.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }
    }

    static func locate(environment: [String: String]) -> String? {
        let directories = (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
        return (directories + ["/usr/bin"]).map { $0 + "/bwrap" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    func arguments(writable: [URL], identityFiles: (passwd: URL, group: URL), workingDirectory: URL, path: String?) -> [String] {
        var arguments = [
            "--die-with-parent", "--unshare-user", "--uid", String(Self.buildUID), "--gid", String(Self.buildUID),
            "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--hostname", "depot-build",
        ]
        for directory in Self.systemDirectories {
            let url = URL(fileURLWithPath: directory)
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: directory) {
                arguments += ["--symlink", target, directory]
            } else if FileManager.default.fileExists(atPath: url.path), isShown(url.path) {
                arguments += ["--ro-bind", directory, directory]
            }
        }
        arguments += [
            "--ro-bind", identityFiles.passwd.path, "/etc/passwd", "--ro-bind", identityFiles.group.path, "/etc/group",
            "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/var/tmp", "--tmpfs", "/run",
        ]
        // After the tmpfs mounts, which would hide tools installed under /tmp (a checkout's virtualenv, say).
        for prefix in toolPrefixes(path: path) { arguments += ["--ro-bind", prefix, prefix] }
        // /run holds sockets (docker, dbus) and stays private; a resolv.conf that links into it is shown alone.
        let resolver = URL(fileURLWithPath: "/etc/resolv.conf").resolvingSymlinksInPath().path
        if resolver.hasPrefix("/run/"), FileManager.default.fileExists(atPath: resolver) { arguments += ["--ro-bind", resolver, resolver] }
        for directory in writable { arguments += ["--bind", directory.path, directory.path] }
        arguments += ["--chdir", workingDirectory.path]
        return arguments
    }

    /// The install prefixes of PATH entries outside the system directories (`~/.pyenv` for `~/.pyenv/shims`, a
    /// virtualenv for its `bin`), read-only: the build finds the server's tools. Never one that holds a hidden path.
    public func toolPrefixes(path: String?) -> [String] {
        var prefixes: [String] = []
        var entries = (path ?? "").split(separator: ":").map(String.init)
        var index = 0
        while index < entries.count {
            let entry = entries[index]
            index += 1
            guard entry.hasPrefix("/") else { continue }
            let resolved = URL(fileURLWithPath: entry).resolvingSymlinksInPath()
            guard FileManager.default.fileExists(atPath: resolved.path) else { continue }
            let parent = resolved.deletingLastPathComponent()
            var candidate = ["bin", "sbin", "shims"].contains(resolved.lastPathComponent) ? parent : resolved
            if candidate.pathComponents.count < 3 || !isShown(candidate.path) { candidate = resolved }
            guard isShown(candidate.path), !isUnderSystemDirectory(candidate.path) else { continue }
            guard !prefixes.contains(where: { candidate.path == $0 || candidate.path.hasPrefix($0 + "/") }) else { continue }
            prefixes.removeAll { $0.hasPrefix(candidate.path + "/") }
            prefixes.append(candidate.path)
            // A virtualenv's interpreter is a link to its base installation, named by `home` in pyvenv.cfg.
            if let home = Self.virtualenvHome(candidate) { entries.append(home) }
        }
        return prefixes
    }

    static func virtualenvHome(_ prefix: URL) -> String? {
        guard let text = try? String(contentsOf: prefix.appendingPathComponent("pyvenv.cfg"), encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, parts[0] == "home" { return parts[1] }
        }
        return nil
    }

    /// False for a hidden path, anything inside one, and any directory that contains one.
    public func isShown(_ path: String) -> Bool {
        !hiddenPaths.contains { PathOverlap.inside(path, $0) || PathOverlap.inside($0, path) }
    }

    private func isUnderSystemDirectory(_ path: String) -> Bool {
        Self.systemDirectories.contains { path == $0 || path.hasPrefix($0 + "/") }
    }

    /// passwd and group files naming the build's uid (tools such as `whoami`, ssh and Java look it up), with HOME.
    func writeIdentityFiles(into directory: URL, home: String?) throws -> (passwd: URL, group: URL) {
        let uid = String(Self.buildUID)
        func entries(_ file: String, without id: String) -> String {
            let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").filter { line in
                let fields = line.split(separator: ":", omittingEmptySubsequences: false)
                return fields.count > 2 && fields[2] != id && fields[0] != "depot-build"
            }.joined(separator: "\n")
        }
        let passwd = entries("/etc/passwd", without: uid) + "\ndepot-build:x:\(uid):\(uid):Depot build:\(home ?? "/tmp"):/bin/bash\n"
        let group = entries("/etc/group", without: uid) + "\ndepot-build:x:\(uid):\n"
        let passwdFile = directory.appendingPathComponent(".sandbox-passwd")
        let groupFile = directory.appendingPathComponent(".sandbox-group")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(passwd.utf8).write(to: passwdFile)
        try Data(group.utf8).write(to: groupFile)
        return (passwdFile, groupFile)
    }
}
