import Foundation

/// A public registry the server may reach, with the URL from configuration (never from a request).
public struct ExternalConnection: Sendable, Equatable {
    /// `public:npmjs`, `public:pypi`, `public:maven-central`.
    public var name: String
    public var baseURL: URL

    public init(name: String, baseURL: URL) {
        self.name = name
        self.baseURL = baseURL
    }
}
