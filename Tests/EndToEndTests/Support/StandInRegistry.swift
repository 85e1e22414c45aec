import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `scripts/upstream-stand-in.py` on a free port: a directory tree served as npmjs, PyPI or Maven Central,
/// with request counts and simulated failures (see the script's header for the layouts and modes).
final class StandInRegistry: @unchecked Sendable {
    /// How the stand-in misbehaves; `match` limits it to paths containing that text.
    enum Mode: String {
        case normal, status500, slow, invalid, oversized, badhash
    }

    /// The directory tree served; files may be added while it runs.
    let root: URL
    let logFile: URL
    private(set) var url: String = ""
    private var process: Process?

    /// What `depot serve` needs to use a stand-in: it listens on 127.0.0.1, which upstreams may not reach otherwise.
    static let depotEnvironment = ["DEPOT_UPSTREAM_ALLOW_PRIVATE_ADDRESSES": "true"]

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/upstream-stand-in.py").path
    }

    init(root: URL) throws {
        self.root = root
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        logFile = root.deletingLastPathComponent().appendingPathComponent("stand-in-\(UUID().uuidString).log")
    }

    deinit { stop() }

    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// Starts the script and waits for its `listening on <port>` line.
    func start() throws {
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script, "--root", root.path, "--port", "0"]
        let handle = try FileHandle(forWritingTo: logFile)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let line = log.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }),
                let port = Int(line.dropFirst("listening on ".count).trimmingCharacters(in: .whitespaces))
            {
                url = "http://127.0.0.1:\(port)"
                return
            }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        stop()
        throw DepotProcessError(message: "the upstream stand-in did not start:\n\(log)")
    }

    func stop() {
        guard let process else { return }
        self.process = nil
        guard process.isRunning else { return }
        // SIGINT, then SIGTERM, then SIGKILL: waitUntilExit must never wait for a process that ignores signals.
        for signal in [SIGINT, SIGTERM, SIGKILL] where process.isRunning {
            kill(process.processIdentifier, signal)
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        }
        process.waitUntilExit()
    }

    /// Requests served per path (as the client sent it, query excluded).
    func requests() async throws -> [String: Int] {
        let (data, _) = try await send("GET", "/-/stand-in/requests")
        return try JSONDecoder().decode([String: Int].self, from: data)
    }

    /// How many times `path` was requested.
    func count(_ path: String) async throws -> Int { try await requests()[path] ?? 0 }

    func resetCounts() async throws { _ = try await send("DELETE", "/-/stand-in/requests") }

    func setMode(_ mode: Mode, seconds: Double? = nil, match: String? = nil, bytes: Int? = nil, declareLength: Bool = false) async throws {
        var body: [String: Any] = ["mode": mode.rawValue, "declareLength": declareLength]
        if let seconds { body["seconds"] = seconds }
        if let match { body["match"] = match }
        if let bytes { body["bytes"] = bytes }
        let (_, status) = try await send("POST", "/-/stand-in/mode", body: try JSONSerialization.data(withJSONObject: body))
        #expect(status == 200, "the stand-in refused mode \(mode)")
    }

    private func send(_ method: String, _ path: String, body: Data? = nil) async throws -> (Data, Int) {
        var request = URLRequest(url: URL(string: url + path)!)
        request.httpMethod = method
        request.httpBody = body
        if body != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return (data, (response as? HTTPURLResponse)?.statusCode ?? 0)
    }
}
