import HTTPTypes
import Hummingbird

/// The scheme and host clients see: the configured public URL, or else the request's
/// `X-Forwarded-Proto`/`X-Forwarded-Host`/`Host`. Used for absolute tarball and file URLs. The forwarded headers
/// reach here only from trusted proxies: `ForwardedHeadersMiddleware` drops everyone else's.
public struct PublicBaseURL: Sendable {
    private let configured: String?
    /// The server's own scheme (`https` when it serves TLS): HTTP/1.1 requests do not carry it.
    private let scheme: String

    /// `configured` like `https://depot.example.com` or `https://example.com/depot` (trailing slash ignored).
    public init(configured: String?, scheme: String = "http") {
        self.configured = configured.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.scheme = scheme
    }

    public func resolve(for request: Request) -> String {
        if let configured { return configured }
        let forwardedProto = request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.split(separator: ",").first
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let scheme = forwardedProto == "https" ? "https" : (forwardedProto == "http" ? "http" : self.scheme)
        let forwardedHost = request.headers[HTTPField.Name("X-Forwarded-Host")!]?.split(separator: ",").first
            .map { $0.trimmingCharacters(in: .whitespaces) }
        let host = forwardedHost ?? request.head.authority ?? "localhost"
        return "\(scheme)://\(Self.sanitized(host))"
    }

    /// Keeps only characters that can appear in a host[:port], so a header cannot inject markup or paths.
    static func sanitized(_ host: String) -> String {
        let kept = host.filter { $0.isASCII && ($0.isLetter || $0.isNumber || "-.:[]".contains($0)) }
        return kept.isEmpty ? "localhost" : kept
    }
}
