import DepotCore
import Foundation

/// Values of the network-trust keys: `server.trustedProxies`, `server.metricsToken`, `upstreamCache.allowedHosts`,
/// `upstreamCache.allowPrivateAddresses`.
extension ConfigurationLoader {
    /// `true`/`false` (YAML booleans, or `true`, `false`, `1`, `0`, `yes`, `no` from the environment).
    static func flag(_ value: Any?, key: String) throws -> Bool {
        if let value = value as? Bool { return value }
        switch (value.map { "\($0)" } ?? "").lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw ConfigurationError(key: key, "must be true or false")
        }
    }

    /// A list of CIDR blocks or addresses: a YAML sequence, or a comma-separated string (environment).
    static func addressRanges(_ value: Any?, key: String) throws -> [IPAddressRange] {
        try list(value, key: key).map { text in
            guard let range = IPAddressRange(text) else {
                throw ConfigurationError(key: key, "'\(text)' is not an IP address or CIDR block like 10.0.0.0/8")
            }
            return range
        }
    }

    /// Connection names mapped to host lists: `{public:pypi: [files.pythonhosted.org]}`.
    static func hostLists(_ value: Any?, key: String) throws -> [String: [String]] {
        guard let value else { return [:] }
        guard let map = value as? [String: Any] else {
            throw ConfigurationError(key: key, "must map connection names (public:...) to lists of host names")
        }
        var result: [String: [String]] = [:]
        for (connection, hosts) in map {
            let entryKey = "\(key).\(connection)"
            guard connection.hasPrefix("public:") else { throw ConfigurationError(key: entryKey, "connection names start with 'public:'") }
            result[connection] = try list(hosts is NSNull ? nil : hosts, key: entryKey).map { try hostPattern($0, key: entryKey) }
        }
        return result
    }

    /// A host name, or `*.` and a domain (and `*` for any host when `anyAllowed`); never a URL (scheme, port or path
    /// would not be compared).
    static func hostPattern(_ host: String, key: String, anyAllowed: Bool = false) throws -> String {
        if anyAllowed, host == "*" { return host }
        let name = host.hasPrefix("*.") ? String(host.dropFirst(2)) : host
        guard !name.isEmpty, !name.hasPrefix("-"), name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-.".contains($0)) }) else {
            throw ConfigurationError(key: key, "'\(host)' is not a host name (like git.example.com or *.example.com\(anyAllowed ? ", or *" : ""))")
        }
        return host.lowercased()
    }

    static func list(_ value: Any?, key: String) throws -> [String] {
        guard let value else { return [] }
        if let items = value as? [Any] {
            return try items.map { try string($0, key: key).trimmingCharacters(in: .whitespaces) }
        }
        guard let text = value as? String else { throw ConfigurationError(key: key, "must be a list") }
        return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
