import DepotHTTP
import Hummingbird
import Prometheus

/// `/healthz` and `/metrics` (Prometheus text format).
struct OperationsController {
    let metrics: PrometheusCollectorRegistry

    static let permissions: [RoutePermission] = [
        .open(.get, "/healthz"),
        .open(.get, "/metrics", note: "with `server.metricsToken` set: that token as `Authorization: Bearer`"),
    ]

    func addRoutes(to router: Router<DepotRequestContext>) {
        router.get("healthz") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            // A constant: liveness of the process, which answering at all proves.
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "{\"status\":\"ok\"}"))).repeatable()
        }
        router.get("metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: metrics.emitToBuffer())))
        }
    }
}
