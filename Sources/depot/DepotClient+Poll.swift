import ArgumentParser
import Foundation

extension DepotClient {
    /// GETs the object at `path` every `interval` until `isDone` holds for it (it may also print what changed),
    /// or `attempts` were made; returns the last one. Builds and pipeline executions are watched this way.
    func poll(
        _ path: String, every interval: Duration, attempts: Int = .max, until isDone: ([String: Any]) async throws -> Bool
    ) async throws -> [String: Any] {
        var attempt = 0
        while true {
            guard let object = try await call("GET", path) as? [String: Any] else { throw ValidationError("unexpected answer from \(path)") }
            attempt += 1
            if try await isDone(object) || attempt >= attempts { return object }
            try await Task.sleep(for: interval)
        }
    }
}
