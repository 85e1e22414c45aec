import AsyncHTTPClient
import DepotCore
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// The upstream HTTP port on AsyncHTTPClient: pooled connections, TLS verified against the system trust
/// store, timeouts, body size limits, and redirects followed by hand so that only http(s) targets are reached.
public final class AsyncUpstreamHTTPClient: UpstreamHTTPClient {
    private let client: HTTPClient
    private let timeout: TimeAmount
    private let maxRedirects = 5

    /// `timeout`: connecting, and the longest silence while a response arrives.
    public init(timeout: TimeInterval, logger: Logger) {
        let seconds = TimeAmount.milliseconds(Int64(timeout * 1000))
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: seconds, read: seconds),
            decompression: .enabled(limit: .ratio(100)))
        configuration.connectionPool = .init(idleTimeout: .seconds(60))
        // A refused connection is an answer: fail now so stale metadata is served (or a 502 sent) at once, rather
        // than retrying with backoff for the whole connect timeout on every request while the upstream is down.
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration, backgroundActivityLogger: logger)
        self.timeout = seconds
    }

    deinit {
        // The client must be shut down before it goes; nothing waits for it here.
        let client = self.client
        Task { try? await client.shutdown() }
    }

    public func get(_ url: URL, headers: [String: String], maxBytes: Int) async throws -> UpstreamResponse {
        let response = try await send(url, headers: headers)
        do {
            let body = try await response.body.collect(upTo: maxBytes)
            return UpstreamResponse(status: Int(response.status.code), headers: Self.headers(response), body: Data(body.readableBytesView))
        } catch let error as NIOTooManyBytesError {
            _ = error
            throw DepotError.badGateway("\(url.host ?? "the upstream") sent more than \(maxBytes) bytes for \(url.path)", code: "UpstreamTooLarge")
        } catch {
            throw Self.translate(error, url: url)
        }
    }

    public func post(_ url: URL, headers: [String: String], body: Data, maxBytes: Int) async throws -> UpstreamResponse {
        var request = try Self.request(.POST, url, headers: headers)
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: timeout * 4)
            let data = try await response.body.collect(upTo: maxBytes)
            return UpstreamResponse(status: Int(response.status.code), headers: Self.headers(response), body: Data(data.readableBytesView))
        } catch {
            throw Self.translate(error, url: url)
        }
    }

    public func download(_ url: URL, maxBytes: Int, into sink: UpstreamSink) async throws -> Int {
        let response = try await send(url, headers: [:])
        guard response.status == .ok else { return Int(response.status.code) }
        if let length = response.headers.first(name: "content-length").flatMap(Int.init), length > maxBytes {
            throw DepotError.badGateway("\(url.lastPathComponent) is \(length) bytes, over the \(maxBytes)-byte limit", code: "UpstreamTooLarge")
        }
        var received = 0
        do {
            for try await chunk in response.body {
                received += chunk.readableBytes
                guard received <= maxBytes else {
                    throw DepotError.badGateway("\(url.lastPathComponent) is over the \(maxBytes)-byte limit", code: "UpstreamTooLarge")
                }
                try chunk.withUnsafeReadableBytes { try sink.write($0) }
            }
        } catch let error as DepotError {
            throw error
        } catch {
            throw Self.translate(error, url: url)
        }
        return 200
    }

    /// Sends a GET, following up to five redirects to http(s) URLs only.
    private func send(_ url: URL, headers: [String: String]) async throws -> HTTPClientResponse {
        var target = url
        for _ in 0...maxRedirects {
            let request = try Self.request(.GET, target, headers: headers)
            let response: HTTPClientResponse
            do {
                response = try await client.execute(request, timeout: timeout * 4)
            } catch {
                throw Self.translate(error, url: target)
            }
            guard [301, 302, 303, 307, 308].contains(response.status.code) else { return response }
            guard let location = response.headers.first(name: "location"), let next = URL(string: location, relativeTo: target)
            else {
                throw DepotError.badGateway("\(target.host ?? "the upstream") redirected without a Location", code: "UpstreamInvalid")
            }
            target = next.absoluteURL
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
