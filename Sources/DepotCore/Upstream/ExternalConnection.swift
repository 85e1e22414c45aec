import Foundation

/// A public registry the server may reach, with the URL from configuration (never from a request).
public struct ExternalConnection: Sendable, Equatable {
    /// `public:npmjs`, `public:pypi`, `public:maven-central`.
    public var name: String
    public var baseURL: URL
    /// Where its file URLs and redirects may lead: the base URL's host and the configured extra hosts.
    public var allowedHosts: UpstreamHosts

    /// `extraHosts`: hosts besides the base URL's that serve the connection's files (PyPI's files.pythonhosted.org).
    public init(name: String, baseURL: URL, extraHosts: [String] = []) {
        self.name = name
        self.baseURL = baseURL
        self.allowedHosts = UpstreamHosts([baseURL.host ?? ""] + extraHosts)
    }
}
