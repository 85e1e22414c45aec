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
        let forwardedProto = request.headers[Self.forwardedProto]?.split(separator: ",").first.map { $0.trimmingBlanks().lowercased() }
        let scheme = forwardedProto == "https" ? "https" : (forwardedProto == "http" ? "http" : self.scheme)
        let forwardedHost = request.headers[Self.forwardedHost]?.split(separator: ",").first.map { String($0.trimmingBlanks()) }
        let host = forwardedHost ?? request.head.authority ?? "localhost"
        return "\(scheme)://\(Self.sanitized(host))"
    }

    private static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!
    private static let forwardedHost = HTTPField.Name("X-Forwarded-Host")!

    /// Keeps only characters that can appear in a host[:port], so a header cannot inject markup or paths.
    static func sanitized(_ host: String) -> String {
        let allowed = { (byte: UInt8) in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || "-.:[]".utf8.contains(byte)
        }
        if host.utf8.allSatisfy(allowed) { return host.isEmpty ? "localhost" : host }
        let kept = String(decoding: host.utf8.filter(allowed), as: UTF8.self)
        return kept.isEmpty ? "localhost" : kept
    }
}
