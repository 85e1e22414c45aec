import Foundation

/// A metadata document as an upstream answered it.
public struct UpstreamResponse: Sendable {
    public var status: Int
    /// Header names lowercased.
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Receives a download's bytes; used by one task at a time (it wraps a blob writer, which is not Sendable).
public final class UpstreamSink: @unchecked Sendable {
    public let writer: any BlobWriter
    public private(set) var received: Int64 = 0

    public init(writer: any BlobWriter) { self.writer = writer }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        received += Int64(bytes.count)
        try writer.write(bytes)
    }
}

/// The HTTP port to public registries. Implementations reach only http(s) URLs on `hosts` (the first and every
/// redirect), refuse non-public addresses unless configured otherwise, verify TLS, pool connections, time out, and
/// refuse bodies over `maxBytes`; transport failures surface as `DepotError` 502 (`badGateway`) or 504
/// (`gatewayTimeout`).
public protocol UpstreamHTTPClient: Sendable {
    /// GETs a (metadata) document whole; any status is returned, the caller decides.
    func get(_ url: URL, headers: [String: String], maxBytes: Int, hosts: UpstreamHosts) async throws -> UpstreamResponse
    /// POSTs a small document (npm audit) and returns the answer whole.
    func post(_ url: URL, headers: [String: String], body: Data, maxBytes: Int, hosts: UpstreamHosts) async throws -> UpstreamResponse
    /// GETs a file, streaming a 200 body into `sink`; returns the status (no bytes are written otherwise).
    func download(_ url: URL, maxBytes: Int, hosts: UpstreamHosts, into sink: UpstreamSink) async throws -> Int
}

extension DepotError {
    /// A URL an upstream chose (a file URL in its metadata, a redirect) that leads off the connection's hosts.
    public static func upstreamHostRefused(_ url: URL, connection: String, hosts: UpstreamHosts) -> DepotError {
        .badGateway(
            "\(connection) pointed at \(url.host ?? url.absoluteString), which is not one of its hosts (\(hosts)); nothing was fetched"
                + " (allow it with upstreamCache.allowedHosts)",
            code: "UpstreamHostRefused")
    }
}
