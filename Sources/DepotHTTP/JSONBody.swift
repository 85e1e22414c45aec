import DepotCore
import Foundation
import Hummingbird

extension BodyStreaming {
    /// Collects a JSON body for parsing: more than `min(limit, limits.maxJSONSize)` bytes is 413, nesting deeper
    /// than `limits.maxJSONDepth` or more than `limits.maxJSONValues` values is 400, all before any parser sees it.
    public static func collectJSON(_ request: Request, limit: Int = .max, limits: InputLimits) async throws -> Data {
        Data(try await collectJSONBuffer(request, limit: limit, limits: limits).readableBytesView)
    }

    /// `collectJSON` without the copy into `Data`.
    public static func collectJSONBuffer(_ request: Request, limit: Int = .max, limits: InputLimits) async throws -> ByteBuffer {
        let body = try await collect(request, limit: min(limit, limits.maxJSONSize))
        try body.withUnsafeReadableBytes { try JSONNesting.check($0, limits: limits) }
        return body
    }
}

/// Puts the configured input limits on every request's context, for helpers that see the context but are not
/// constructed with the configuration (the management API's JSON decoding).
public struct InputLimitsMiddleware: RouterMiddleware {
    public typealias Context = DepotRequestContext
    let limits: InputLimits

    public init(limits: InputLimits) {
        self.limits = limits
    }

    public func handle(_ request: Request, context: DepotRequestContext, next: (Request, DepotRequestContext) async throws -> Response)
        async throws -> Response
    {
        var context = context
        context.limits = limits
        return try await next(request, context)
    }
}
