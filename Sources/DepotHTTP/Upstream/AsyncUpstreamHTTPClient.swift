import AsyncHTTPClient
import DepotCore
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// The upstream HTTP port on AsyncHTTPClient: pooled connections, TLS verified against the system trust
/// store, timeouts, body size limits, and redirects followed by hand so that only http(s) URLs on the connection's
/// hosts are reached, at public addresses only (see `UpstreamAddressGuard`).
public final class AsyncUpstreamHTTPClient: UpstreamHTTPClient {
    private let client: HTTPClient
    private let addresses: UpstreamAddressGuard
    private let timeout: TimeAmount
    private let maxRedirects = 5

    /// `timeout`: connecting, and the longest silence while a response arrives. `allowPrivateAddresses` lets
    /// upstreams on loopback and private networks be reached (local stand-ins, a LAN mirror).
    public convenience init(
        timeout: TimeInterval, allowPrivateAddresses: Bool = false, resolver: any UpstreamAddressResolver = SystemAddressResolver(),
        logger: Logger
    ) {
        self.init(timeout: timeout, allowPrivateAddresses: allowPrivateAddresses, resolver: resolver, isReachable: { $0.isPublic }, logger: logger)
    }

    init(
        timeout: TimeInterval, allowPrivateAddresses: Bool, resolver: any UpstreamAddressResolver,
        isReachable: @escaping @Sendable (IPAddress) -> Bool, logger: Logger
    ) {
        let seconds = TimeAmount.milliseconds(Int64(timeout * 1000))
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: seconds, read: seconds),
            decompression: .enabled(limit: .ratio(100)))
        configuration.connectionPool = .init(idleTimeout: .seconds(60))
        // A refused connection is an answer: fail now so stale metadata is served (or a 502 sent) at once, rather
        // than retrying with backoff for the whole connect timeout on every request while the upstream is down.
        configuration.connectionPool.retryConnectionEstablishment = false
        let shared = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration, backgroundActivityLogger: logger)
        client = shared
        let base = configuration
        addresses = UpstreamAddressGuard(
            shared: shared, allowPrivateAddresses: allowPrivateAddresses, resolver: resolver, isReachable: isReachable
        ) { host, address in
            var pinned = base
            pinned.dnsOverride = [host: address]
            return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: pinned, backgroundActivityLogger: logger)
        }
        self.timeout = seconds
    }

    deinit {
        // The clients must be shut down before they go; nothing waits for it here.
        let client = self.client
        let addresses = self.addresses
        Task {
            await addresses.shutdown()
            try? await client.shutdown()
        }
    }

    public func get(_ url: URL, headers: [String: String], maxBytes: Int, hosts: UpstreamHosts) async throws -> UpstreamResponse {
        try await exchange(.GET, url, headers: headers, hosts: hosts) { response, target in
            do {
                let body = try await response.body.collect(upTo: maxBytes)
                return UpstreamResponse(status: Int(response.status.code), headers: Self.headers(response), body: Data(body.readableBytesView))
            } catch let error as NIOTooManyBytesError {
                _ = error
                throw DepotError.badGateway(
                    "\(target.host ?? "the upstream") sent more than \(maxBytes) bytes for \(target.path)", code: "UpstreamTooLarge")
            } catch {
                throw Self.translate(error, url: target)
            }
        }
    }

    public func post(
        _ url: URL, headers: [String: String], body: Data, maxBytes: Int, hosts: UpstreamHosts
    ) async throws -> UpstreamResponse {
        try await exchange(.POST, url, headers: headers, body: body, hosts: hosts) { response, target in
            do {
                let data = try await response.body.collect(upTo: maxBytes)
                return UpstreamResponse(status: Int(response.status.code), headers: Self.headers(response), body: Data(data.readableBytesView))
            } catch {
                throw Self.translate(error, url: target)
            }
        }
    }

    public func download(_ url: URL, maxBytes: Int, hosts: UpstreamHosts, into sink: UpstreamSink) async throws -> Int {
        try await exchange(.GET, url, headers: [:], hosts: hosts) { response, target in
            guard response.status == .ok else { return Int(response.status.code) }
            if let length = response.headers.first(name: "content-length").flatMap(Int.init), length > maxBytes {
                throw DepotError.badGateway(
                    "\(target.lastPathComponent) is \(length) bytes, over the \(maxBytes)-byte limit", code: "UpstreamTooLarge")
            }
            var received = 0
            do {
                for try await chunk in response.body {
                    received += chunk.readableBytes
                    guard received <= maxBytes else {
                        throw DepotError.badGateway("\(target.lastPathComponent) is over the \(maxBytes)-byte limit", code: "UpstreamTooLarge")
                    }
                    try chunk.withUnsafeReadableBytes { try sink.write($0) }
                }
            } catch let error as DepotError {
                throw error
            } catch {
                throw Self.translate(error, url: target)
            }
            return 200
        }
    }

    /// Sends a request and hands the final response to `read`, following up to five redirects of GETs. Every hop
    /// must be on `hosts` and reach a public address; the client it uses stays leased until `read` returns.
    private func exchange<T: Sendable>(
        _ method: HTTPMethod, _ url: URL, headers: [String: String], body: Data? = nil, hosts: UpstreamHosts,
        read: (HTTPClientResponse, URL) async throws -> T
    ) async throws -> T {
        var target = url
        for _ in 0...maxRedirects {
            guard hosts.permits(target) else {
                throw DepotError.upstreamHostRefused(target, connection: url.host ?? "the upstream", hosts: hosts)
            }
            var request = try Self.request(method, target, headers: headers)
            if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
            let hop: RedirectHop<T> = try await addresses.withClient(for: target) { client in
                let response: HTTPClientResponse
                do {
                    response = try await client.execute(request, timeout: timeout * 4)
                } catch {
                    throw Self.translate(error, url: target)
                }
                guard method == .GET, [301, 302, 303, 307, 308].contains(response.status.code) else {
                    return .done(try await read(response, target))
                }
                guard let location = response.headers.first(name: "location"), let next = URL(string: location, relativeTo: target)
                else {
                    throw DepotError.badGateway("\(target.host ?? "the upstream") redirected without a Location", code: "UpstreamInvalid")
                }
                return .redirect(next.absoluteURL)
            }
            switch hop {
            case .done(let result): return result
            case .redirect(let next): target = next
            }
        }
        throw DepotError.badGateway("too many redirects from \(url.host ?? "the upstream")", code: "UpstreamInvalid")
    }

    /// A request to an http(s) URL only (a redirect must not lead to `file:` or a unix socket).
    private static func request(_ method: HTTPMethod, _ url: URL, headers: [String: String]) throws -> HTTPClientRequest {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw DepotError.badGateway("refusing to reach \(url.scheme ?? "?"): URLs", code: "UpstreamRedirectRefused")
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        request.headers.add(name: "User-Agent", value: "Depot")
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        return request
    }

    private static func headers(_ response: HTTPClientResponse) -> [String: String] {
        var result: [String: String] = [:]
        for header in response.headers { result[header.name.lowercased()] = header.value }
        return result
    }

    /// Transport failures in the terms the client of Depot sees: 504 for time, 502 for the rest.
    static func translate(_ error: any Error, url: URL) -> DepotError {
        if let depotError = error as? DepotError { return depotError }
        let host = url.host ?? "the upstream"
        if let clientError = error as? HTTPClientError,
            [.readTimeout, .connectTimeout, .deadlineExceeded].contains(clientError)
        {
            return .gatewayTimeout("\(host) did not answer in time for \(url.path)")
        }
        return .badGateway("\(host) could not be reached for \(url.path): \(error)")
    }
}

/// Where one request of a redirect chain ended: the answer, or the next URL.
private enum RedirectHop<T: Sendable>: Sendable {
    case done(T)
    case redirect(URL)
}
