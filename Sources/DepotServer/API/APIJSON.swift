import DepotCore
import DepotHTTP
import Foundation
import Hummingbird

/// JSON in and out of the management API: ISO 8601 dates, sorted keys, malformed bodies as 400.
enum APIJSON {
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    /// At most 1 MiB (API bodies are small) and the configured JSON size and depth, from `context.limits`.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: DepotRequestContext? = nil) async throws -> T {
        let body = try await BodyStreaming.collectJSON(request, limit: 1 << 20, limits: context?.limits ?? InputLimits())
        do {
            return try JSONDecoder().decode(T.self, from: body)
        } catch let error as DecodingError {
            throw DepotError.badRequest("malformed JSON body: \(describe(error))", code: "MalformedBody")
        } catch {
            throw DepotError.badRequest("malformed JSON body", code: "MalformedBody")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map(\.stringValue).joined(separator: ".")
            return keys.isEmpty ? "" : " at '\(keys)'"
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing key '\(key.stringValue)'\(path(context))"
        case .typeMismatch(_, let context): return "wrong type\(path(context))"
        case .valueNotFound(_, let context): return "missing value\(path(context))"
        case .dataCorrupted(let context): return "invalid JSON\(path(context))"
        @unknown default: return "invalid JSON"
        }
    }

    /// A path parameter, percent-decoded once.
    static func parameter(_ context: DepotRequestContext, _ name: String) throws -> String {
        let raw = try context.parameters.require(name)
        guard let decoded = raw.removingPercentEncoding, !decoded.contains("\0") else {
            throw DepotError.badRequest("invalid \(name) in the path", code: "InvalidPath")
        }
        return decoded
    }
}

struct OK: Encodable {
    var ok = true
}
