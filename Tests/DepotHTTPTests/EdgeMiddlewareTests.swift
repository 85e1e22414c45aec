import DepotCore
import DepotHTTP
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import Testing

@testable import DepotHTTP

private struct Boom: Error {}

private func makeEdgeApplication(registry: PrometheusCollectorRegistry) -> some ApplicationProtocol {
    let router = Router(context: DepotRequestContext.self)
    router.add(middleware: EdgeMiddleware(metrics: registry, logger: quietLogger, accessLog: nil, errorStyle: { path in
        path.hasPrefix("/api/") ? .api : .registry
    }))
    router.get("/ok") { _, _ -> String in "hello" }
    router.get("/api/conflict") { _, _ -> String in throw DepotError.conflict("version exists", code: "VersionExists") }
    router.get("/npm/:name") { _, context -> String in
        throw DepotError.notFound("package \(try context.parameters.require("name")) not found", code: "PackageNotFound")
    }
    router.get("/api/boom") { _, _ -> String in throw Boom() }
    router.get("/api/denied") { _, _ -> String in throw DepotError.unauthorized() }
    return Application(router: router)
}

/// The sample lines of one metric (no comments), as emitted.
private func samples(_ registry: PrometheusCollectorRegistry, _ name: String) -> [String] {
    registry.emitToString().split(separator: "\n").map(String.init).filter { $0.hasPrefix(name + "{") || $0.hasPrefix(name + " ") }
}

/// True when a sample line of `name` has all of `labels` and the given value.
private func hasSample(_ registry: PrometheusCollectorRegistry, _ name: String, labels: [String], value: String) -> Bool {
    samples(registry, name).contains { line in
        labels.allSatisfy { line.contains($0) } && line.hasSuffix(" " + value)
    }
}

@Suite("EdgeMiddleware")
struct EdgeMiddlewareTests {
    @Test("a repeatable answer is marked for the edge only when an edge handler passed the request on")
    func marksOnlyForAnEdge() async throws {
        let registry = PrometheusCollectorRegistry()
        let edge = EdgeCache(budget: 1 << 20, feed: InProcessChangeFeed(), metrics: registry, accessLog: nil, trustedProxies: [])
        let router = Router(context: DepotRequestContext.self)
        router.add(middleware: EdgeMiddleware(metrics: registry, logger: quietLogger, accessLog: nil, edgeCache: edge) { _ in .api })
        router.get("/doc") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "{}"))).repeatable() }
        let marker = HTTPField.Name("X-Depot-Edge-Cache")!
        try await Application(router: router).test(.router) { client in
            // No edge below (HTTP/2, or here): the mark never reaches the client.
            try await client.execute(uri: "/doc", method: .get) { response in
                #expect(response.status == .ok && response.headers[marker] == nil)
            }
            try await client.execute(uri: "/doc", method: .get, headers: [marker: "keep"]) { response in
                #expect(response.headers[marker].flatMap(EdgeMark.init(headerValue:))?.route == "/doc")
            }
        }
    }

    @Test("a thrown DepotError becomes its status, in the style of the path")
    func errorsMapped() async throws {
        let registry = PrometheusCollectorRegistry()
        try await makeEdgeApplication(registry: registry).test(.router) { client in
            try await client.execute(uri: "/api/conflict", method: .get) { response in
                #expect(response.status == .conflict)
                let body = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                let error = try #require(body["error"] as? [String: Any])
                #expect(error["code"] as? String == "VersionExists")
            }
            try await client.execute(uri: "/npm/left-pad", method: .get) { response in
                #expect(response.status == .notFound)
                let body = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                #expect(body["error"] as? String == "package left-pad not found")
            }
            try await client.execute(uri: "/api/boom", method: .get) { response in
                #expect(response.status == .internalServerError)
            }
            try await client.execute(uri: "/api/denied", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] != nil)
            }
            try await client.execute(uri: "/ok", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "hello")
            }
        }
    }

    @Test("every request is counted in depot_http_requests_total by route, method and status")
    func requestMetrics() async throws {
        let registry = PrometheusCollectorRegistry()
        try await makeEdgeApplication(registry: registry).test(.router) { client in
            try await client.execute(uri: "/ok", method: .get)
            try await client.execute(uri: "/ok", method: .get)
            try await client.execute(uri: "/api/conflict", method: .get)
            try await client.execute(uri: "/npm/left-pad", method: .get)
            try await client.execute(uri: "/npm/lodash", method: .get)
        }
        let text = registry.emitToString()
        #expect(text.contains("depot_http_requests_total"), "\(text)")
        #expect(hasSample(registry, "depot_http_requests_total", labels: ["route=\"/ok\"", "method=\"GET\"", "status=\"200\""], value: "2"))
        #expect(
            hasSample(registry, "depot_http_requests_total", labels: ["route=\"/api/conflict\"", "method=\"GET\"", "status=\"409\""], value: "1"))
        // Routes are labelled by pattern, not by concrete path (bounded label cardinality).
        #expect(
            hasSample(registry, "depot_http_requests_total", labels: ["route=\"/npm/{name}\"", "status=\"404\""], value: "2"),
            "\(samples(registry, "depot_http_requests_total"))")
        #expect(!text.contains("left-pad"))

        // Bytes served are counted too.
        #expect(hasSample(registry, "depot_http_response_bytes_total", labels: ["route=\"/ok\""], value: "10"))
        #expect(text.contains("depot_http_request_duration_seconds"))
    }

    @Test("unmatched paths are counted under one label, never the raw path")
    func unmatched() async throws {
        let registry = PrometheusCollectorRegistry()
        try await makeEdgeApplication(registry: registry).test(.router) { client in
            try await client.execute(uri: "/no/such/path/secret-name", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
        #expect(!registry.emitToString().contains("secret-name"))
    }
}
