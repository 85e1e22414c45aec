import DepotCore
import Foundation

/// A queued build waiting for a worker.
struct BuildJob: Sendable {
    var build: StoredBuild
    var project: BuildProject
    /// The server's URL as the starting client saw it; builds reach the registry through it.
    var serverURL: String
    var overrides: [String: String]
}
