import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The CLI never hangs: each way a request can fail ends the real `depot` binary within 2 s with one `depot: ...`
/// line on standard error and the exit code of its kind (3 auth, 4 not found, 5 server, 6 connection).
@Suite("CLI failures")
struct CLIFailureTests {
    /// A run of `depot` with nothing inherited that could pick a server or token (no variables, no profile, no
    /// ./storage), timed.
    struct Run {
        let result: CommandResult
        let seconds: Double

        /// The one line on standard error.
        var line: String { result.stderr.trimmingCharacters(in: .newlines) }
    }

    static func depot(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> Run {
        var env = [
            "HOME": directory.path, "XDG_CONFIG_HOME": "", "DEPOT_URL": "", "DEPOT_TOKEN": "", "DEPOT_PROFILE": "", "DEPOT_CA_CERT": "",
            "DEPOT_REQUEST_TIMEOUT": "",
        ]
        env.merge(environment) { $1 }
        let started = Date()
        let result = try Command.run(DepotProcess.binary, arguments, in: directory, environment: env, timeout: 30)
        return Run(result: result, seconds: Date().timeIntervalSince(started))
    }

    /// Expects a prompt failure with exit code `status` and exactly one line on standard error.
    static func expectFailure(_ run: Run, status: Int32, line: String, within seconds: Double = 2) {
        #expect(run.seconds < seconds, "took \(run.seconds) s: \(run.result.output)")
        #expect(run.result.status == status, "\(run.result.output)")
        #expect(run.line == line, "\(run.result.stderr)")
        #expect(!run.line.contains("\n"), "\(run.result.stderr)")
        #expect(run.result.stdout.isEmpty, "\(run.result.stdout)")
    }

    @Test("no token: 401 says how to pass one (exit 3)")
    func noToken() throws {
        let ws = try Workspace()
        try ws.server.start()
        let run = try Self.depot(["domain", "list"], in: try ws.directory("elsewhere"), environment: ["DEPOT_URL": ws.server.url])
        Self.expectFailure(
            run, status: 3, line: "depot: 401 Unauthorized: no token was sent; pass --token, set DEPOT_TOKEN, or run 'depot configure'")
    }

    @Test("a wrong token: 401 names where the token came from, never the token (exit 3)")
    func wrongToken() throws {
        let ws = try Workspace()
        try ws.server.start()
        let wrong = "dpt_not-a-real-token-\(UUID().uuidString)"
        let run = try Self.depot(
            ["domain", "list"], in: try ws.directory("elsewhere"), environment: ["DEPOT_URL": ws.server.url, "DEPOT_TOKEN": wrong])
        Self.expectFailure(
            run, status: 3,
            line: "depot: 401 Unauthorized: the token is unknown, expired or revoked (token from DEPOT_TOKEN); "
                + "pass a valid one with --token, DEPOT_TOKEN or 'depot configure'")
        let garbage = try Self.depot(["domain", "list", "--url", ws.server.url, "--token", "garbage"], in: try ws.directory("elsewhere"))
        Self.expectFailure(
            garbage, status: 3,
            line: "depot: 401 Unauthorized: the token is not a Depot token (token from --token); "
                + "pass a valid one with --token, DEPOT_TOKEN or 'depot configure'")
        #expect(!run.result.output.contains(wrong))
    }

    @Test("server down: connection refused at once, not retried until a deadline (exit 6)")
    func serverDown() throws {
        let closed = try ClosedPort()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("depot-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = "http://127.0.0.1:\(closed.port)"
        for arguments in [["domain", "list"], ["build", "logs", "--domain", "acme", "some-build", "--follow"]] {
            let run = try Self.depot(arguments + ["--url", url, "--token", "dpt_x"], in: directory)
            Self.expectFailure(run, status: 6, line: "depot: cannot connect to \(url)/: connection refused")
        }
    }

    @Test("404: the server's code and message (exit 4)")
    func notFound() throws {
        let ws = try Workspace()
        try ws.server.start()
        let run = try Self.depot(
            ["domain", "describe", "missing"], in: try ws.directory("elsewhere"),
            environment: ["DEPOT_URL": ws.server.url, "DEPOT_TOKEN": ws.server.adminToken])
        Self.expectFailure(run, status: 4, line: "depot: 404 Not Found (DomainNotFound): domain 'missing' does not exist")
    }

    @Test("500 from whatever answers (here a stand-in): the first line of its body (exit 5); a silent server times out (exit 6)")
    func serverErrorAndTimeout() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("depot-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let standIn = try StandInRegistry(root: root.appendingPathComponent("stand-in"))
        try standIn.start()
        defer { standIn.stop() }
        let directory = root.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)

        try await standIn.setMode(.status500)
        let failed = try Self.depot(["domain", "list", "--url", standIn.url, "--token", "dpt_x"], in: directory)
        Self.expectFailure(failed, status: 5, line: "depot: 500 Internal Server Error: stand-in: simulated internal server error")

        try await standIn.setMode(.slow, seconds: 30)
        let slow = try Self.depot(
            ["domain", "list", "--url", standIn.url, "--token", "dpt_x"], in: directory, environment: ["DEPOT_REQUEST_TIMEOUT": "1"])
        Self.expectFailure(
            slow, status: 6,
            line: "depot: no answer from \(standIn.url)/ within 1 s (wait longer with --request-timeout or DEPOT_REQUEST_TIMEOUT)",
            within: 3)
    }

    @Test("usage errors exit 2: a bad URL, an unknown option")
    func usage() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("depot-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let badURL = try Self.depot(["domain", "list", "--url", "ftp://example.com"], in: directory)
        Self.expectFailure(
            badURL, status: 2, line: "depot: invalid server URL 'ftp://example.com': expected http://HOST[:PORT] or https://HOST[:PORT]")
        let unknown = try Self.depot(["domain", "list", "--no-such-option"], in: directory)
        #expect(unknown.result.status == 2, "\(unknown.result.output)")
        #expect(unknown.result.stderr.contains("Unknown option '--no-such-option'"), "\(unknown.result.stderr)")
    }

    @Test("shell completion scripts for bash, zsh and fish")
    func completionScripts() throws {
        let directory = FileManager.default.temporaryDirectory
        for (shell, marker) in [("bash", "-F _depot depot"), ("zsh", "#compdef depot"), ("fish", "complete -c 'depot'")] {
            let run = try Self.depot(["--generate-completion-script", shell], in: directory)
            #expect(run.result.succeeded, "\(run.result.output)")
            #expect(run.result.stdout.contains(marker), "\(shell): \(run.result.stdout.prefix(300))")
            #expect(run.result.stdout.contains("configure"), "\(shell)")
        }
    }
}

/// A local TCP port bound but not listening, for as long as this value lives: connecting to it is refused, and no
/// other process can take it meanwhile.
final class ClosedPort {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard fd >= 0, bound else {
            if fd >= 0 { close(fd) }
            throw DepotProcessError(message: "cannot bind a local port")
        }
        descriptor = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }
}
