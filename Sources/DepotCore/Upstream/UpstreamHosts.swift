import Foundation

/// The hosts an external connection may reach: the one its configured URL names, and those configured beside it
/// (a CDN serving its files). Upstream documents choose file URLs and upstream servers choose redirects; neither
/// may send Depot anywhere else.
public struct UpstreamHosts: Sendable, Equatable, CustomStringConvertible {
    /// Lowercased host names or addresses; `*.example.com` covers the subdomains of example.com.
    public let patterns: [String]

    public init(_ patterns: [String]) {
        self.patterns = patterns.map { Self.normalized($0) }.filter { !$0.isEmpty }
    }

    /// Only the host of `url`.
    public init(only url: URL) {
        self.init([url.host ?? ""])
    }

    /// Whether an http(s) URL without credentials points at one of the hosts (any port).
    public func permits(_ url: URL) -> Bool {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            url.user == nil, url.password == nil, let rawHost = url.host
        else { return false }
        let host = Self.normalized(rawHost)
        guard !host.isEmpty else { return false }
        return patterns.contains { pattern in
            if pattern.hasPrefix("*.") {
                let suffix = pattern.dropFirst()
                return host.hasSuffix(suffix) && host.count > suffix.count
            }
            return host == pattern
        }
    }

    public var description: String { patterns.joined(separator: ", ") }

    /// Lowercase, without IPv6 brackets or a trailing root dot.
    static func normalized(_ host: String) -> String {
        var host = host.lowercased().trimmingCharacters(in: .whitespaces)
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.hasSuffix(".") { host.removeLast() }
        return host
    }
}
