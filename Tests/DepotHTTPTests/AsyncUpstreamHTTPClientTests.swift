import DepotCore
import Foundation
import Hummingbird
import Synchronization
import Testing

@testable import DepotHTTP

/// Names resolved from a table, as a hostile or rebinding DNS server might answer.
private struct TableResolver: UpstreamAddressResolver {
    let table: [String: [String]]
    func addresses(of host: String) async throws -> [IPAddress] {
        guard let entries = table[host] else { throw DepotError.badGateway("\(host) could not be resolved") }
        return entries.compactMap(IPAddress.init)
    }
}

/// A registry stand-in on every local address: `/file`, and redirects to it on the same host, on `localhost`, and
/// on 127.0.0.1. Counts the requests for `/file` and remembers their Host headers.
private func withStandIn(_ test: @Sendable @escaping (_ port: Int, _ fileRequests: @Sendable () -> [String]) async throws -> Void) async throws {
    let hosts = Mutex<[String]>([])
    let router = Router()
    router.get("file") { request, _ -> String in
        hosts.withLock { $0.append(request.head.authority ?? "") }
        return "file bytes"
    }
    func redirect(_ location: @escaping @Sendable (_ port: String) -> String) -> @Sendable (Request, BasicRequestContext) async throws -> Response {
        { request, _ in
            let port = request.head.authority?.split(separator: ":").last.map(String.init) ?? ""
            var headers = HTTPFields()
            headers[.location] = location(port)
            return Response(status: .found, headers: headers)
        }
    }
    router.get("same", use: redirect { _ in "/file" })
    router.get("to-localhost", use: redirect { "http://localhost:\($0)/file" })
    router.get("to-loopback", use: redirect { "http://127.0.0.1:\($0)/file" })
    // On every local address (the test framework's live mode binds localhost only): 127.0.0.2 must answer too.
    let (ports, announce) = AsyncStream.makeStream(of: Int.self)
    let app = Application(
        router: router, configuration: .init(address: .hostname("0.0.0.0", port: 0)),
        onServerRunning: { channel in announce.yield(channel.localAddress?.port ?? 0) }, logger: quietLogger)
    let server = Task { try await app.run() }
    var iterator = ports.makeAsyncIterator()
    let port = try #require(await iterator.next())
    do {
        try await test(port) { hosts.withLock { $0 } }
    } catch {
        server.cancel()
        _ = await server.result
        throw error
    }
    server.cancel()
    _ = await server.result
}

/// Timing-sensitive live sockets: run alone by scripts/test (DEPOT_ISOLATED_TESTS=1) after the rest, which starved them.
@Suite("AsyncUpstreamHTTPClient", .enabled(if: ProcessInfo.processInfo.environment["DEPOT_ISOLATED_TESTS"] == "1", "run alone by scripts/test"))
struct AsyncUpstreamHTTPClientTests {
    @Test("a loopback address is refused before any connection when private addresses are not allowed")
    func loopbackLiteralRefused() async throws {
        try await withStandIn { port, fileRequests in
            let client = AsyncUpstreamHTTPClient(timeout: 20, logger: quietLogger)
            let url = URL(string: "http://127.0.0.1:\(port)/file")!
            let error = await #expect(throws: DepotError.self) {
                try await client.get(url, headers: [:], maxBytes: 1024, hosts: UpstreamHosts(only: url))
            }
            #expect(error?.code == "UpstreamAddressRefused")
            #expect(fileRequests().isEmpty)
        }
    }

    @Test("what a name resolves to is checked, not the name: one private answer among public ones refuses it")
    func resolvedAddressesChecked() async throws {
        try await withStandIn { port, fileRequests in
            let resolver = TableResolver(table: [
                "registry.test": ["127.0.0.1"], "mixed.test": ["93.184.216.34", "169.254.169.254"], "v6.test": ["::ffff:10.0.0.1"],
            ])
            let client = AsyncUpstreamHTTPClient(timeout: 20, resolver: resolver, logger: quietLogger)
            for host in ["registry.test", "mixed.test", "v6.test"] {
                let url = URL(string: "http://\(host):\(port)/file")!
                let error = await #expect(throws: DepotError.self, "\(host)") {
                    try await client.get(url, headers: [:], maxBytes: 1024, hosts: UpstreamHosts(only: url))
                }
                #expect(error?.code == "UpstreamAddressRefused", "\(host)")
            }
            #expect(fileRequests().isEmpty)
        }
    }

    @Test("the connection goes to the address that was checked (pinned), with the name kept in the Host header")
    func connectionPinned() async throws {
        try await withStandIn { port, fileRequests in
            // registry.test exists only in this table: reaching the stand-in proves the checked address was used.
            let client = AsyncUpstreamHTTPClient(
                timeout: 20, allowPrivateAddresses: false,
                resolver: TableResolver(table: ["registry.test": ["127.0.0.1"], "Registry.TEST.": ["127.0.0.1"]]),
                isReachable: { _ in true }, logger: quietLogger)
            // Another spelling of the name is pinned as well (the override is keyed by the spelling the client sees).
            let urls = ["http://registry.test:\(port)/file", "http://registry.test:\(port)/file", "http://Registry.TEST.:\(port)/file"]
            for url in urls.map({ URL(string: $0)! }) {
                let response = try await client.get(url, headers: [:], maxBytes: 1024, hosts: UpstreamHosts(["registry.test"]))
                #expect(response.status == 200)
                #expect(String(decoding: response.body, as: UTF8.self) == "file bytes")
            }
            #expect(fileRequests() == ["registry.test:\(port)", "registry.test:\(port)", "Registry.TEST.:\(port)"])
        }
    }

    @Test("a redirect to 127.0.0.1 is refused when private addresses are not allowed, even on an allowed host")
    func redirectToLoopbackRefused() async throws {
        try await withStandIn { port, fileRequests in
            // The stand-in counts as public at 127.0.0.2 only; the redirect leads to 127.0.0.1.
            let client = AsyncUpstreamHTTPClient(
                timeout: 20, allowPrivateAddresses: false, resolver: SystemAddressResolver(),
                isReachable: { $0 == IPAddress("127.0.0.2") }, logger: quietLogger)
            let hosts = UpstreamHosts(["127.0.0.2", "127.0.0.1"])
            let same = try await client.get(URL(string: "http://127.0.0.2:\(port)/same")!, headers: [:], maxBytes: 1024, hosts: hosts)
            #expect(same.status == 200)
            let sink = UpstreamSink(writer: DiscardingWriter())
            let error = await #expect(throws: DepotError.self) {
                try await client.download(URL(string: "http://127.0.0.2:\(port)/to-loopback")!, maxBytes: 1024, hosts: hosts, into: sink)
            }
            #expect(error?.code == "UpstreamAddressRefused")
            #expect(sink.received == 0)
            #expect(fileRequests() == ["127.0.0.2:\(port)"])
        }
    }

    @Test("a redirect off the connection's hosts is refused; one on them is followed")
    func redirectOffHostRefused() async throws {
        try await withStandIn { port, fileRequests in
            let client = AsyncUpstreamHTTPClient(timeout: 20, allowPrivateAddresses: true, logger: quietLogger)
            let hosts = UpstreamHosts(["127.0.0.1"])
            let sink = UpstreamSink(writer: DiscardingWriter())
            let error = await #expect(throws: DepotError.self) {
                try await client.download(URL(string: "http://127.0.0.1:\(port)/to-localhost")!, maxBytes: 1024, hosts: hosts, into: sink)
            }
            #expect(error?.code == "UpstreamHostRefused")
            #expect(fileRequests().isEmpty)
            let status = try await client.download(URL(string: "http://127.0.0.1:\(port)/same")!, maxBytes: 1024, hosts: hosts, into: sink)
            #expect(status == 200)
            #expect(sink.received == Int64("file bytes".utf8.count))
            // The first URL is held to the hosts as well.
            let first = await #expect(throws: DepotError.self) {
                try await client.get(URL(string: "http://localhost:\(port)/file")!, headers: [:], maxBytes: 1024, hosts: hosts)
            }
            #expect(first?.code == "UpstreamHostRefused")
        }
    }
}

/// A blob writer that keeps nothing.
private final class DiscardingWriter: BlobWriter, @unchecked Sendable {
    var localFile: URL? { nil }
    func write(_ bytes: UnsafeRawBufferPointer) throws {}
    func finish() throws -> BlobDigests { MultiHasher().finalize() }
    func commit() throws -> Bool { false }
    func discard() {}
}
