import Foundation

/// Edits SwiftPM's `registries.json` (configuration version 1) as `swift package-registry set --global <url>` and
/// `login --token` do: the `[default]` registry, and a `token` authentication entry keyed by the registry's
/// `host[:port]` with the login path SwiftPM derives from the URL. Scoped registries, other hosts' entries and
/// `security` settings are kept.
public enum SwiftRegistriesFile {
    public struct EditError: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    public static func merged(existing: String, registryURL: String) throws -> String {
        guard let url = URL(string: registryURL), let host = url.host?.lowercased(), !host.isEmpty else {
            throw EditError(description: "'\(registryURL)' is not a registry URL")
        }
        var root: [String: Any] = [:]
        if !existing.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            guard let parsed = try? JSONSerialization.jsonObject(with: Data(existing.utf8)) as? [String: Any] else {
                throw EditError(description: "it is not a JSON object")
            }
            if let version = parsed["version"], (version as? Int) != 1 {
                throw EditError(description: "its configuration version is \(version), not 1")
            }
            root = parsed
        }
        var registries = root["registries"] as? [String: Any] ?? [:]
        registries["[default]"] = ["url": registryURL, "supportsAvailability": false]
        var authentication = root["authentication"] as? [String: Any] ?? [:]
        var entry: [String: Any] = ["type": "token"]
        // SwiftPM posts its login to the URL's own path when it has one.
        if !url.path.isEmpty, url.path != "/" { entry["loginAPIPath"] = url.path }
        authentication[authenticationKey(host: host, port: url.port)] = entry
        root["registries"] = registries
        root["authentication"] = authentication
        root["version"] = 1
        let data = try JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// SwiftPM keys authentication by the lowercased host and the port when the URL names one.
    static func authenticationKey(host: String, port: Int?) -> String {
        port.map { "\(host):\($0)" } ?? host
    }
}
