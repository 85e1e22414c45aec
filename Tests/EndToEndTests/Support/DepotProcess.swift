import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real `depot serve` on a free port with its own storage directory.
final class DepotProcess: @unchecked Sendable {
    let storage: URL
    let logFile: URL
    private(set) var url: String = ""
    private var process: Process?
    /// More `depot serve` arguments (e.g. `--tls-cert`), appended after the defaults so they win.
    var serveArguments: [String] = []
    /// Variables every `cli(...)` call gets (e.g. DEPOT_CA_CERT for a TLS server).
    var clientEnvironment: [String: String] = [:]

    /// The `depot` binary: `$DEPOT_BIN` (set by scripts/test) or `.build/debug/depot` of this package.
    static var binary: String {
        if let bin = ProcessInfo.processInfo.environment["DEPOT_BIN"] { return bin }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/depot").path
    }

    init(storage: URL) {
        self.storage = storage
        logFile = storage.deletingLastPathComponent().appendingPathComponent("depot-\(UUID().uuidString).log")
    }

    var adminToken: String {
        ((try? String(contentsOf: storage.appendingPathComponent("admin.token"), encoding: .utf8)) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// Starts the server on port 0 and waits for its "Depot ready at <url>" line.
    func start(environment: [String: String] = [:]) throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary), "build the depot binary first: \(Self.binary)")
        if !FileManager.default.fileExists(atPath: logFile.path) {
            _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        }
        let readyLinesBefore = readyLines.count
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["serve", "--host", "127.0.0.1", "--port", "0", "--storage", storage.path] + serveArguments
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        let handle = try FileHandle(forWritingTo: logFile)
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let lines = readyLines
            if lines.count > readyLinesBefore, let line = lines.last, let range = line.range(of: "Depot ready at ") {
                url = String(line[range.upperBound...]).trimmingCharacters(in: .whitespaces)
                if url.hasSuffix("/") { url.removeLast() }
                return
            }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw DepotProcessError(message: "depot serve did not become ready:\n\(log)")
    }

    private var readyLines: [Substring] { log.split(separator: "\n").filter { $0.contains("Depot ready at ") } }

    func stop() {
        guard let process, process.isRunning else { return }
        process.interrupt()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        self.process = nil
    }

    /// Sends `signal` (SIGTERM: a graceful shutdown; SIGKILL: a crash) and waits up to `seconds` for the
    /// server to exit; false if it is still running then (it is killed).
    @discardableResult func stop(signal: Int32, within seconds: Double = 60) -> Bool {
        guard let process, process.isRunning else { return true }
        kill(process.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let exited = !process.isRunning
        if !exited { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        self.process = nil
        return exited
    }

    /// Sends `signal` to the running server (e.g. SIGHUP) without waiting for anything.
    func send(signal: Int32) {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, signal)
    }

    deinit { stop() }

    /// Runs a `depot` client command against this server with the admin token unless one is given.
    @discardableResult
    func cli(_ arguments: [String], token: String? = nil, environment: [String: String] = [:]) throws -> CommandResult {
        var env = clientEnvironment.merging(environment) { $1 }
        env["DEPOT_URL"] = url
        env["DEPOT_TOKEN"] = token ?? adminToken
        return try Command.run(Self.binary, arguments, environment: env)
    }

    /// A raw HTTP request (for what no client sends: traversal, bad bodies, parallel publishes).
    func request(
        _ method: String, _ path: String, token: String? = nil, body: Data? = nil, headers: [String: String] = [:]
    ) async throws -> (status: Int, body: Data, headers: [String: String]) {
        guard let target = URL(string: url + path) else { throw DepotProcessError(message: "bad path \(path)") }
        var request = URLRequest(url: target)
        request.httpMethod = method
        request.httpBody = body
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        for (key, value) in headers { request.setValue(value, forHTTPHeaderField: key) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        var fields: [String: String] = [:]
        for (key, value) in http?.allHeaderFields ?? [:] { fields["\(key)".lowercased()] = "\(value)" }
        return (http?.statusCode ?? 0, data, fields)
    }
}

struct DepotProcessError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
