import AsyncHTTPClient
import DepotCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns a host name into addresses (the system resolver in production, a table in tests).
public protocol UpstreamAddressResolver: Sendable {
    func addresses(of host: String) async throws -> [IPAddress]
}

/// `getaddrinfo`, off the cooperative pool (it blocks).
public struct SystemAddressResolver: UpstreamAddressResolver {
    public init() {}

    public func addresses(of host: String) async throws -> [IPAddress] {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try Self.lookup(host) }) }
        }
    }

    static func lookup(_ host: String) throws -> [IPAddress] {
        var hints = addrinfo()
        #if os(Linux)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let list else {
            throw DepotError.badGateway("\(host) could not be resolved: \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var addresses: [IPAddress] = []
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let current = entry {
            if let socketAddress = current.pointee.ai_addr {
                switch current.pointee.ai_family {
                case AF_INET:
                    var address = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                    if let ip = withUnsafeBytes(of: &address, { IPAddress(bytes: Array($0)) }) { addresses.append(ip) }
                case AF_INET6:
                    var address = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    if let ip = withUnsafeBytes(of: &address, { IPAddress(bytes: Array($0)) }) { addresses.append(ip) }
                default: break
                }
            }
            entry = current.pointee.ai_next
        }
        return addresses
    }
}

/// Chooses the HTTP client that reaches a URL so that Depot only ever connects to public addresses: a name is
/// resolved here, every address it has must be public, and the connection is pinned to the checked address (an
/// HTTPClient whose DNS override maps the name to it; TLS still verifies the name). Resolving once and connecting to
/// what was checked is what stops DNS rebinding. With `allowPrivateAddresses` (local stand-ins, mirrors on the
/// LAN) every URL goes through the shared client.
final class UpstreamAddressGuard: Sendable {
    private let shared: HTTPClient
    private let allowPrivateAddresses: Bool
    private let resolver: any UpstreamAddressResolver
    /// `isPublic`; tests let their loopback stand-in count as reachable to exercise pinning.
    private let isReachable: @Sendable (IPAddress) -> Bool
    private let pinned: PinnedClients

    init(
        shared: HTTPClient, allowPrivateAddresses: Bool, resolver: any UpstreamAddressResolver,
        isReachable: @escaping @Sendable (IPAddress) -> Bool = { $0.isPublic },
        makePinnedClient: @escaping @Sendable (_ host: String, _ address: String) -> HTTPClient
    ) {
        self.shared = shared
        self.allowPrivateAddresses = allowPrivateAddresses
        self.resolver = resolver
        self.isReachable = isReachable
        self.pinned = PinnedClients(make: makePinnedClient)
    }

    /// Runs `body` with a client that reaches `url`'s host at a checked address; the client stays leased until
    /// `body` returns (response bodies stream inside it).
    func withClient<T: Sendable>(for url: URL, _ body: (HTTPClient) async throws -> T) async throws -> T {
        if allowPrivateAddresses { return try await body(shared) }
        // Exactly as AsyncHTTPClient reads it: its DNS override is looked up by this spelling (case, trailing dot).
        let host = url.host ?? ""
        if let literal = IPAddress(host) {
            // No lookup happens for a literal: the shared client connects to exactly this address.
            guard isReachable(literal) else { throw Self.refused(host: host, address: literal) }
            return try await body(shared)
        }
        let addresses = try await resolver.addresses(of: host)
        guard let first = addresses.first else { throw DepotError.badGateway("\(host) has no addresses") }
        // One private answer among public ones is as dangerous as all: which one is used is not ours to choose.
        if let refused = addresses.first(where: { !isReachable($0) }) { throw Self.refused(host: host, address: refused) }
        let (client, key) = await pinned.lease(host: host, address: first.description)
        do {
            let result = try await body(client)
            await pinned.release(key)
            return result
        } catch {
            await pinned.release(key)
            throw error
        }
    }

    func shutdown() async {
        await pinned.shutdown()
    }

    static func refused(host: String, address: IPAddress) -> DepotError {
        .badGateway(
            "\(host) is at \(address), a loopback, private, link-local or otherwise non-public address that upstreams may not reach"
                + " (set upstreamCache.allowPrivateAddresses to allow it)",
            code: "UpstreamAddressRefused")
    }
}

/// HTTP clients pinned to one (host, address) pair, shared while in use and shut down after a minute idle.
actor PinnedClients {
    private struct Entry {
        let client: HTTPClient
        var leases: Int
        var lastUsed: ContinuousClock.Instant
    }

    private let make: @Sendable (String, String) -> HTTPClient
    private var entries: [String: Entry] = [:]
    private let idleLimit = Duration.seconds(60)

    init(make: @escaping @Sendable (String, String) -> HTTPClient) {
        self.make = make
    }

    func lease(host: String, address: String) -> (HTTPClient, String) {
        retireIdle()
        let key = "\(host)|\(address)"
        if var entry = entries[key] {
            entry.leases += 1
            entry.lastUsed = .now
            entries[key] = entry
            return (entry.client, key)
        }
        let client = make(host, address)
        entries[key] = Entry(client: client, leases: 1, lastUsed: .now)
        return (client, key)
    }

    func release(_ key: String) {
        entries[key]?.leases -= 1
        entries[key]?.lastUsed = .now
    }

    func shutdown() async {
        let clients = entries.values.map(\.client)
        entries = [:]
        for client in clients { try? await client.shutdown() }
    }

    private func retireIdle() {
        let now = ContinuousClock.now
        for (key, entry) in entries where entry.leases <= 0 && now - entry.lastUsed > idleLimit {
            entries[key] = nil
            let client = entry.client
            Task { try? await client.shutdown() }
        }
    }
}
