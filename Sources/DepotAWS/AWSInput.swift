import DepotCore
import DepotHTTP
import Foundation
import Hummingbird

/// An AWS call's input: query-string members and the JSON body's members, with AWS's validation errors, and the
/// region the call was signed for.
struct AWSInput {
    let query: [String: String]
    let body: [String: Any]
    let region: String

    /// The input of a request the signature middleware verified: it collected the body (bounding its size and
    /// nesting) and hands it over in the context, so the body is not read twice.
    static func read(_ request: Request, context: DepotRequestContext) throws -> AWSInput {
        guard let signed = context.signedRequest else { throw AWSError.missingAuthentication }
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
        guard signed.body.readableBytes > 0 else { return AWSInput(query: query, body: [:], region: signed.region) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(signed.body.readableBytesView)) as? [String: Any] else {
            throw AWSError.validation("the request body is not a JSON object")
        }
        return AWSInput(query: query, body: object, region: signed.region)
    }

    func required(_ name: String) throws -> String {
        guard let value = query[name], !value.isEmpty else { throw AWSError.validation("'\(name)' is required") }
        return value
    }

    func optional(_ name: String) -> String? { query[name].flatMap { $0.isEmpty ? nil : $0 } }

    func string(_ member: String) throws -> String? {
        guard let value = body[member] else { return nil }
        guard let text = value as? String else { throw AWSError.validation("'\(member)' must be a string") }
        return text
    }

    func strings(_ member: String) throws -> [String]? {
        guard let value = body[member] else { return nil }
        guard let list = value as? [String] else { throw AWSError.validation("'\(member)' must be a list of strings") }
        guard list.count <= 1000 else { throw AWSError.validation("'\(member)' holds more than 1000 items") }
        return list
    }

    /// `tags: [{"key", "value"}]` (TagResource, CreateDomain, CreateRepository); none when absent. The rules of keys
    /// and values are the tag service's.
    func tags() throws -> [ResourceTag] {
        guard let value = body["tags"] else { return [] }
        guard let list = value as? [[String: Any]], list.count <= Self.maximumTagItems else {
            throw AWSError.validation("tags must be a list of at most \(Self.maximumTagItems) {\"key\", \"value\"} objects")
        }
        return try list.map { item in
            guard let key = item["key"] as? String, let value = item["value"] as? String else {
                throw AWSError.validation("each tag needs a string key and a string value")
            }
            return ResourceTag(key: key, value: value)
        }
    }

    /// The model's bound on `tags` and `tagKeys` lists.
    static let maximumTagItems = 200

    /// `maxResults` and `nextToken`, from the query (`max-results`, `next-token`) or the body, as a page request.
    func page(listing: String) throws -> PageRequest {
        var limit = 100
        let raw: Any? = query["max-results"] ?? body["maxResults"]
        if let raw {
            guard let value = (raw as? Int) ?? (raw as? String).flatMap(Int.init), (1...PageRequest.maximumLimit).contains(value) else {
                throw AWSError.validation("maxResults must be a whole number from 1 to \(PageRequest.maximumLimit)")
            }
            limit = value
        }
        let token = query["next-token"] ?? (body["nextToken"] as? String) ?? ""
        guard !token.isEmpty else { return PageRequest(limit: limit) }
        do {
            return PageRequest(limit: limit, after: try PageCursor(token: token))
        } catch {
            throw AWSError.validation("nextToken is not a token this server handed out")
        }
    }
}

/// Pages a listing that is whole in memory (a version's assets): the cursor is the
/// position after the last item handed out.
enum MemoryPaging {
    static func page<Item>(_ items: [Item], _ request: PageRequest, listing: String) throws -> (items: [Item], next: PageCursor?) {
        var start = 0
        if let cursor = request.after {
            guard let value = Int(try cursor.keys(of: listing, count: 1)[0]), value >= 0 else {
                throw AWSError.validation("nextToken is not a token this server handed out")
            }
            start = min(value, items.count)
        }
        let end = min(items.count, start + request.limit)
        let next = end < items.count ? PageCursor(listing: listing, keys: [String(end)]) : nil
        return (Array(items[start..<end]), next)
    }
}

/// A JSON response in AWS's encoding: timestamps as epoch seconds.
enum AWSJSON {
    static func response<Body: Encodable>(_ body: Body, contentType: String = "application/json") throws -> Response {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = .sortedKeys
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(body))))
    }
}
