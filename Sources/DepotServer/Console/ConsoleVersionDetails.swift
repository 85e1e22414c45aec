import Foundation

/// What a version page shows of the stored metadata, whatever the format: the README (npm's `readme`, a core
/// metadata `description`) and the dependencies (npm's `dependencies`, PyPI's `requiresDist`) when they exist.
struct ConsoleVersionDetails {
    struct Dependency {
        let name: String
        let requirement: String
    }

    var readme: String?
    var dependencies: [Dependency] = []

    init(metadata: Data) {
        guard let object = try? JSONSerialization.jsonObject(with: metadata) as? [String: Any] else { return }
        let manifest = object["manifest"] as? [String: Any] ?? [:]
        let candidates = [object["readme"], manifest["readme"], object["description"], manifest["description"]]
        // A one-line `description` is a summary, not a README.
        readme = candidates.compactMap { $0 as? String }.first { !$0.isEmpty && ($0.contains("\n") || $0.count > 200) }
            ?? (object["readme"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        for key in ["dependencies", "peerDependencies", "optionalDependencies"] {
            if let map = manifest[key] as? [String: Any] ?? object[key] as? [String: Any] {
                dependencies += map.keys.sorted().map { Dependency(name: $0, requirement: "\(map[$0] ?? "")") }
            }
        }
        for key in ["requiresDist", "requires_dist"] {
            if let list = object[key] as? [String] {
                dependencies += list.map { Dependency(name: $0, requirement: "") }
            }
        }
    }
}
