import DepotCore
import Foundation
import Hummingbird
import Logging
import Prometheus

/// The outermost middleware: maps errors to responses, marks every response `nosniff`, then logs one line and
/// records metrics per request (route, status, duration, bytes). Paths are logged without query strings; headers never are.
public struct EdgeMiddleware: RouterMiddleware {
    public typealias Context = DepotRequestContext
    private let metrics: RouteMetrics
    private let logger: Logger
    private let accessLog: AccessLog?
    private let edgeCache: EdgeCache?
    private let errorStyle: @Sendable (String) -> ErrorStyle

    /// `accessLog` nil: no line per request (`log.access: false`). `edgeCache` nil or off: no answer is kept.
    public init(
        metrics: PrometheusCollectorRegistry, logger: Logger, accessLog: AccessLog?, edgeCache: EdgeCache? = nil,
        errorStyle: @escaping @Sendable (String) -> ErrorStyle
    ) {
        self.metrics = RouteMetrics(registry: metrics)
        self.logger = logger
        self.accessLog = accessLog
        self.edgeCache = edgeCache
        self.errorStyle = errorStyle
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        var failure: (any Error)?
        do {
            response = try await next(request, context)
        } catch {
            failure = error
            response = ErrorResponses.response(for: error, style: errorStyle(request.uri.path))
        }
        // Every answer is taken for the type it declares: no browser may guess HTML into a JSON error or a file.
        response.headers[.xContentTypeOptions] = "nosniff"
        // An upgrade is never honoured (h2c, which Cargo asks for on every request), but after a request asking for
        // one NIO's HTTP/1 decoder stops reading the connection (apple/swift-nio#2570): the next request on it
        // would hang. Closing it after the answer makes the client open a fresh one.
        if request.headers[.upgrade] != nil { response.headers[.connection] = "close" }
        if response.headers[EdgeCache.marker] != nil {
            // What the connection's edge cache needs to give this answer again: the route and the token's expiry.
            // Only for a request an edge handler passed on (it says so in the same header): elsewhere (HTTP/2,
            // tests without a connection) the mark would reach the client.
            if let edgeCache, edgeCache.isEnabled, request.method == .get, response.status == .ok,
                request.headers[EdgeCache.marker] != nil
            {
                let mark = EdgeMark(route: context.endpointPath ?? "unmatched", expiresAt: context.identity?.expiresAt?.timeIntervalSince1970)
                response.headers[EdgeCache.marker] = mark.headerValue
            } else {
                response.headers[EdgeCache.marker] = nil
            }
        }
        if let failure, response.status == .internalServerError {
            logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(failure)"])
        }
        let status = response.status.code
        let handles = metrics.handles(route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: status)
        let accessLog = self.accessLog
        // A body that is one buffer (documents, small cached files, errors) is recorded now and left as it is:
        // Hummingbird sends head, body and end of such a body in one write, and wrapping it in a closure would cost
        // three writes (three syscalls and TCP segments), most of what a small cached read costs. Its duration is the
        // handler's; streamed bodies are wrapped and recorded when their last byte is written.
        if request.method != .head, let length = response.body.contentLength, length <= Self.recordedAtOnce {
            let elapsed = ContinuousClock.now - start
            handles.requests.increment()
            handles.bytes.increment(by: Int64(length))
            handles.duration.record(elapsed)
            accessLog?.record(AccessLog.Entry(
                time: Date().timeIntervalSince1970, method: request.method.rawValue, path: request.uri.path,
                status: status, duration: elapsed, bytes: length))
            return response
        }
        // A HEAD answer has the GET's headers and no body (NIO refuses body bytes on a HEAD response).
        let original = request.method == .head ? ResponseBody(contentLength: response.body.contentLength) { writer in try await writer.finish(nil) } : response.body
        response.body = ResponseBody(contentLength: original.contentLength) { writer in
            let observed = ObservedBodyWriter(base: writer) { bytes in
                let elapsed = ContinuousClock.now - start
                handles.requests.increment()
                handles.bytes.increment(by: Int64(bytes))
                handles.duration.record(elapsed)
                accessLog?.record(AccessLog.Entry(
                    time: Date().timeIntervalSince1970, method: request.method.rawValue, path: request.uri.path,
                    status: status, duration: elapsed, bytes: bytes))
            }
            try await original.write(observed)
        }
        return response
    }
}

extension EdgeMiddleware {
    /// Bodies up to this size with a known length are recorded when the handler returns (see `handle`).
    static let recordedAtOnce = 1 << 20

    static var requests: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "depot", metricName: "http_requests", unitName: "total", helpText: "HTTP requests by route, method and status")
    }
    static var bytesServed: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "depot", metricName: "http_response_bytes", unitName: "total", helpText: "Response body bytes sent, by route")
    }
    static var duration: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "depot", metricName: "http_request_duration", unitName: "seconds", helpText: "Request duration, by route")
    }
    static let buckets: [Duration] = [
        .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500), .seconds(2), .seconds(10),
    ]
}

/// Forwards a response body while counting its bytes, and reports the count when the body is finished.
struct ObservedBodyWriter: ResponseBodyWriter {
    var base: any ResponseBodyWriter
    let completion: @Sendable (Int) -> Void
    var bytes = 0

    init(base: any ResponseBodyWriter, completion: @escaping @Sendable (Int) -> Void) {
        self.base = base
        self.completion = completion
    }

    mutating func write(_ buffer: ByteBuffer) async throws {
        bytes += buffer.readableBytes
        try await base.write(buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        try await base.finish(trailingHeaders)
        completion(bytes)
    }
}
